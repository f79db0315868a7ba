// tfq_post: the output stage of the accelerator, bit for bit
//   y = clamp(z + roundShift(a * m1 + b * m2 + c, sh), lo, hi),  clamp(v, lo, hi) = min(max(v, lo), hi)
// with roundShift as org.tfq.ir.integer.IntMath.roundShift (floor(v / 2^sh + 1/2), round half
// up, also for negative v; sh = 0 gives v). Every operand is signed except sh. A fused ReLU is
// the caller's lo = max(lo, z); lo <= hi is the caller's promise, but the result is
// min(max(v, lo), hi) (that is hi) even when it is broken, at the price of one Y_W-bit comparator.
//
// Every intermediate is exact, so the result never depends on how wide the caller thought the
// sum would get: the products in A_W + M1_W and B_W + M2_W bits, the sum of three in S_W =
// max(A_W + M1_W, B_W + M2_W, C_W) + 2 bits, z + roundShift(...) in max(S_W, Y_W) + 1 bits.
// The shifter works on {v, 0}, so that h = floor(2v / 2^sh)
// holds v >>> sh in its upper bits and the rounding bit (bit sh - 1 of v, 0 for sh = 0) in its
// lowest, added as a carry-in. Shifts of S_W or more (up to 2^SH_W - 1) come out right without a
// range check: h is then all sign bits, so the result is 0 + 0 or -1 + 1, which is roundShift's
// 0 for every |v| <= 2^(S_W-1) <= 2^(sh-1).
//
// Pipeline: LATENCY = 6, one result per cycle, no back-pressure: in_valid in cycle c gives
// out_valid in cycle c + 6. The first three stages are two cascaded DSP48E1s when the widths fit
// them (25 x 18 products, a 48-bit sum):
//   1  a * m1 (M register of the first DSP); b, m2 only registered (A/B registers of the second)
//   2  a * m1 + c (its P register, c through its C register); b * m2 (the second's M register)
//   3  + b * m2 (the second's P register, adding the first's P over the cascade, PCIN)
//   4  the shift, 5  + z + rounding bit, 6  the clamp (both comparisons side by side, then a mux)
// Only the valid bits are reset: nothing reads a data register without its valid bit.
module tfq_post #(
    parameter A_W = 24,        // signed width of a
    parameter B_W = 24,        // signed width of b
    parameter M1_W = 18,       // signed width of m1
    parameter M2_W = 18,       // signed width of m2
    parameter C_W = 48,        // signed width of c
    parameter SH_W = 6,        // unsigned width of sh; shifts 0 .. 2^SH_W - 1 are all exact
    parameter Y_W = 17,        // signed width of y, z, lo and hi
    // 1: a * m1 (b * m2) is a DSP48E1 product, 0: LUTs, as the resource model counted it; Vivado
    // reads it from the use_dsp attribute, which takes no parameter, hence one branch per value
    parameter A_DSP = 1,
    parameter B_DSP = 1
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    input  wire signed [A_W-1:0]  a,
    input  wire signed [B_W-1:0]  b,
    input  wire signed [M1_W-1:0] m1,
    input  wire signed [M2_W-1:0] m2,
    input  wire signed [C_W-1:0]  c,
    input  wire [SH_W-1:0]        sh,
    input  wire signed [Y_W-1:0]  z,
    input  wire signed [Y_W-1:0]  lo,
    input  wire signed [Y_W-1:0]  hi,
    output reg                  out_valid,
    output reg  signed [Y_W-1:0]  y
);
    localparam P1_W = A_W + M1_W;
    localparam P2_W = B_W + M2_W;
    localparam PM_W = (P1_W > P2_W) ? P1_W : P2_W;
    // a * m1 + b * m2 + c: three terms of at most PM_W or C_W bits need two more
    localparam S_W = ((PM_W > C_W) ? PM_W : C_W) + 2;
    // {s, 0} shifted: floor(2s / 2^sh)
    localparam H_W = S_W + 1;
    // (s >>> sh) + rounding bit + z, exact
    localparam T_W = ((S_W > Y_W) ? S_W : Y_W) + 1;

    // the two products below each take one generate branch per mapping: a Verilog attribute
    // cannot take a parameter's value, so use_dsp is written out in each branch
    wire signed [P1_W-1:0] am1;
    generate
        if (A_DSP) begin : g_am1
            (* use_dsp = "yes" *) wire signed [P1_W-1:0] p;
            assign p = a * m1;
            assign am1 = p;
        end else begin : g_am1
            (* use_dsp = "no" *) wire signed [P1_W-1:0] p;
            assign p = a * m1;
            assign am1 = p;
        end
    endgenerate

    // stage 1
    reg               v1;
    reg signed [P1_W-1:0] p1;
    reg signed [B_W-1:0]  b1;
    reg signed [M2_W-1:0] m2_1;
    reg signed [C_W-1:0]  c1;
    reg [SH_W-1:0]    sh1;
    reg signed [Y_W-1:0]  z1, lo1, hi1;
    reg               inv1;     // lo > hi: then every result is hi
    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else v1 <= in_valid;
        p1 <= am1;
        b1 <= b;
        m2_1 <= m2;
        c1 <= c;
        sh1 <= sh;
        z1 <= z;
        lo1 <= lo;
        hi1 <= hi;
        inv1 <= lo > hi;
    end

    // stage 2
    wire signed [P2_W-1:0] bm2;
    generate
        if (B_DSP) begin : g_bm2
            (* use_dsp = "yes" *) wire signed [P2_W-1:0] p;
            assign p = b1 * m2_1;
            assign bm2 = p;
        end else begin : g_bm2
            (* use_dsp = "no" *) wire signed [P2_W-1:0] p;
            assign p = b1 * m2_1;
            assign bm2 = p;
        end
    endgenerate
    wire signed [S_W-1:0] p1_x = {{(S_W - P1_W){p1[P1_W-1]}}, p1};
    wire signed [S_W-1:0] c1_x = {{(S_W - C_W){c1[C_W-1]}}, c1};
    reg               v2;
    reg signed [S_W-1:0]  s2;
    reg signed [P2_W-1:0] p2;
    reg [SH_W-1:0]    sh2;
    reg signed [Y_W-1:0]  z2, lo2, hi2;
    reg               inv2;
    always @(posedge clk) begin
        if (rst) v2 <= 1'b0;
        else v2 <= v1;
        s2 <= p1_x + c1_x;
        p2 <= bm2;
        sh2 <= sh1;
        z2 <= z1;
        lo2 <= lo1;
        hi2 <= hi1;
        inv2 <= inv1;
    end

    // stage 3
    wire signed [S_W-1:0] p2_x = {{(S_W - P2_W){p2[P2_W-1]}}, p2};
    reg               v3;
    reg signed [S_W-1:0]  s3;
    reg [SH_W-1:0]    sh3;
    reg signed [Y_W-1:0]  z3, lo3, hi3;
    reg               inv3;
    always @(posedge clk) begin
        if (rst) v3 <= 1'b0;
        else v3 <= v2;
        s3 <= s2 + p2_x;
        sh3 <= sh2;
        z3 <= z2;
        lo3 <= lo2;
        hi3 <= hi2;
        inv3 <= inv2;
    end

    // stage 4: the shift
    reg               v4;
    reg signed [H_W-1:0]  h4;
    reg signed [Y_W-1:0]  z4, lo4, hi4;
    reg               inv4;
    always @(posedge clk) begin
        if (rst) v4 <= 1'b0;
        else v4 <= v3;
        h4 <= $signed({s3, 1'b0}) >>> sh3;
        z4 <= z3;
        lo4 <= lo3;
        hi4 <= hi3;
        inv4 <= inv3;
    end

    // stage 5: (s >>> sh) + rounding bit + z = z + roundShift(s, sh)
    wire signed [T_W-1:0] h4_x = {{(T_W - S_W){h4[H_W-1]}}, h4[H_W-1:1]};
    wire signed [T_W-1:0] z4_x = {{(T_W - Y_W){z4[Y_W-1]}}, z4};
    wire signed [T_W-1:0] round_x = {{(T_W - 1){1'b0}}, h4[0]};
    reg               v5;
    reg signed [T_W-1:0]  t5;
    reg signed [Y_W-1:0]  lo5, hi5;
    reg               inv5;
    always @(posedge clk) begin
        if (rst) v5 <= 1'b0;
        else v5 <= v4;
        t5 <= h4_x + z4_x + round_x;
        lo5 <= lo4;
        hi5 <= hi4;
        inv5 <= inv4;
    end

    // stage 6: min(max(t, lo), hi); max(t, lo) > hi exactly when t > hi or lo > hi, so both
    // comparisons with t run side by side instead of one after the other
    wire signed [T_W-1:0] lo5_x = {{(T_W - Y_W){lo5[Y_W-1]}}, lo5};
    wire signed [T_W-1:0] hi5_x = {{(T_W - Y_W){hi5[Y_W-1]}}, hi5};
    wire above = t5 > hi5_x;
    wire below = t5 < lo5_x;
    always @(posedge clk) begin
        if (rst) out_valid <= 1'b0;
        else out_valid <= v5;
        if (above | inv5) y <= hi5;
        else if (below) y <= lo5;
        else y <= t5[Y_W-1:0];
    end
endmodule
