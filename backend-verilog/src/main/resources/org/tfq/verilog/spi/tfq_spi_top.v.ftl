// tfq_spi_top: tfq_top behind an SPI slave (tfq_spi_slave) for a microcontroller host, generated
// by tfq<#if version?has_content> ${version}</#if>. Per inference: ${nIn} input code<#if nIn != 1>s</#if> of ${inBytes} byte<#if inBytes != 1>s</#if> in, ${nOut} output code<#if nOut != 1>s</#if> of ${outBytes} byte<#if outBytes != 1>s</#if> out.
// SPI mode 0, MSB first, codes big-endian two's complement; SCK slower than clk/4. Commands:
//   0x00 nop (returns the status only)
//   0x01 write the ${nIn} input codes; the engine starts after the last byte
//   0x02 status (sent again for every further byte)
//   0x03 read the ${nOut} output code<#if nOut != 1>s</#if>; clears irq
// The first byte of every transaction returns the status {4'b1010, err_cmd, err_write, ready, busy};
// irq (= ready) rises when a result is ready. tfq_spi_slave.v documents the protocol and its
// timing, and so does the output folder's README.md.
module tfq_spi_top #(
    parameter MEM_DIR = "rtl/"
) (
    input  wire clk,
    input  wire rst,
    input  wire spi_sck,
    input  wire spi_cs_n,
    input  wire spi_mosi,
    output wire spi_miso,
    output wire irq,
    output wire busy,
    output wire done
);
    localparam N_IN = ${nIn};
    localparam N_OUT = ${nOut};
    localparam IN_TW = ${inTw};
    localparam OUT_TW = ${outTw};

    wire start, eng_busy;
    wire [IN_TW-1:0] s_tdata;
    wire s_tvalid, s_tready, s_tlast;
    wire [OUT_TW-1:0] m_tdata;
    wire m_tvalid, m_tready, m_tlast;

    tfq_spi_slave #(.N_IN(N_IN), .N_OUT(N_OUT), .IN_TW(IN_TW), .OUT_TW(OUT_TW)) spi (
        .clk(clk), .rst(rst),
        .spi_sck(spi_sck), .spi_cs_n(spi_cs_n), .spi_mosi(spi_mosi), .spi_miso(spi_miso),
        .irq(irq), .busy(busy),
        .eng_start(start), .eng_busy(eng_busy), .eng_done(done),
        .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
        .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));

    tfq_top #(.MEM_DIR(MEM_DIR)) engine (
        .clk(clk), .rst(rst), .start(start), .busy(eng_busy), .done(done),
        .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
        .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));
endmodule
