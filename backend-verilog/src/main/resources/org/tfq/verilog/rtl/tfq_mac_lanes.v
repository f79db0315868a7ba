// tfq_mac_lanes: P independent multiply-accumulate lanes, the datapath a scheduler drives for
// IntLinear / IntMatMul: acc_o = bias_o + sum_i x_i w_oi (codes times codes, exact).
// Per lane k, with terms a_k, b_k presented in cycle c:
//   clr & en:   acc_k = bias_k + a_k b_k      (first term of a new dot product)
//   clr & !en:  acc_k = bias_k
//   !clr & en:  acc_k = acc_k + a_k b_k
//   neither:    acc_k holds
// and the new acc_k is visible from cycle c + LATENCY, LATENCY = 2 (product register, then the
// accumulator: the M and P registers of a DSP48E1 for operands up to 25 x 18 bits), with
// out_valid = 1 in that cycle. A dot product of K terms presented in cycles c .. c + K - 1 is in
// acc from cycle c + K + 1. The accumulator wraps modulo 2^ACC_W; the compiler sizes ACC_W from
// its exact range analysis (IntLinear.accBits), so it never does.
module tfq_mac_lanes #(
    parameter P = 4,           // lanes
    parameter A_W = 8,         // operand a width (activations)
    parameter A_SIGNED = 1,    // 1: a is two's complement, 0: unsigned codes
    parameter B_W = 8,         // operand b width (weights)
    parameter B_SIGNED = 1,    // 1: b is two's complement, 0: unsigned
    parameter ACC_W = 32       // accumulator width, at least the product width
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 en,
    input  wire                 clr,
    input  wire [P*A_W-1:0]     a,       // lane k in bits [k*A_W +: A_W]
    input  wire [P*B_W-1:0]     b,
    input  wire [P*ACC_W-1:0]   bias,    // read with clr
    output reg                  out_valid,
    output wire [P*ACC_W-1:0]   acc
);
    // operands as signed numbers: unsigned ones get a zero bit on top
    localparam AX_W = A_W + ((A_SIGNED != 0) ? 0 : 1);
    localparam BX_W = B_W + ((B_SIGNED != 0) ? 0 : 1);
    localparam PR_W = AX_W + BX_W;

    reg en1, clr1;
    always @(posedge clk) begin
        if (rst) begin
            en1 <= 1'b0;
            clr1 <= 1'b0;
            out_valid <= 1'b0;
        end else begin
            en1 <= en;
            clr1 <= clr;
            out_valid <= en1 | clr1;
        end
    end

    genvar k;
    generate
        for (k = 0; k < P; k = k + 1) begin : g_lane
            wire signed [AX_W-1:0] a_x;
            wire signed [BX_W-1:0] b_x;
            if (A_SIGNED != 0) begin : g_as
                assign a_x = a[k*A_W +: A_W];
            end else begin : g_au
                assign a_x = {1'b0, a[k*A_W +: A_W]};
            end
            if (B_SIGNED != 0) begin : g_bs
                assign b_x = b[k*B_W +: B_W];
            end else begin : g_bu
                assign b_x = {1'b0, b[k*B_W +: B_W]};
            end

            reg signed [PR_W-1:0] prod1;
            reg [ACC_W-1:0] bias1;
            reg [ACC_W-1:0] acc_r;
            wire [ACC_W-1:0] prod_x;
            if (ACC_W > PR_W) begin : g_ext
                assign prod_x = {{(ACC_W - PR_W){prod1[PR_W-1]}}, prod1};
            end else begin : g_same
                assign prod_x = prod1;
            end

            always @(posedge clk) begin
                prod1 <= a_x * b_x;
                bias1 <= bias[k*ACC_W +: ACC_W];
                if (en1 | clr1) acc_r <= (clr1 ? bias1 : acc_r) + (en1 ? prod_x : {ACC_W{1'b0}});
            end
            assign acc[k*ACC_W +: ACC_W] = acc_r;
        end
    endgenerate
endmodule
