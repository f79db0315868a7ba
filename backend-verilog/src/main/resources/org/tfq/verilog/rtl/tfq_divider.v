// tfq_divider: rounding division q = floor((num + floor(den/2)) / den) for den > 0, bit for bit
// org.tfq.ir.integer.IntMath.divRound (the quotient rounded half up, also for negative num),
// by a sequential radix-2 restoring divider (IntMath.restoringDivide) on the magnitude:
//   N = num + floor(den / 2)
//   N >= 0:  q =  floor(N / den)
//   N <  0:  q = -floor((-N + den - 1) / den) = -floor((~N + den) / den)
// The divider produces Q_W quotient bits, one per cycle from the most significant. The result is
// exact when the magnitude quotient fits Q_W bits, i.e. |q| < 2^Q_W; otherwise overflow is 1
// with done and q is meaningless (the compiler sizes Q_W from its range analysis, the flag is for
// simulation checks and costs one comparator that synthesis drops when it is not connected).
//
// Handshake and timing: start is accepted when busy is 0 (num and den are sampled then); busy is
// 1 until the result is ready; done is 1 for exactly one cycle with q and overflow, which then
// hold until the next result. start in cycle c gives done in cycle c + Q_W + 2, that is
// IntMath.divideCycles(Q_W) + 2: one cycle adds den/2 (and registers the operands), one forms
// the magnitude and checks the range, then Q_W iterations. A new start is accepted in the cycle
// done is 1, so back-to-back divisions take Q_W + 2 cycles each. Each cycle holds at most two
// carry chains in series (the magnitude adder and the range comparator in the second one).
module tfq_divider #(
    parameter NUM_W = 32,      // dividend width
    parameter NUM_SIGNED = 1,  // 1: num is two's complement, 0: unsigned
    parameter DEN_W = 16,      // unsigned divisor width; den must be > 0
    parameter Q_W = 16         // quotient magnitude bits = divider iterations
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               start,
    input  wire [NUM_W-1:0]   num,
    input  wire [DEN_W-1:0]   den,
    output wire               busy,
    output reg                done,
    output reg  signed [Q_W:0] q,
    output reg                overflow
);
    function integer clog2;
        input integer value;
        integer v;
        begin
            clog2 = 0;
            for (v = value - 1; v > 0; v = v >> 1) clog2 = clog2 + 1;
        end
    endfunction

    localparam MX = (NUM_W > DEN_W) ? NUM_W : DEN_W;
    // num + den/2 and the magnitude ~N + den fit MX + 1 bits unsigned, MX + 2 signed
    localparam E_W = MX + 2;
    localparam CNT_W = clog2(Q_W + 1);
    localparam [CNT_W-1:0] ITERATIONS = Q_W[CNT_W-1:0];

    // --- cycle 1: N = num + floor(den / 2)
    wire [E_W-1:0] num_e = (NUM_SIGNED != 0) ? {{(E_W - NUM_W){num[NUM_W-1]}}, num} : {{(E_W - NUM_W){1'b0}}, num};
    wire [E_W-1:0] den_e = {{(E_W - DEN_W){1'b0}}, den};
    wire [E_W-1:0] half_e = den_e >> 1;

    reg             prep;       // cycle 2 comes next
    reg [CNT_W-1:0] left;       // iterations still to do
    reg [E_W-1:0]   n_r;
    reg [DEN_W-1:0] den_r;
    assign busy = prep | (left != {CNT_W{1'b0}});
    wire accept = start & ~busy;

    // --- cycle 2: magnitude dividend, split into the first partial remainder (the bits above the
    // quotient, < den when the quotient fits) and the bits the iterations shift in
    wire           neg = n_r[E_W-1];
    wire [E_W-1:0] den_re = {{(E_W - DEN_W){1'b0}}, den_r};
    wire [E_W-1:0] dmag = neg ? ~n_r + den_re : n_r;
    wire [E_W+Q_W-1:0] dmag_x = {{Q_W{1'b0}}, dmag};
    wire [E_W-1:0] dmag_hi = dmag_x[E_W+Q_W-1:Q_W];
    wire [Q_W-1:0] dmag_lo = dmag_x[Q_W-1:0];

    // --- iterations: shift in the next dividend bit, subtract den when it fits
    reg [DEN_W-1:0] rem;
    reg [Q_W-1:0]   qs;         // dividend bits not yet used, then quotient bits as they come
    reg             neg_r;
    reg             ovf_r;
    wire [DEN_W:0]  trial = {rem, qs[Q_W-1]};
    wire [DEN_W:0]  diff = trial - {1'b0, den_r};
    wire            ge = ~diff[DEN_W];   // no borrow: trial >= den (trial < 2 den)
    wire [DEN_W-1:0] rem_next = ge ? diff[DEN_W-1:0] : trial[DEN_W-1:0];
    wire [Q_W-1:0]  qs_next;
    generate
        if (Q_W == 1) begin : g_q1
            assign qs_next = ge;
        end else begin : g_qn
            assign qs_next = {qs[Q_W-2:0], ge};
        end
    endgenerate
    wire signed [Q_W:0] mag_next = {1'b0, qs_next};

    always @(posedge clk) begin
        if (rst) begin
            prep <= 1'b0;
            left <= {CNT_W{1'b0}};
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            if (accept) begin
                n_r <= num_e + half_e;
                den_r <= den;
                prep <= 1'b1;
            end else if (prep) begin
                prep <= 1'b0;
                left <= ITERATIONS;
                neg_r <= neg;
                ovf_r <= dmag_hi >= den_re;
                rem <= dmag_hi[DEN_W-1:0];
                qs <= dmag_lo;
            end else if (left != {CNT_W{1'b0}}) begin
                left <= left - 1'b1;
                rem <= rem_next;
                qs <= qs_next;
                if (left == {{(CNT_W - 1){1'b0}}, 1'b1}) begin
                    done <= 1'b1;
                    q <= neg_r ? -mag_next : mag_next;
                    overflow <= ovf_r;
                end
            end
        end
    end
endmodule
