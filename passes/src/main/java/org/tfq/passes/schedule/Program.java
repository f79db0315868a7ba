package org.tfq.passes.schedule;

import java.util.List;
import org.tfq.ir.IntType;

/**
 * What the scheduler decided: the instructions, the contents of every ROM, the sizes of every
 * memory, the widths of every datapath register, and the exact cycle count. The Verilog
 * generator renders it and decides nothing.
 *
 * @param weightWords weight ROM, one word per entry, {@code lanes} signed weights per word
 * @param params output-unit constants, one {@code {m1, m2, c, shift}} per entry
 * @param table exponential and elementwise-function tables, concatenated
 */
public record Program(String name, int lanes, List<Instruction> instructions, List<long[]> weightWords,
        List<long[]> params, long[] table, Widths widths, int inputBase, int inputCount, IntType inputType,
        int outputCount, IntType outputType, int actDepth, int bufferDepth, List<Check> checks) {

    /**
     * After instruction {@code pc - 1} is done (the engine fetches {@code pc}), value {@code value}
     * is complete in memory: {@code count} codes from {@code base}, row-major, in the activation
     * memory or, for the forecast, in the output memory. Testbenches compare these with the
     * golden model layer by layer.
     */
    public record Check(int pc, String value, String node, long base, int count, boolean output) {}

    /**
     * Widths, all in bits, chosen from the ranges the integer IR proves: activation storage
     * (signed, one bit more for unsigned codes), weights, accumulators, the B operand, the output
     * unit's constants and operands, the table, the divider and square root, counters and
     * addresses. A flag of 0 means the unit is not built.
     */
    public record Widths(int act, int out, int in, int weight, int acc, int operandB, int m1, int m2, int offset,
            int shift, int postA, int postY, int table, int divNum, int divDen, int divQuotient, int sqrtOperand,
            int softmaxK, int normLength, int normEpsilon, int counter, int address, boolean buffer, boolean tableRom,
            boolean divider, boolean sqrt, int postLatency, int dividerLatency) {}

    /** Start to done: accept start, stream the input in, run every instruction, stream the output out. */
    public long predictedCycles() {
        long c = 1 + inputCount;
        for (Instruction i : instructions) c += i.cycles();
        return c + 2L * outputCount;
    }

    /** Multiply-accumulate cycles of the lanes in MAC instructions, for utilisation figures. */
    public long macInstructionCycles() {
        long c = 0;
        for (Instruction i : instructions) if (i.kind() == Instruction.Kind.MAC) c += i.cycles();
        return c;
    }
}
