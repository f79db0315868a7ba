package org.tfq.passes.schedule;

import org.tfq.ir.integer.IntMath;

/**
 * The widths and depths of the engine for a program: what the Verilog backend declares
 * (EngineGenerator) and what the resource model counts, derived once.
 */
public record EngineWidths(int lanes, int aw, int ow, int ww, int bw, int accW, int m1, int m2, int c, int sh, int prmW, int paW, int pyW,
        int tW, int cw, int addrW, int pcW, long actDepth, int actAw, int outDepth, int wDepth, int wAw, int pDepth, int pAw,
        int tDepth, int bbDepth, int bbAw, int ebDepth, int inCw, int outCw, int dnW, int ddW, int dqW, int sqW, int smkW,
        int lnnW, int lnsW, int lndW, boolean buffer, boolean tableRom, boolean divider, boolean softmax, boolean layernorm,
        boolean sqrt, boolean product) {

    public static EngineWidths of(Program p) {
        Program.Widths w = p.widths();
        int lanes = p.lanes();
        int aw = w.act();
        int bw = Math.max(w.weight(), w.buffer() ? aw + 1 : 1) + 1;
        int pw = aw + 1 + bw;
        int accW = Math.max(w.acc(), pw) + 1;
        int tW = Math.max(w.table(), 2);
        int dq = Math.max(w.divQuotient(), 1);
        int paW = Math.max(Math.max(accW, aw + 1), Math.max(tW, dq + 1)) + 1;
        boolean product = p.instructions().stream().anyMatch(i -> i.kind() == Instruction.Kind.PRODUCT);
        // a product of two centred codes enters the output unit whole
        if (product) paW = Math.max(paW, 2 * (aw + 1) + 1);
        int pyW = Math.max(aw, w.out()) + 1;
        int sqW = Math.max(w.sqrtOperand(), 2);
        int lnnW = w.normLength();
        int lnsW = aw + lnnW;
        int lndW = Math.max(aw + lnnW + 1, (sqW + 1) / 2 + 1);
        int ddW = Math.max(Math.max(w.divDen(), tW + 1), (sqW + 1) / 2 + 1);
        int dnW = Math.max(Math.max(w.divNum(), lndW), Math.max(Math.max(w.m1(), w.offset()), Math.max(ddW, tW + w.softmaxK()))) + 1;
        int ebDepth = 1;
        boolean softmax = false, layernorm = false;
        for (Instruction i : p.instructions()) {
            if (i.kind() == Instruction.Kind.SOFTMAX) {
                softmax = true;
                ebDepth = Math.max(ebDepth, i.kcount());
            }
            if (i.kind() == Instruction.Kind.LAYERNORM) layernorm = true;
        }
        return new EngineWidths(lanes, aw, w.out(), w.weight(), bw, accW, w.m1(), w.m2(), w.offset(), w.shift(),
                w.m1() + w.m2() + w.offset() + w.shift(), paW, pyW, tW, w.counter(), w.address(),
                addressBits(p.instructions().size()), p.actDepth(), addressBits(p.actDepth()), p.outputCount(),
                Math.max(1, p.weightWords().size()), addressBits(p.weightWords().size()), Math.max(1, p.params().size()),
                addressBits(p.params().size()), Math.max(1, p.table().length), p.bufferDepth(), addressBits(p.bufferDepth()),
                ebDepth, addressBits(p.actDepth()), addressBits(p.outputCount()), dnW, ddW, dq,
                sqW, w.softmaxK(), lnnW, lnsW, lndW, w.buffer(), w.tableRom(), w.divider(), softmax, layernorm, w.sqrt(), product);
    }

    /** The address bits the engine's address streams really use: the widest memory they address. */
    public int usedAddressBits() {
        return Math.max(actAw, Math.max(wAw, pAw));
    }

    /** Address bits of a memory of {@code depth} words (at least 1). */
    public static int addressBits(long depth) {
        return Math.max(1, IntMath.unsignedBits(Math.max(1, depth - 1)));
    }
}
