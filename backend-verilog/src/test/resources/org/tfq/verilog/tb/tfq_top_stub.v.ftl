// tfq_top stand-in for the SPI wrapper tests: tfq_top's ports and protocol (start while idle,
// exactly N_IN input beats, then N_OUT output beats with m_axis_tlast on the last and done with
// it), computing out[k] = (in[k mod N_IN] * (k + 1) + 7) mod 2^OUT_TW on the unsigned codes after
// DELAY cycles. A wrong s_axis_tlast ends the simulation without a summary line.
/* verilator lint_off WIDTH */
module tfq_top #(
    parameter MEM_DIR = "rtl/"
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,
    output wire              busy,
    output reg               done,
    input  wire [IN_TW-1:0]  s_axis_tdata,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    input  wire              s_axis_tlast,
    output wire [OUT_TW-1:0] m_axis_tdata,
    output wire              m_axis_tvalid,
    input  wire              m_axis_tready,
    output wire              m_axis_tlast
);
    localparam N_IN = ${nIn};
    localparam N_OUT = ${nOut};
    localparam IN_TW = ${inTw};
    localparam OUT_TW = ${outTw};
    localparam DELAY = ${delay};

    reg [IN_TW-1:0] mem [0:N_IN-1];
    reg [1:0] state;
    integer cnt;
    reg [127:0] t;
    assign busy = state != 2'd0;
    assign s_axis_tready = state == 2'd1;
    assign m_axis_tvalid = state == 2'd3;
    assign m_axis_tlast = state == 2'd3 && cnt == N_OUT - 1;
    always @(*) begin
        t = mem[cnt % N_IN];
        t = t * (cnt + 1) + 7;
    end
    assign m_axis_tdata = t[OUT_TW-1:0];

    always @(posedge clk) begin
        done <= 1'b0;
        if (rst) begin
            state <= 2'd0;
            cnt <= 0;
        end else begin
            case (state)
                2'd0: if (start) begin
                    state <= 2'd1;
                    cnt <= 0;
                end
                2'd1: if (s_axis_tvalid) begin
                    if (s_axis_tlast != (cnt == N_IN - 1)) begin
                        $display("MISMATCH stub: s_axis_tlast %0d at input beat %0d", s_axis_tlast, cnt);
                        $finish;
                    end
                    mem[cnt] <= s_axis_tdata;
                    if (cnt == N_IN - 1) begin
                        state <= 2'd2;
                        cnt <= 0;
                    end else begin
                        cnt <= cnt + 1;
                    end
                end
                2'd2: if (cnt == DELAY) begin
                    state <= 2'd3;
                    cnt <= 0;
                end else begin
                    cnt <= cnt + 1;
                end
                default: if (m_axis_tready) begin
                    if (cnt == N_OUT - 1) begin
                        state <= 2'd0;
                        done <= 1'b1;
                        cnt <= 0;
                    end else begin
                        cnt <= cnt + 1;
                    end
                end
            endcase
        end
    end
endmodule
