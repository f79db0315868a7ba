package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;

/**
 * An elementwise affine map on codes, y = saturate(Z_out + roundShift((x - Z_in) m + c, shift)),
 * then max(y, Z_out) when {@code relu}; m and c are integer tensors broadcast to the input (one
 * value, one per channel, or one per element). BatchNorm (per channel), a positional encoding
 * (per element), a constant scaling, a requantization between two quantizations and a ReLU
 * that changes scale are all this one op with one shifter.
 */
public record IntAffine(IntType in, IntTensor multiplier, IntTensor offset, int shift, boolean relu, IntType out,
        String kind, int accBits) implements IntOp {

    /**
     * The integer form of y = a x + t in real values (a, t broadcast to the input), with the
     * largest shift that keeps every |m| within {@code multiplierBits} magnitude bits and every
     * |c| below 2^47, so the only error is the final rounding plus 2^-(shift+1) per term.
     */
    public static IntAffine of(String kind, IntType in, FloatTensor a, FloatTensor t, boolean relu, IntType out,
            int multiplierBits) {
        double maxA = 0, maxT = 0;
        for (float v : a.data()) maxA = Math.max(maxA, Math.abs(v * in.scale() / out.scale()));
        for (float v : t.data()) maxT = Math.max(maxT, Math.abs(v / out.scale()));
        long limit = (1L << multiplierBits) - 1;
        for (int s = 48; s >= 0; s--) {
            if (Math.rint(Math.scalb(maxA, s)) > limit || Math.rint(Math.scalb(maxT, s)) >= 0x1p47) continue;
            long[] m = new long[a.data().length];
            long[] c = new long[t.data().length];
            for (int i = 0; i < m.length; i++) m[i] = IntMath.nearest(Math.scalb(a.data()[i] * in.scale() / out.scale(), s));
            for (int i = 0; i < c.length; i++) c[i] = IntMath.nearest(Math.scalb(t.data()[i] / out.scale(), s));
            IntTensor mt = new IntTensor(a.shape(), m), ct = new IntTensor(t.shape(), c);
            return new IntAffine(in, mt, ct, s, relu, out, kind, accumulatorBits(in, mt, ct));
        }
        throw Op.error("int_affine", kind + ": multiplier " + maxA + " or offset " + maxT + " (output codes) too large");
    }

    static int accumulatorBits(IntType in, IntTensor m, IntTensor c) {
        IntRange x = IntAdd.centred(in);
        IntRange p = x.times(new IntRange(Math.min(0, m.min()), Math.max(0, m.max())));
        return p.plus(new IntRange(Math.min(0, c.min()), Math.max(0, c.max()))).signedBits() + 1;
    }

    @Override
    public String mnemonic() {
        return "int_affine";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        Shape x = ins.get(0).shape();
        if (!Broadcast.shape(x, multiplier.shape()).equals(x) || !Broadcast.shape(x, offset.shape()).equals(x)) {
            throw Op.error(mnemonic(), "constants " + multiplier.shape() + ", " + offset.shape() + " do not broadcast to " + x);
        }
        return new TensorType(x, out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("kind", kind);
        a.put("m", multiplier.shape().size() == 1 ? Long.toString(multiplier.data()[0]) : "int" + multiplier.shape());
        a.put("c", offset.shape().size() == 1 ? Long.toString(offset.data()[0]) : "int" + offset.shape());
        a.put("shift", Integer.toString(shift));
        a.put("acc_bits", Integer.toString(accBits));
        if (relu) a.put("relu", "true");
        return a;
    }

    @Override
    public long parameters() {
        return (multiplier.shape().size() > 1 ? multiplier.shape().size() : 0) + (offset.shape().size() > 1 ? offset.shape().size() : 0);
    }

    @Override
    public int datapathBits() {
        return accBits;
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        IntTensor x = ins.get(0);
        int[] mo = Broadcast.offsets(multiplier.shape(), x.shape()), co = Broadcast.offsets(offset.shape(), x.shape());
        long[] y = new long[x.data().length];
        for (int i = 0; i < y.length; i++) {
            long acc = (x.data()[i] - in.zeroPoint()) * multiplier.data()[mo[i]] + offset.data()[co[i]];
            long q = IntMath.saturate(out.zeroPoint() + IntMath.roundShift(IntChecks.fits(acc, accBits - 1, mnemonic()), shift),
                    out.bits(), out.signed());
            y[i] = relu ? Math.max(q, out.zeroPoint()) : q;
        }
        return new IntTensor(x.shape(), y);
    }
}
