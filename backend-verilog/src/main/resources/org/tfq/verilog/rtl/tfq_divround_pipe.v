// tfq_divround_pipe: rounding division q = floor((num + floor(den/2)) / den) for den > 0, bit for
// bit org.tfq.ir.integer.IntMath.divRound (the quotient rounded half up, also for negative num),
// fully pipelined: the radix-2 restoring divider of IntMath.restoringDivide unrolled into one
// stage per quotient bit, so that it accepts a new operand pair every cycle. As there, the
// stages work on the magnitude:
//   N = num + floor(den / 2)
//   N >= 0:  q =  floor(N / den)
//   N <  0:  q = -floor((-N + den - 1) / den) = -floor((~N + den) / den)
// num is signed (two's complement), den unsigned and > 0. The caller guarantees |q| < 2^Q_W
// (the compiler sizes Q_W from its range analysis); then the magnitude dividend D is below
// den 2^Q_W, its bits above the lowest Q_W (the first partial remainder) are below den and fit
// DEN_W bits, and q fits Q_W + 1 signed bits. Otherwise q is meaningless: there is no overflow
// flag, because a pipeline that cannot stall has no use for one.
//
// Pipeline: LATENCY = Q_W + 2, one result per cycle, no back-pressure: in_valid in cycle c gives
// out_valid in cycle c + Q_W + 2. Stage 1 adds den/2, stage 2 forms the magnitude, stages
// 3 .. Q_W + 2 each decide one quotient bit, most significant first, with one DEN_W + 1-bit
// subtraction; the last of them also applies the sign (two carry chains in series). Every stage carries its own copy of den, since each holds a
// different division. Only the valid bits are reset.
module tfq_divround_pipe #(
    parameter NUM_W = 32,      // signed dividend width
    parameter DEN_W = 30,      // unsigned divisor width; den must be > 0
    parameter Q_W = 6          // quotient magnitude bits = divider stages; |q| < 2^Q_W
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    input  wire signed [NUM_W-1:0] num,
    input  wire [DEN_W-1:0]     den,
    output reg                  out_valid,
    output reg  signed [Q_W:0]  q
);
    localparam MX = (NUM_W > DEN_W) ? NUM_W : DEN_W;
    // num + den/2 and the magnitude ~N + den fit MX + 1 bits unsigned, MX + 2 signed
    localparam E_W = MX + 2;

    // stage 1: N = num + floor(den / 2)
    wire [E_W-1:0] num_e = {{(E_W - NUM_W){num[NUM_W-1]}}, num};
    wire [E_W-1:0] den_e = {{(E_W - DEN_W){1'b0}}, den};
    reg               v1;
    reg [E_W-1:0]     n1;
    reg [DEN_W-1:0]   den1;
    always @(posedge clk) begin
        if (rst) v1 <= 1'b0;
        else v1 <= in_valid;
        n1 <= num_e + (den_e >> 1);
        den1 <= den;
    end

    // stage 2: the magnitude dividend, split into the first partial remainder (the bits above the
    // quotient) and the Q_W bits the stages shift in
    wire           neg1 = n1[E_W-1];
    wire [E_W-1:0] den1_e = {{(E_W - DEN_W){1'b0}}, den1};
    wire [E_W-1:0] dmag = neg1 ? ~n1 + den1_e : n1;
    wire [E_W+Q_W-1:0] dmag_x = {{Q_W{1'b0}}, dmag};
    wire [E_W-1:0] dmag_hi = dmag_x[E_W+Q_W-1:Q_W];
    // zero whenever |q| < 2^Q_W, so never read (Verilator's UNUSED check skips *unused* names)
    wire           unused_dmag_hi = |dmag_hi[E_W-1:DEN_W];

    // the state entering divider stage k (0 .. Q_W - 1): valid, sign, partial remainder, the
    // dividend bits still to shift in followed by the quotient bits so far,
    // and den; index 0 is stage 2's register
    wire             sv   [0:Q_W-1];
    wire             sneg [0:Q_W-1];
    wire [DEN_W-1:0] srem [0:Q_W-1];
    wire [Q_W-1:0]   sqs  [0:Q_W-1];
    wire [DEN_W-1:0] sden [0:Q_W-1];

    reg               v2;
    reg               neg2;
    reg [DEN_W-1:0]   rem2;
    reg [Q_W-1:0]     qs2;
    reg [DEN_W-1:0]   den2;
    always @(posedge clk) begin
        if (rst) v2 <= 1'b0;
        else v2 <= v1;
        neg2 <= neg1;
        rem2 <= dmag_hi[DEN_W-1:0];
        qs2 <= dmag_x[Q_W-1:0];
        den2 <= den1;
    end
    assign sv[0] = v2;
    assign sneg[0] = neg2;
    assign srem[0] = rem2;
    assign sqs[0] = qs2;
    assign sden[0] = den2;

    // stages 3 .. Q_W + 2: shift in the next dividend bit, subtract den when it fits
    genvar k;
    generate
        for (k = 0; k < Q_W; k = k + 1) begin : g_stage
            wire [DEN_W:0]   trial = {srem[k], sqs[k][Q_W-1]};
            wire             ge;       // trial >= den (and trial < 2 den)
            wire [Q_W-1:0]   qs_next;
            if (Q_W == 1) begin : g_q1
                assign qs_next = ge;
            end else begin : g_qn
                assign qs_next = {sqs[k][Q_W-2:0], ge};
            end
            if (k < Q_W - 1) begin : g_mid
                reg             v_r;
                reg             neg_r;
                reg [DEN_W-1:0] rem_r;
                reg [Q_W-1:0]   qs_r;
                reg [DEN_W-1:0] den_r;
                wire [DEN_W:0]  diff = trial - {1'b0, sden[k]};
                assign ge = ~diff[DEN_W];   // no borrow
                always @(posedge clk) begin
                    if (rst) v_r <= 1'b0;
                    else v_r <= sv[k];
                    neg_r <= sneg[k];
                    rem_r <= ge ? diff[DEN_W-1:0] : trial[DEN_W-1:0];
                    qs_r <= qs_next;
                    den_r <= sden[k];
                end
                assign sv[k + 1] = v_r;
                assign sneg[k + 1] = neg_r;
                assign srem[k + 1] = rem_r;
                assign sqs[k + 1] = qs_r;
                assign sden[k + 1] = den_r;
            end else begin : g_last
                // the last bit needs no remainder, only the comparison; the sign is applied here
                assign ge = trial >= {1'b0, sden[k]};
                wire signed [Q_W:0] mag = {1'b0, qs_next};
                always @(posedge clk) begin
                    if (rst) out_valid <= 1'b0;
                    else out_valid <= sv[k];
                    q <= sneg[k] ? -mag : mag;
                end
            end
        end
    endgenerate
endmodule
