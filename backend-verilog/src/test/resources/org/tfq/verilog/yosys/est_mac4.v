// Yosys estimate fixture: tfq_mac_lanes with 4 lanes of 8 x 8 bit signed operands and 32-bit
// accumulators. Expected of synth_xilinx: one DSP48E1 per lane (its M register may hold the
// product), each accumulator a 32-bit adder on a carry chain of 8 CARRY4, and in fabric the 4 x 32
// accumulator bits, the 4 x 32 registered bias bits and 3 control bits.
module est_mac4 (
    input  wire         clk,
    input  wire         rst,
    input  wire         en,
    input  wire         clr,
    input  wire [31:0]  a,
    input  wire [31:0]  b,
    input  wire [127:0] bias,
    output wire         out_valid,
    output wire [127:0] acc
);
    tfq_mac_lanes #(
        .P(4), .A_W(8), .A_SIGNED(1), .B_W(8), .B_SIGNED(1), .ACC_W(32)
    ) u_mac (
        .clk(clk), .rst(rst), .en(en), .clr(clr), .a(a), .b(b), .bias(bias),
        .out_valid(out_valid), .acc(acc)
    );
endmodule
