// tfq_affine: the elementwise affine map on codes of org.tfq.ir.op.IntAffine.applyInt, bit for bit:
//   y = saturate(zout + roundShift((x - zin) * m + c, shift), OUT_W, OUT_SIGNED), then max(y, zout)
//   if relu
// m and c are signed and are ports because IntAffine broadcasts them (one value, one per channel
// or one per element: the caller reads them from a ROM in step with x). Every intermediate is
// exact: x - zin in IN_W + 1 bits, the product in IN_W + 1 + M_W bits, the sum one bit wider than
// the wider of product and c, so the result never depends on IntAffine's accBits.
//
// Pipeline: LATENCY = 6 (subtract, multiply, add c, then 3 in tfq_rshift_sat), one result per
// cycle, no back-pressure: in_valid in cycle c gives out_valid in cycle c + 6. The first three
// stages are the pre-adder, M and P registers of a DSP48E1 when the widths fit it.
module tfq_affine #(
    parameter IN_W = 8,        // input code width
    parameter IN_SIGNED = 1,   // 1: signed input codes and zin, 0: unsigned
    parameter M_W = 16,        // signed multiplier width
    parameter C_W = 32,        // signed offset width
    parameter SHIFT_W = 6,     // shift port width
    parameter OUT_W = 8,       // output code width
    parameter OUT_SIGNED = 1   // 1: signed output codes and zout, 0: unsigned
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    input  wire [IN_W-1:0]      x,
    input  wire [IN_W-1:0]      zin,
    input  wire signed [M_W-1:0] m,
    input  wire signed [C_W-1:0] c,
    input  wire [SHIFT_W-1:0]   shift,
    input  wire [OUT_W-1:0]     zout,
    input  wire                 relu,
    output wire                 out_valid,
    output wire [OUT_W-1:0]     y
);
    localparam D_W = IN_W + 1;
    localparam P_W = D_W + M_W;
    localparam A_W = ((P_W > C_W) ? P_W : C_W) + 1;

    // the codes as signed numbers, so that x - zin is exact for either signedness
    wire signed [D_W-1:0] x_s = (IN_SIGNED != 0) ? {x[IN_W-1], x} : {1'b0, x};
    wire signed [D_W-1:0] zin_s = (IN_SIGNED != 0) ? {zin[IN_W-1], zin} : {1'b0, zin};

    // stage 1: x - zin
    reg               v1;
    reg signed [D_W-1:0] d1;
    reg signed [M_W-1:0] m1;
    reg signed [C_W-1:0] c1;
    reg [SHIFT_W-1:0] shift1;
    reg [OUT_W-1:0]   zout1;
    reg               relu1;
    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else v1 <= in_valid;
        d1 <= x_s - zin_s;
        m1 <= m;
        c1 <= c;
        shift1 <= shift;
        zout1 <= zout;
        relu1 <= relu;
    end

    // stage 2: (x - zin) * m
    reg               v2;
    reg signed [P_W-1:0] p2;
    reg signed [C_W-1:0] c2;
    reg [SHIFT_W-1:0] shift2;
    reg [OUT_W-1:0]   zout2;
    reg               relu2;
    always @(posedge clk) begin
        if (rst) v2 <= 1'b0;
        else v2 <= v1;
        p2 <= d1 * m1;
        c2 <= c1;
        shift2 <= shift1;
        zout2 <= zout1;
        relu2 <= relu1;
    end

    // stage 3: + c
    wire signed [A_W-1:0] p2_x = {{(A_W - P_W){p2[P_W-1]}}, p2};
    wire signed [A_W-1:0] c2_x = {{(A_W - C_W){c2[C_W-1]}}, c2};
    reg               v3;
    reg signed [A_W-1:0] a3;
    reg [SHIFT_W-1:0] shift3;
    reg [OUT_W-1:0]   zout3;
    reg               relu3;
    always @(posedge clk) begin
        if (rst) v3 <= 1'b0;
        else v3 <= v2;
        a3 <= p2_x + c2_x;
        shift3 <= shift2;
        zout3 <= zout2;
        relu3 <= relu2;
    end

    tfq_rshift_sat #(
        .V_W(A_W), .SHIFT_W(SHIFT_W), .OUT_W(OUT_W), .OUT_SIGNED(OUT_SIGNED)
    ) u_tail (
        .clk(clk), .rst(rst), .in_valid(v3), .v(a3), .shift(shift3), .zp(zout3), .relu(relu3),
        .out_valid(out_valid), .y(y)
    );
endmodule
