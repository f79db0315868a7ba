// tfq_rshift_sat: the common tail of every rescaling unit,
//   y = relu ? max(q, zp) : q,   q = saturate(zp + roundShift(v, shift), OUT_W, OUT_SIGNED)
// bit for bit as org.tfq.ir.integer.IntMath (roundShift: floor(v / 2^shift + 1/2), round half
// up, also for negative v; saturate: clamp to the OUT_W-bit two's complement or unsigned range).
//
// How: the shifter works on {v, 0}, so that h = floor(2v / 2^shift) carries, next to
// v >>> shift = floor(v / 2^shift) in its upper bits, the rounding bit (bit shift - 1 of v) in
// its lowest bit, which is 0 for shift = 0. Adding that bit as a carry-in gives
// floor((v + 2^(shift-1)) / 2^shift) without a rounding constant as wide as the largest shift,
// and the same adder adds the zero point. Shifts of V_W or more come out right too: h is then all
// sign bits, so the sum is 0 + 0 or -1 + 1, and roundShift(v, shift) = 0 for every
// |v| <= 2^(V_W-1) <= 2^(shift-1). Hence no shift in 0 .. 2^SHIFT_W - 1 needs a range check.
//
// Pipeline: 3 stages, a result every cycle, no back-pressure. A vector presented with in_valid in
// cycle c comes out with out_valid in cycle c + 3 (registers after each stage: shift,
// add, saturate). Only the valid bits are reset: data registers need no reset because nothing
// reads them without their valid bit.
module tfq_rshift_sat #(
    parameter V_W = 48,        // width of the signed input v
    parameter SHIFT_W = 6,     // width of the shift port; shifts 0 .. 2^SHIFT_W - 1 are all exact
    parameter OUT_W = 8,       // output code width
    parameter OUT_SIGNED = 1   // 1: two's complement output and zero point, 0: unsigned
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               in_valid,
    input  wire signed [V_W-1:0] v,
    input  wire [SHIFT_W-1:0] shift,
    input  wire [OUT_W-1:0]   zp,     // output zero point, a code of the output type
    input  wire               relu,   // clamp below at the zero point (a fused ReLU)
    output reg                out_valid,
    output reg  [OUT_W-1:0]   y
);
    // {v, 0} shifted: floor(2v / 2^shift)
    localparam H_W = V_W + 1;
    // zp as a signed number
    localparam Z_W = OUT_W + 1;
    // (v >>> shift) + rounding bit + zp, exact
    localparam T_W = ((V_W > Z_W) ? V_W : Z_W) + 1;

    wire signed [Z_W-1:0] zp_s = (OUT_SIGNED != 0) ? {zp[OUT_W-1], zp} : {1'b0, zp};

    // stage 1: the shift
    reg               v1;
    reg signed [H_W-1:0] h1;
    reg signed [Z_W-1:0] zp1;
    reg               relu1;
    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else v1 <= in_valid;
        h1 <= $signed({v, 1'b0}) >>> shift;
        zp1 <= zp_s;
        relu1 <= relu;
    end

    // stage 2: (v >>> shift) + rounding bit + zp = roundShift(v, shift) + zp
    wire signed [T_W-1:0] hi_x = {{(T_W - V_W){h1[H_W-1]}}, h1[H_W-1:1]};
    wire signed [T_W-1:0] zp1_x = {{(T_W - Z_W){zp1[Z_W-1]}}, zp1};
    wire signed [T_W-1:0] round_x = {{(T_W - 1){1'b0}}, h1[0]};
    reg               v2;
    reg signed [T_W-1:0] t2;
    reg  [OUT_W-1:0]  zp2;
    reg               relu2;
    always @(posedge clk) begin
        if (rst) v2 <= 1'b0;
        else v2 <= v1;
        t2 <= hi_x + zp1_x + round_x;
        zp2 <= zp1[OUT_W-1:0];
        relu2 <= relu1;
    end

    // stage 3: saturate (the value fits when the bits above the output are copies of its sign,
    // or zero for an unsigned output), then the ReLU clamp at the zero point
    reg [OUT_W-1:0] q;
    reg             below_zp;
    generate
        if (OUT_SIGNED != 0) begin : g_signed
            wire [T_W-OUT_W:0] top = t2[T_W-1:OUT_W-1];
            wire fits = (&top) | ~(|top);
            always @(*) begin
                if (fits) q = t2[OUT_W-1:0];
                else begin
                    q = {OUT_W{~t2[T_W-1]}};          // largest positive ...
                    q[OUT_W-1] = t2[T_W-1];           // ... or most negative code
                end
                below_zp = $signed(q) < $signed(zp2);
            end
        end else begin : g_unsigned
            wire [T_W-OUT_W-1:0] top = t2[T_W-1:OUT_W];
            wire fits = ~(|top);
            always @(*) begin
                if (fits) q = t2[OUT_W-1:0];
                else q = {OUT_W{~t2[T_W-1]}};         // negative: 0, too large: all ones
                below_zp = q < zp2;
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) out_valid <= 1'b0;
        else out_valid <= v2;
        y <= (relu2 && below_zp) ? zp2 : q;
    end
endmodule
