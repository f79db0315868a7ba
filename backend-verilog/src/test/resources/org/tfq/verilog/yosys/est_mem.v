// Yosys estimate fixture: one of each kind of memory, and a counter.
//   rom:   1024 x 36 bits, synchronous read, contents from rtl/est_rom.mem (relative to Yosys'
//          working folder): exactly one 36 Kb block RAM, its output register inside it.
//   lram:  64 x 8 bits, one write port, one asynchronous read port: distributed RAM (64 bits a
//          LUT, so at least 8 LUTs).
//   sr:    8 bits delayed 16 cycles, no reset: one 16-deep shift register LUT per bit.
//   count: a 16-bit counter with synchronous reset: 16 flip-flops, a carry chain of 4 CARRY4.
module est_mem (
    input  wire        clk,
    input  wire        rst,
    input  wire [9:0]  rom_addr,
    output reg  [35:0] rom_q,
    input  wire        we,
    input  wire [5:0]  waddr,
    input  wire [5:0]  raddr,
    input  wire [7:0]  wdata,
    output wire [7:0]  rdata,
    input  wire [7:0]  sr_in,
    output wire [7:0]  sr_out,
    output reg  [15:0] count
);
    reg [35:0] rom [0:1023];
    initial $readmemh("rtl/est_rom.mem", rom);
    always @(posedge clk) rom_q <= rom[rom_addr];

    reg [7:0] lram [0:63];
    always @(posedge clk) if (we) lram[waddr] <= wdata;
    assign rdata = lram[raddr];

    reg [127:0] sr;
    always @(posedge clk) sr <= {sr[119:0], sr_in};
    assign sr_out = sr[127:120];

    always @(posedge clk) begin
        if (rst) count <= 16'd0;
        else count <= count + 16'd1;
    end
endmodule
