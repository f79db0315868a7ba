// tfq_spi_slave: SPI slave for a microcontroller host in front of tfq_top's stream interface.
// SPI mode 0 (CPOL 0, CPHA 0: MOSI and MISO are sampled on the rising SCK edge and change after
// the falling one), MSB first, 8-bit bytes. One transaction = spi_cs_n low, a command byte, then
// data bytes; spi_cs_n high ends it. Codes travel as N bytes each, big-endian (most significant
// byte first), two's complement sign-extended to the byte multiple, as on tfq_top's TDATA:
//
//   byte the host sends  what the host receives at the same time
//   0x00 (nop)           status; nothing else happens (a 1-byte transaction reads status)
//   0x01 (write)         status, then 0x00 per byte; the host sends N_IN input codes of IN_TW/8
//                        bytes each, row-major. After the last byte the window starts the engine
//                        (at once, or when the running inference ends); bytes after it are ignored.
//   0x02 (status)        status, then status again for every further byte (live: poll with one
//                        transaction); the error bits are cleared once the byte after 0x02 carries them
//   0x03 (read)          status, then the N_OUT output codes of the last inference, OUT_TW/8 bytes
//                        each, then 0x00; clears irq
//   other                status, then 0x00; sets the command error bit
//
// Status byte: {4'b1010, err_cmd, err_write, ready, busy} (0xA_ marks a live link: a floating MISO
// reads 0x00 or 0xFF).
//   busy       the engine is running, or a written window waits for it to finish
//   ready      a result is in the output buffer and has not been read (also the irq output); set
//              when the engine finishes, cleared by a 0x03 command
//   err_write  a 0x01 transaction ended (spi_cs_n high) before all N_IN codes: the partial window is
//              discarded and nothing starts
//   err_cmd    an unknown command byte
//
// Host sequence: 0x01 + codes; wait for irq (or poll 0x02 until ready); 0x03 + dummy bytes. A window
// may be written while the engine runs the previous one: it starts when that one ends, and the
// earlier result can be read while the later one is computed (the output buffer changes only when
// the engine sends its output, at the end of an inference). A result not read before the next one
// arrives is replaced by it (irq stays high); a second queued window replaces the first (a 0x01
// command cancels a queued start).
//
// Clocking: SCK, CS and MOSI are asynchronous to clk and each pass a 2-flop synchroniser; the
// slave works on clk edges only. SCK must be slower than clk/4: MOSI is taken up to 2 clk periods
// after the rising SCK edge, so each SCK level must last longer than 2 clk periods; and MISO
// changes 2 to 3 clk periods after the rising SCK edge that ends a bit (plus clock-to-out and pad
// delay), so the SCK period must exceed 3 clk periods plus those delays plus the host's MISO setup
// time. clk/8 (12.5 MHz at 100 MHz) leaves a wide margin. Also: at least 4 clk periods from
// spi_cs_n falling to the first rising SCK edge, and spi_cs_n high for at least 4 clk periods
// between transactions. MISO is driven at all times (a point-to-point link); on a shared bus
// put a tristate buffer enabled by spi_cs_n low in front of it.
//
// Buffers: the input window (N_IN codes) and the output codes (N_OUT) are held here, so the host
// may clock at any speed below the limit and pause between bytes; the engine takes the window
// at one code per clk after start and its output stream is always accepted (m_axis_tready = 1).
module tfq_spi_slave #(
    parameter N_IN = 36,       // input codes per inference (tfq_top takes exactly these many beats)
    parameter N_OUT = 1,       // output codes per inference
    parameter IN_TW = 8,       // tfq_top s_axis_tdata width, a multiple of 8
    parameter OUT_TW = 16      // tfq_top m_axis_tdata width, a multiple of 8
) (
    input  wire              clk,
    input  wire              rst,
    // SPI, asynchronous to clk
    input  wire              spi_sck,
    input  wire              spi_cs_n,
    input  wire              spi_mosi,
    output wire              spi_miso,
    // to the host: a result is ready to read (level; cleared by command 0x03)
    output wire              irq,
    // busy: the engine runs or a window waits for it
    output wire              busy,
    // to tfq_top
    output reg               eng_start,
    input  wire              eng_busy,
    output wire [IN_TW-1:0]  s_axis_tdata,
    output wire              s_axis_tvalid,
    input  wire              s_axis_tready,
    output wire              s_axis_tlast,
    input  wire [OUT_TW-1:0] m_axis_tdata,
    input  wire              m_axis_tvalid,
    output wire              m_axis_tready,
    input  wire              m_axis_tlast,
    input  wire              eng_done
);
    function integer clog2;
        input integer value;
        integer v;
        begin
            clog2 = 0;
            for (v = value - 1; v > 0; v = v >> 1) clog2 = clog2 + 1;
        end
    endfunction

    localparam IN_B = IN_TW / 8;                          // bytes per input code
    localparam OUT_B = OUT_TW / 8;                        // bytes per output code
    localparam IX_W = (N_IN > 1) ? clog2(N_IN) : 1;       // input code index
    localparam OX_W = (N_OUT > 1) ? clog2(N_OUT) : 1;     // output code index
    localparam IB_W = (IN_B > 1) ? clog2(IN_B) : 1;       // byte within an input code
    localparam OB_W = clog2(OUT_B + 1);                   // bytes of an output code sent, 1..OUT_B
    localparam integer IN_LAST_I = N_IN - 1;
    localparam integer OUT_LAST_I = N_OUT - 1;
    localparam integer IN_B_LAST_I = IN_B - 1;
    localparam [IX_W-1:0] IN_LAST = IN_LAST_I[IX_W-1:0];
    localparam [OX_W-1:0] OUT_LAST = OUT_LAST_I[OX_W-1:0];
    localparam [IB_W-1:0] IN_B_LAST = IN_B_LAST_I[IB_W-1:0];
    localparam [OB_W-1:0] OUT_B_ALL = OUT_B[OB_W-1:0];
    localparam integer ONE_I = 1;
    localparam [OB_W-1:0] OB_ONE = ONE_I[OB_W-1:0];

    localparam [7:0] CMD_NOP = 8'h00, CMD_WRITE = 8'h01, CMD_STATUS = 8'h02, CMD_READ = 8'h03;
    localparam [2:0] P_CMD = 3'd0, P_WRITE = 3'd1, P_STATUS = 3'd2, P_READ = 3'd3, P_IGNORE = 3'd4;

    // ------------------------------------------------------------------ synchronisers
    (* ASYNC_REG = "TRUE" *) reg [1:0] sck_sync;
    (* ASYNC_REG = "TRUE" *) reg [1:0] cs_sync;
    (* ASYNC_REG = "TRUE" *) reg [1:0] mosi_sync;
    reg sck_prev, sel_prev;
    always @(posedge clk) begin
        if (rst) begin
            sck_sync <= 2'b00;
            cs_sync <= 2'b11;
            mosi_sync <= 2'b00;
            sck_prev <= 1'b0;
            sel_prev <= 1'b0;
        end else begin
            sck_sync <= {sck_sync[0], spi_sck};
            cs_sync <= {cs_sync[0], spi_cs_n};
            mosi_sync <= {mosi_sync[0], spi_mosi};
            sck_prev <= sck_sync[1];
            sel_prev <= ~cs_sync[1];
        end
    end
    wire sel = ~cs_sync[1];
    wire sel_start = sel & ~sel_prev;
    wire sel_end = ~sel & sel_prev;
    wire sck_rise = sel & sck_sync[1] & ~sck_prev;
    wire mosi = mosi_sync[1];

    // ------------------------------------------------------------------ buffers
    reg [IN_TW-1:0] in_buf [0:(1 << IX_W) - 1];
    reg [OUT_TW-1:0] out_buf [0:(1 << OX_W) - 1];

    // ------------------------------------------------------------------ bytes
    reg [2:0] phase;
    reg [2:0] bit_cnt;
    reg [6:0] rx_sr;
    reg [7:0] tx_sr;
    wire [7:0] rx_byte = {rx_sr, mosi};
    wire byte_end = sck_rise && bit_cnt == 3'd7;
    assign spi_miso = tx_sr[7];

    reg [IN_TW-1:0] code;               // the input code being assembled
    wire [IN_TW+7:0] code_shifted = {code, rx_byte};
    wire [IN_TW-1:0] code_next = code_shifted[IN_TW-1:0];
    wire unused_code_top = |code_shifted[IN_TW+7:IN_TW];   // shifted out (Verilator skips *unused*)
    reg [IB_W-1:0] in_byte;
    reg [IX_W-1:0] in_idx;

    reg [OX_W-1:0] rd_idx;              // output code being sent
    reg [OB_W-1:0] rd_byte;             // its bytes loaded into tx_sr so far
    reg rd_over;                        // past the last output code
    reg [OUT_TW-1:0] rd_sr;             // the rest of the code being sent, top byte next
    wire [OX_W-1:0] rd_next = rd_idx + 1'b1;
    wire [OX_W-1:0] rd_sel = (phase == P_CMD) ? {OX_W{1'b0}} : rd_next;
    wire [OUT_TW-1:0] rd_word = out_buf[rd_sel];

    // ------------------------------------------------------------------ engine side
    reg pending, feeding, ready, err_write, err_cmd;
    reg [IX_W-1:0] feed_idx;
    reg [OX_W-1:0] out_wr;
    assign busy = eng_busy | pending | feeding;
    assign irq = ready;
    wire [7:0] status = {4'b1010, err_cmd, err_write, ready, busy};

    assign s_axis_tvalid = feeding;
    assign s_axis_tdata = in_buf[feed_idx];
    assign s_axis_tlast = feed_idx == IN_LAST;
    assign m_axis_tready = 1'b1;

    always @(posedge clk) begin
        if (byte_end && phase == P_WRITE && in_byte == IN_B_LAST) in_buf[in_idx] <= code_next;
        if (m_axis_tvalid) out_buf[out_wr] <= m_axis_tdata;
    end

    always @(posedge clk) begin
        if (rst) begin
            phase <= P_CMD;
            bit_cnt <= 3'd0;
            rx_sr <= 7'd0;
            tx_sr <= 8'd0;
            code <= {IN_TW{1'b0}};
            in_byte <= {IB_W{1'b0}};
            in_idx <= {IX_W{1'b0}};
            rd_idx <= {OX_W{1'b0}};
            rd_byte <= {OB_W{1'b0}};
            rd_over <= 1'b0;
            rd_sr <= {OUT_TW{1'b0}};
            pending <= 1'b0;
            feeding <= 1'b0;
            ready <= 1'b0;
            err_write <= 1'b0;
            err_cmd <= 1'b0;
            feed_idx <= {IX_W{1'b0}};
            out_wr <= {OX_W{1'b0}};
            eng_start <= 1'b0;
        end else begin
            // --- SPI bytes
            if (!sel) begin
                bit_cnt <= 3'd0;
                phase <= P_CMD;
                if (sel_end && phase == P_WRITE) err_write <= 1'b1;
            end else if (sel_start) begin
                bit_cnt <= 3'd0;
                phase <= P_CMD;
                tx_sr <= status;
            end else if (sck_rise) begin
                bit_cnt <= bit_cnt + 3'd1;
                rx_sr <= rx_byte[6:0];
                if (bit_cnt != 3'd7) begin
                    tx_sr <= {tx_sr[6:0], 1'b0};
                end else begin
                    // a byte ends: act on it and load the byte to send next
                    case (phase)
                        P_CMD: case (rx_byte)
                            CMD_NOP: begin
                                phase <= P_IGNORE;
                                tx_sr <= 8'h00;
                            end
                            CMD_WRITE: begin
                                phase <= P_WRITE;
                                pending <= 1'b0;
                                in_idx <= {IX_W{1'b0}};
                                in_byte <= {IB_W{1'b0}};
                                tx_sr <= 8'h00;
                            end
                            CMD_STATUS: begin
                                phase <= P_STATUS;
                                tx_sr <= status;
                                err_write <= 1'b0;
                                err_cmd <= 1'b0;
                            end
                            CMD_READ: begin
                                phase <= P_READ;
                                ready <= 1'b0;
                                rd_idx <= {OX_W{1'b0}};
                                rd_byte <= OB_ONE;
                                rd_over <= 1'b0;
                                tx_sr <= rd_word[OUT_TW-1 -: 8];
                                rd_sr <= rd_word << 8;
                            end
                            default: begin
                                phase <= P_IGNORE;
                                err_cmd <= 1'b1;
                                tx_sr <= 8'h00;
                            end
                        endcase
                        P_WRITE: begin
                            tx_sr <= 8'h00;
                            code <= code_next;
                            if (in_byte != IN_B_LAST) begin
                                in_byte <= in_byte + 1'b1;
                            end else begin
                                in_byte <= {IB_W{1'b0}};
                                if (in_idx != IN_LAST) begin
                                    in_idx <= in_idx + 1'b1;
                                end else begin
                                    phase <= P_IGNORE;
                                    pending <= 1'b1;
                                end
                            end
                        end
                        P_STATUS: tx_sr <= status;
                        P_READ: begin
                            if (rd_over) begin
                                tx_sr <= 8'h00;
                            end else if (rd_byte != OUT_B_ALL) begin
                                tx_sr <= rd_sr[OUT_TW-1 -: 8];
                                rd_sr <= rd_sr << 8;
                                rd_byte <= rd_byte + 1'b1;
                            end else if (rd_idx == OUT_LAST) begin
                                tx_sr <= 8'h00;
                                rd_over <= 1'b1;
                            end else begin
                                rd_idx <= rd_next;
                                tx_sr <= rd_word[OUT_TW-1 -: 8];
                                rd_sr <= rd_word << 8;
                                rd_byte <= OB_ONE;
                            end
                        end
                        default: tx_sr <= 8'h00;
                    endcase
                end
            end

            // --- engine: start a waiting window, feed it, collect the output
            if (eng_start) begin
                eng_start <= 1'b0;
            end else if (pending && !eng_busy && !feeding) begin
                eng_start <= 1'b1;
                pending <= 1'b0;
                feeding <= 1'b1;
                feed_idx <= {IX_W{1'b0}};
            end
            if (feeding && s_axis_tready) begin
                feed_idx <= feed_idx + 1'b1;
                if (feed_idx == IN_LAST) feeding <= 1'b0;
            end
            if (m_axis_tvalid) out_wr <= m_axis_tlast ? {OX_W{1'b0}} : out_wr + 1'b1;
            if (eng_done) ready <= 1'b1;
        end
    end
endmodule
