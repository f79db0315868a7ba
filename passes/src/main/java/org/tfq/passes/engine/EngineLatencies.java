package org.tfq.passes.engine;

import org.tfq.ir.integer.IntMath;
import org.tfq.passes.schedule.ScheduleProgram;

/**
 * The pipeline depths of the engine's units, which the program's cycle counts depend on: the
 * output unit (tfq_post.v: two products and two adds in DSP48E1s, shift, add z, clamp) and the
 * rounding divider (tfq_divround_pipe.v: one stage per quotient bit, plus operand and result
 * registers). The Verilog units are simulated against these numbers in backend-verilog's tests.
 */
public final class EngineLatencies {
    private EngineLatencies() {}

    /** Cycles from in_valid to out_valid of the output unit. */
    public static final int POST = 6;

    /** Cycles from in_valid to out_valid of the divider with {@code quotientBits} quotient bits. */
    public static int divider(int quotientBits) {
        return IntMath.divideCycles(quotientBits) + 2;
    }

    /** The engine the templates build, for the scheduler. */
    public static final ScheduleProgram.UnitLatencies RTL = new ScheduleProgram.UnitLatencies() {
        @Override
        public int post() {
            return POST;
        }

        @Override
        public int divider(int quotientBits) {
            return EngineLatencies.divider(quotientBits);
        }
    };
}
