/**
 * Verilog generation and simulation: the datapath units, the templates, the simulator drivers.
 *
 * <p><b>Units</b> ({@link org.tfq.verilog.RtlModule}, plain Verilog-2001 resources under
 * {@code org/tfq/verilog/rtl/}) are bit-exact implementations of the golden integer functions of
 * {@code org.tfq.ir}; their Java records choose the parameters and know the timing:
 * <table>
 *   <caption>units</caption>
 *   <tr><th>module</th><th>golden function</th><th>timing</th></tr>
 *   <tr><td>{@code tfq_post}</td><td>{@code clamp(z + roundShift(a m1 + b m2 + c, sh), lo, hi)}:
 *       requantization, elementwise affine, ReLU</td>
 *       <td>pipelined, {@link org.tfq.verilog.PostUnit#LATENCY} = 6</td></tr>
 *   <tr><td>{@code tfq_divround_pipe}</td><td>{@code IntMath.divRound}</td>
 *       <td>pipelined, {@link org.tfq.verilog.DivRoundPipeUnit#latency()} = {@code Q_W + 2}</td></tr>
 *   <tr><td>{@code tfq_isqrt}</td><td>{@code IntMath.isqrt(v, OP_W)}</td>
 *       <td>start/busy/done, {@code isqrtCycles(OP_W)}</td></tr>
 *   <tr><td>{@code tfq_agu}</td><td>one address stream of the engine</td><td>one address per cycle</td></tr>
 *   <tr><td>{@code tfq_spi_slave}</td><td>the SPI interface of {@code --interface spi}</td>
 *       <td>byte protocol</td></tr>
 * </table>
 * All use one clock and a synchronous active-high reset of their control state, and pass
 * {@code verilator --lint-only -Wall} ({@link org.tfq.verilog.Lint}) for every parameter set
 * tested.
 *
 * <p><b>Templates</b> ({@link org.tfq.verilog.Templates}): Verilog that depends on the model is
 * FreeMarker; Java builds only the model (maps, lists, numbers), never Verilog text.
 *
 * <p><b>Simulation</b> ({@link org.tfq.verilog.Simulator}: {@link org.tfq.verilog.Verilator},
 * {@link org.tfq.verilog.Icarus}): a self-checking testbench reads its vectors from a file
 * ({@link org.tfq.verilog.VectorFile}) and ends with {@code vectors N mismatches M}
 * ({@link org.tfq.verilog.SimResult}).
 */
package org.tfq.verilog;
