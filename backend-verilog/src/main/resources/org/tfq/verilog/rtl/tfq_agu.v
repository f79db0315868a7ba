// tfq_agu: one address stream of the engine, base + i0 s0 + i1 s1 + i2 s2 + i3 s3 over the
// engine's four loop counters, kept incrementally (no multipliers): the start address of the
// current iteration of each outer level is remembered, so a step at level l restarts every
// inner level from the new start of level l. Addresses and strides wrap modulo 2^W, so a
// negative stride is its two's complement.
//
// load (at fetch) sets every level to base; step advances at level `level` (3: innermost).
module tfq_agu #(
    parameter W = 16
) (
    input  wire         clk,
    input  wire         load,
    input  wire         step,
    input  wire [1:0]   level,
    input  wire [W-1:0] base,
    input  wire [W-1:0] s0,
    input  wire [W-1:0] s1,
    input  wire [W-1:0] s2,
    input  wire [W-1:0] s3,
    output wire [W-1:0] addr
);
    reg [W-1:0] st0, st1, st2, cur;
    assign addr = cur;
    wire [W-1:0] next0 = st0 + s0;
    wire [W-1:0] next1 = st1 + s1;
    wire [W-1:0] next2 = st2 + s2;

    always @(posedge clk) begin
        if (load) begin
            st0 <= base;
            st1 <= base;
            st2 <= base;
            cur <= base;
        end else if (step) begin
            case (level)
                2'd3: cur <= cur + s3;
                2'd2: begin
                    st2 <= next2;
                    cur <= next2;
                end
                2'd1: begin
                    st1 <= next1;
                    st2 <= next1;
                    cur <= next1;
                end
                default: begin
                    st0 <= next0;
                    st1 <= next0;
                    st2 <= next0;
                    cur <= next0;
                end
            endcase
        end
    end
endmodule
