/**
 * A Java model of the engine that runs a scheduled {@link org.tfq.passes.schedule.Program} as the
 * generated RTL does, bit for bit and cycle for cycle per instruction, so that the scheduler can
 * be tested against the integer interpreter without a Verilog simulator.
 */
package org.tfq.passes.emulate;
