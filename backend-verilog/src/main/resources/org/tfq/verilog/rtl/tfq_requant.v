// tfq_requant: requantization of an accumulator to an output code, bit for bit
// org.tfq.ir.integer.Requantizer.apply (and the fused ReLU of IntLinear / IntMatMul):
//   y = saturate(roundShift(acc * m, shift) + zp, OUT_W, OUT_SIGNED),  then max(y, zp) if relu
// acc is signed, the multiplier m unsigned (Requantizer keeps m >= 0), the rounding half up.
//
// m, shift, zp and relu are ports, not parameters, so that a per-channel requantization can read
// them from a ROM next to the accumulator; a layer with one requantizer ties them to constants and
// synthesis folds the variable shifter into wiring. The product is exact (ACC_W + M_W + 1 bits:
// m is widened by a zero bit to enter a signed multiply), so no shift in 0 .. 2^SHIFT_W - 1 and
// no accumulator of ACC_W bits can overflow anything; IntMath.MAX_SHIFT = 62 needs SHIFT_W = 6.
//
// Pipeline: LATENCY = 4 (1 multiply, 3 in tfq_rshift_sat), one result per cycle, no
// back-pressure: in_valid in cycle c gives out_valid in cycle c + 4.
module tfq_requant #(
    parameter ACC_W = 32,      // signed accumulator width
    parameter M_W = 16,        // unsigned multiplier width (Requantizer.DEFAULT_MULTIPLIER_BITS)
    parameter SHIFT_W = 6,     // shift port width
    parameter OUT_W = 8,       // output code width
    parameter OUT_SIGNED = 1   // 1: signed output codes, 0: unsigned
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    input  wire signed [ACC_W-1:0] acc,
    input  wire [M_W-1:0]       m,
    input  wire [SHIFT_W-1:0]   shift,
    input  wire [OUT_W-1:0]     zp,
    input  wire                 relu,
    output wire                 out_valid,
    output wire [OUT_W-1:0]     y
);
    localparam P_W = ACC_W + M_W + 1;

    wire signed [M_W:0] m_s = {1'b0, m};

    // stage 1: the product (a DSP48E1 with its M register for 25 x 18 or smaller operands)
    reg               v1;
    reg signed [P_W-1:0] p1;
    reg [SHIFT_W-1:0] shift1;
    reg [OUT_W-1:0]   zp1;
    reg               relu1;
    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else v1 <= in_valid;
        p1 <= acc * m_s;
        shift1 <= shift;
        zp1 <= zp;
        relu1 <= relu;
    end

    tfq_rshift_sat #(
        .V_W(P_W), .SHIFT_W(SHIFT_W), .OUT_W(OUT_W), .OUT_SIGNED(OUT_SIGNED)
    ) u_tail (
        .clk(clk), .rst(rst), .in_valid(v1), .v(p1), .shift(shift1), .zp(zp1), .relu(relu1),
        .out_valid(out_valid), .y(y)
    );
endmodule
