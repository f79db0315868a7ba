package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;

/**
 * Weighted sum of two activations of different scales, with an offset:
 * <pre>
 *   acc = (a - Z_a) m_a + (b - Z_b) m_b + c
 *   y   = saturate(Z_out + roundShift(acc, shift))       then max(y, Z_out) if relu
 * </pre>
 * {@link IntMath#roundShift} rounds half up; saturation is to {@code out}'s width. The output has
 * the broadcast shape of {@code a} and {@code b}; {@code multiplierA} (m_a), {@code multiplierB}
 * (m_b) and {@code offset} (c) are integer tensors that broadcast to it without enlarging it,
 * with the convention of {@link IntAffine}: one value ({@code [1]}), one per channel along one axis
 * ({@code [1,1,C]} for an output {@code [1,n,C]}), or one per element. All three share the one
 * {@code shift}, so both rescalings and the offset cost one rounding.
 *
 * <p>A residual add is the scalar case, m = round(S_in / S_out 2^shift) and c = 0. A residual
 * add followed by a BatchNorm y = gamma' x + beta' (per channel) is the per-channel case,
 * m_a = round(gamma' S_a / S_out 2^shift), m_b likewise, c = round(beta' / S_out 2^shift): one
 * pass over the data and one rounding instead of two.
 *
 * <p>{@code accBits} is the two's complement width of {@code acc} from the exact worst case over
 * every input code and every element of the constants, plus one bit for the rounding adder; the
 * interpreter throws if {@code acc} ever leaves it.
 *
 * @param a type of the first input
 * @param b type of the second input
 * @param multiplierA m_a, broadcastable to the output
 * @param multiplierB m_b, broadcastable to the output
 * @param offset c, broadcastable to the output (in units of 2^-shift output codes)
 * @param shift the shared right shift, 0..{@link IntMath#MAX_SHIFT}
 * @param relu whether the result is clamped below at Z_out
 * @param out type of the output
 * @param accBits width of the accumulator acc, including the rounding adder's bit
 */
public record IntAdd(IntType a, IntType b, IntTensor multiplierA, IntTensor multiplierB, IntTensor offset, int shift,
        boolean relu, IntType out, int accBits) implements IntOp {

    public IntAdd {
        if (shift < 0 || shift > IntMath.MAX_SHIFT) throw Op.error("int_add", "shift " + shift + " not in 0.." + IntMath.MAX_SHIFT);
        Shape k = constantShape(multiplierA, multiplierB, offset);
        int needed = accumulatorBits(a, b, multiplierA, multiplierB, offset);
        if (accBits < needed || accBits > 64) {
            throw Op.error("int_add", "acc_bits " + accBits + " cannot hold the accumulator (needs " + needed + ") over constants " + k);
        }
    }

    /** Sum of two activations, y = x_a + x_b in real values (a residual connection). */
    public static IntAdd of(IntType a, IntType b, IntType out, int multiplierBits) {
        FloatTensor one = FloatTensor.scalar(1);
        return of(a, b, one, one, FloatTensor.scalar(0), false, out, multiplierBits);
    }

    /**
     * The integer form of y = k_a x_a + k_b x_b + t in real values (k_a, k_b, t broadcast to the
     * output), with the largest shift that keeps every |m| within {@code multiplierBits} magnitude
     * bits and every |c| below 2^47 (the choice {@link IntAffine#of} makes), so the only errors are
     * the final rounding and 2^-(shift+1) per constant.
     */
    public static IntAdd of(IntType a, IntType b, FloatTensor gainA, FloatTensor gainB, FloatTensor bias, boolean relu,
            IntType out, int multiplierBits) {
        DoubleUnaryOperator ra = v -> v * a.scale() / out.scale(), rb = v -> v * b.scale() / out.scale();
        DoubleUnaryOperator rc = v -> v / out.scale();
        double maxM = Math.max(IntAffine.maxAbs(gainA, ra), IntAffine.maxAbs(gainB, rb));
        int s = IntAffine.largestShift(maxM, IntAffine.maxAbs(bias, rc), multiplierBits);
        if (s < 0) {
            throw Op.error("int_add", "multiplier " + maxM + " or offset " + IntAffine.maxAbs(bias, rc) + " (output codes) too large: input scales "
                    + a.scale() + ", " + b.scale() + ", output scale " + out.scale());
        }
        IntTensor ma = IntAffine.fixedPoint(gainA, ra, s), mb = IntAffine.fixedPoint(gainB, rb, s);
        IntTensor c = IntAffine.fixedPoint(bias, rc, s);
        return new IntAdd(a, b, ma, mb, c, s, relu, out, accumulatorBits(a, b, ma, mb, c));
    }

    /**
     * Exact worst case of (a - Z_a) m_a + (b - Z_b) m_b + c over every input code, taken element
     * by element of the broadcast constants, as a two's complement width plus one bit for the
     * rounding adder.
     */
    public static int accumulatorBits(IntType a, IntType b, IntTensor ma, IntTensor mb, IntTensor c) {
        Shape k = constantShape(ma, mb, c);
        int[] ao = Broadcast.offsets(ma.shape(), k), bo = Broadcast.offsets(mb.shape(), k), co = Broadcast.offsets(c.shape(), k);
        IntRange xa = centred(a), xb = centred(b), all = null;
        for (int i = 0; i < ao.length; i++) {
            IntRange r = xa.times(IntRange.point(ma.data()[ao[i]])).plus(xb.times(IntRange.point(mb.data()[bo[i]])))
                    .plus(IntRange.point(c.data()[co[i]]));
            all = all == null ? r : new IntRange(Math.min(all.min(), r.min()), Math.max(all.max(), r.max()));
        }
        return all.signedBits() + 1;
    }

    private static Shape constantShape(IntTensor ma, IntTensor mb, IntTensor c) {
        return Broadcast.shape(Broadcast.shape(ma.shape(), mb.shape()), c.shape());
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
        IntChecks.expect(mnemonic(), in, a, b);
        Shape s = Broadcast.shape(in.get(0).shape(), in.get(1).shape());
        IntAffine.checkBroadcast(mnemonic(), s, multiplierA, multiplierB, offset);
        return new TensorType(s, out);
    }

    /** m_a, m_b, shift, acc_bits as for a plain residual add; c only when not 0, relu only when set. */
    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("m_a", IntAffine.text(multiplierA));
        m.put("m_b", IntAffine.text(multiplierB));
        if (offset.shape().size() > 1 || offset.data()[0] != 0) m.put("c", IntAffine.text(offset));
        m.put("shift", Integer.toString(shift));
        m.put("acc_bits", Integer.toString(accBits));
        if (relu) m.put("relu", "true");
        return m;
    }

    @Override
    public long parameters() {
        return IntAffine.parameters(multiplierA, multiplierB, offset);
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
        int[] ao = Broadcast.offsets(multiplierA.shape(), s), bo = Broadcast.offsets(multiplierB.shape(), s);
        int[] co = Broadcast.offsets(offset.shape(), s);
        long[] ma = multiplierA.data(), mb = multiplierB.data(), c = offset.data();
        long[] r = new long[xo.length];
        for (int i = 0; i < r.length; i++) {
            long acc = (x.data()[xo[i]] - a.zeroPoint()) * ma[ao[i]] + (y.data()[yo[i]] - b.zeroPoint()) * mb[bo[i]] + c[co[i]];
            long q = IntMath.saturate(out.zeroPoint() + IntMath.roundShift(IntChecks.fits(acc, accBits - 1, mnemonic()), shift),
                    out.bits(), out.signed());
            r[i] = relu ? Math.max(q, out.zeroPoint()) : q;
        }
        return new IntTensor(s, r);
    }
}
