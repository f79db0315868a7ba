package org.tfq.passes.schedule;

import java.util.List;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntSoftmax;
import org.tfq.ir.op.IntLayerNormOp;
import org.tfq.ir.op.IntSoftmaxOp;

/**
 * The widths of the engine's registers for a program ({@link Program.Widths}): each is the widest
 * any instruction needs, gathered while the instructions are selected (every {@code at least}
 * call below), and the counter and address widths from the finished program and its ROMs.
 */
final class InferProgramWidths {
    private int actW = 1, accW = 1, weightW = 1, tableW = 1;
    private int divNumW = 0, divDenW = 0, divQW = 0, sqrtW = 0, smKW = 1, lnNW = 1, lnEW = 1;
    private int postAW = 1;
    private boolean buffer, divider, sqrt;

    /** Bits a code of type {@code t} takes in the activation memory (signed; one more for unsigned codes). */
    static int storage(IntType t) {
        return t.bits() + (t.signed() ? 0 : 1);
    }

    /** A value of type {@code t} is stored in the activation memory. */
    void stored(IntType t) {
        actW = Math.max(actW, storage(t));
    }

    int act() {
        return actW;
    }

    void accumulator(int bits) {
        accW = Math.max(accW, bits);
    }

    int accumulator() {
        return accW;
    }

    void weight(int bits) {
        weightW = Math.max(weightW, bits);
    }

    void table(int bits) {
        tableW = Math.max(tableW, bits);
    }

    int table() {
        return tableW;
    }

    /** The output unit's first operand takes {@code bits}. */
    void postInput(int bits) {
        postAW = Math.max(postAW, bits);
    }

    void softmaxMultiplier(int bits) {
        smKW = Math.max(smKW, bits);
    }

    void normLength(int bits) {
        lnNW = Math.max(lnNW, bits);
    }

    void normEpsilon(int bits) {
        lnEW = Math.max(lnEW, bits);
    }

    /** A matmul reads its second operand from the B buffer. */
    void buffer() {
        buffer = true;
    }

    /**
     * The divider and the square root are shared, so their widths (and latency, and the square
     * root's cycles) are the widest any op needs, known before any instruction is selected.
     */
    void divider(Node n) {
        if (n.op() instanceof IntSoftmaxOp op) {
            IntSoftmax sm = op.softmax();
            divider = true;
            divNumW = Math.max(divNumW, sm.dividendBits() + 1);
            divDenW = Math.max(divDenW, sm.divisorBits());
            divQW = Math.max(divQW, sm.quotientBits());
        } else if (n.op() instanceof IntLayerNormOp op) {
            IntLayerNorm ln = op.norm();
            divider = true;
            divNumW = Math.max(divNumW, ln.engineDividendBits());
            divDenW = Math.max(divDenW, ln.sigmaBits());
            divQW = Math.max(divQW, ln.engineQuotientBits());
            sqrt = true;
            sqrtW = Math.max(sqrtW, ln.radicandBits());
        }
    }

    int dividerQuotientBits() {
        return divQW;
    }

    int sqrtOperandBits() {
        return sqrtW;
    }

    /**
     * The widths of {@code program}: the constants' from the parameter entries, the counters' and
     * addresses' from the largest count, stride and memory.
     */
    Program.Widths of(List<Instruction> program, PackRoms roms, int lanes, long activationWords, int bufferDepth,
            IntType input, IntType output, int outputCount, ScheduleProgram.UnitLatencies lat) {
        int outW = storage(output);
        int m1 = 1, m2 = 1, c = 1, sh = 1;
        List<long[]> params = roms.params();
        for (long[] e : params) {
            m1 = Math.max(m1, IntMath.signedBits(Math.min(e[0], 0), Math.max(e[0], 0)));
            m2 = Math.max(m2, IntMath.signedBits(Math.min(e[1], 0), Math.max(e[1], 0)));
            c = Math.max(c, IntMath.signedBits(Math.min(e[2], 0), Math.max(e[2], 0)));
            sh = Math.max(sh, IntMath.unsignedBits(e[3]));
        }
        for (Instruction i : program) sh = Math.max(sh, IntMath.unsignedBits(i.postShift()));
        m1 = Math.max(m1, 2); // the constant 1 of the division results
        int operandB = buffer ? Math.max(weightW, actW + 1) : weightW;
        int yW = Math.max(actW, outW);
        long[] table = roms.table();
        long maxCount = 1, maxAddr = Math.max(activationWords, Math.max(roms.weightWords().size(), Math.max(params.size(), table.length)));
        maxAddr = Math.max(maxAddr, Math.max(bufferDepth, outputCount));
        for (Instruction i : program) {
            for (int n : i.counts()) maxCount = Math.max(maxCount, n);
            maxCount = Math.max(maxCount, (long) i.counts()[3] + i.extra());
            maxCount = Math.max(maxCount, i.tail());
            maxCount = Math.max(maxCount, i.lanesFull());
            maxCount = Math.max(maxCount, Math.max(i.maskStart(), i.maskPeriod()));
            for (Stream s : List.of(i.a(), i.b(), i.w(), i.p(), i.o())) {
                maxAddr = Math.max(maxAddr, Math.abs(s.base()));
                for (long st : s.strides()) maxAddr = Math.max(maxAddr, Math.abs(st) * lanes);
            }
        }
        int counter = IntMath.unsignedBits(maxCount) + 1;
        int address = IntMath.unsignedBits(maxAddr) + 2;
        int dq = divider ? divQW : 0;
        return new Program.Widths(actW, outW, storage(input), weightW, accW, operandB, m1, m2, c, sh,
                Math.max(postAW, Math.max(accW, actW + 1)), yW, tableW, divider ? divNumW : 0, divider ? divDenW : 0, dq,
                sqrtW, smKW, lnNW, lnEW, counter, address, buffer, table.length > 0, divider, sqrt, lat.post(),
                divider ? lat.divider(dq) : 0);
    }
}
