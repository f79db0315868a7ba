package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;

/**
 * Sum of two activations of different scales (residual connections):
 * y = saturate(Z_out + roundShift((a - Z_a) m_a + (b - Z_b) m_b, shift)), with
 * m = round(S / S_out 2^shift) for each input and one shift, so both rescalings share a rounding.
 */
public record IntAdd(IntType a, IntType b, long multiplierA, long multiplierB, int shift, IntType out, int accBits)
        implements IntOp {

    /** The largest shift that keeps both multipliers within {@code multiplierBits} magnitude bits. */
    public static IntAdd of(IntType a, IntType b, IntType out, int multiplierBits) {
        double ra = a.scale() / out.scale(), rb = b.scale() / out.scale();
        long limit = (1L << multiplierBits) - 1;
        for (int s = 48; s >= 0; s--) {
            long ma = IntMath.nearest(Math.scalb(ra, s)), mb = IntMath.nearest(Math.scalb(rb, s));
            if (ma > limit || mb > limit) continue;
            IntRange acc = centred(a).times(IntRange.point(ma)).plus(centred(b).times(IntRange.point(mb)));
            return new IntAdd(a, b, ma, mb, s, out, acc.signedBits() + 1);
        }
        throw Op.error("int_add", "input scales " + a.scale() + ", " + b.scale() + " too large for output scale " + out.scale());
    }

    static IntRange centred(IntType t) {
        return IntRange.of(t.bits(), t.signed()).minus(IntRange.point(t.zeroPoint()));
    }

    @Override
    public String mnemonic() {
        return "int_add";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        IntChecks.expect(mnemonic(), in.get(0), a);
        IntChecks.expect(mnemonic(), in.get(1), b);
        return new TensorType(Broadcast.shape(in.get(0).shape(), in.get(1).shape()), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("m_a", Long.toString(multiplierA));
        m.put("m_b", Long.toString(multiplierB));
        m.put("shift", Integer.toString(shift));
        m.put("acc_bits", Integer.toString(accBits));
        return m;
    }

    @Override
    public int datapathBits() {
        return accBits;
    }

    @Override
    public IntTensor applyInt(List<IntTensor> in) {
        IntTensor x = in.get(0), y = in.get(1);
        Shape s = Broadcast.shape(x.shape(), y.shape());
        int[] xo = Broadcast.offsets(x.shape(), s), yo = Broadcast.offsets(y.shape(), s);
        long[] r = new long[xo.length];
        for (int i = 0; i < r.length; i++) {
            long acc = (x.data()[xo[i]] - a.zeroPoint()) * multiplierA + (y.data()[yo[i]] - b.zeroPoint()) * multiplierB;
            r[i] = IntMath.saturate(out.zeroPoint() + IntMath.roundShift(IntChecks.fits(acc, accBits - 1, mnemonic()), shift),
                    out.bits(), out.signed());
        }
        return new IntTensor(s, r);
    }
}
