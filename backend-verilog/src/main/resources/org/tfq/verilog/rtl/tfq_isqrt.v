// tfq_isqrt: root = floor(sqrt(v)) for 0 <= v < 2^OP_W, bit for bit
// org.tfq.ir.integer.IntMath.isqrt(v, OP_W): the bit-by-bit restoring square root with
// IT = IntMath.isqrtCycles(OP_W) = (OP_W + 1) / 2 iterations, each one subtraction and a compare
// (no multiplier), on the same three registers as the Java loop:
//   trial = res + bit;  if (rem >= trial) { rem -= trial; res = (res >> 1) + bit; }
//   else res >>= 1;  bit >>= 2                        (bit starts at 4^(IT-1), res at 0)
// res stays below 2^IT and res + bit below 2^(2 IT), so every register is 2 IT bits wide.
//
// Handshake and timing: start is accepted when busy is 0 and the first iteration runs on v in
// that same cycle, so start in cycle c gives done (one cycle, with root, which then holds until
// the next result) in cycle c + IT, exactly IntMath.isqrtCycles(OP_W) cycles. A new start is
// accepted in the cycle done is 1.
module tfq_isqrt #(
    parameter OP_W = 42        // radicand width, 1 .. 62 in IntMath
) (
    input  wire            clk,
    input  wire            rst,
    input  wire            start,
    input  wire [OP_W-1:0] v,
    output wire            busy,
    output reg             done,
    output reg  [(OP_W+1)/2-1:0] root
);
    function integer clog2;
        input integer value;
        integer k;
        begin
            clog2 = 0;
            for (k = value - 1; k > 0; k = k >> 1) clog2 = clog2 + 1;
        end
    endfunction

    localparam IT = (OP_W + 1) / 2;
    localparam W2 = 2 * IT;
    localparam CNT_W = clog2(IT + 1);
    localparam IT_M1 = IT - 1;
    localparam [CNT_W-1:0] ITERATIONS_AFTER_FIRST = IT_M1[CNT_W-1:0];
    localparam [W2-1:0] TOP_BIT = {{(W2 - 1){1'b0}}, 1'b1} << (W2 - 2);

    wire [W2-1:0] v_x;
    generate
        if (W2 == OP_W) begin : g_even
            assign v_x = v;
        end else begin : g_odd
            assign v_x = {1'b0, v};
        end
    endgenerate

    reg [CNT_W-1:0] left;       // iterations still to do
    reg [W2-1:0]    rem;
    reg [W2-1:0]    res;
    reg [W2-1:0]    bit_r;
    assign busy = left != {CNT_W{1'b0}};
    wire load = start & ~busy;

    // one iteration, on v itself in the cycle start is accepted
    wire [W2-1:0] cur_rem = load ? v_x : rem;
    wire [W2-1:0] cur_res = load ? {W2{1'b0}} : res;
    wire [W2-1:0] cur_bit = load ? TOP_BIT : bit_r;
    wire [W2-1:0] trial = cur_res + cur_bit;
    wire [W2:0]   diff = {1'b0, cur_rem} - {1'b0, trial};
    wire          ge = ~diff[W2];
    wire [W2-1:0] rem_next = ge ? diff[W2-1:0] : cur_rem;
    wire [W2-1:0] res_next = (cur_res >> 1) + (ge ? cur_bit : {W2{1'b0}});
    wire [W2-1:0] bit_next = cur_bit >> 2;
    wire          last = load ? (IT == 1) : (left == {{(CNT_W - 1){1'b0}}, 1'b1});

    always @(posedge clk) begin
        if (rst) begin
            left <= {CNT_W{1'b0}};
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            if (load | busy) begin
                rem <= rem_next;
                res <= res_next;
                bit_r <= bit_next;
                left <= load ? ITERATIONS_AFTER_FIRST : left - 1'b1;
                if (last) begin
                    done <= 1'b1;
                    root <= res_next[IT-1:0];
                end
            end
        end
    end
endmodule
