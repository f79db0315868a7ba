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
        DoubleUnaryOperator ma = v -> v * in.scale() / out.scale(), ct = v -> v / out.scale();
        int s = largestShift(maxAbs(a, ma), maxAbs(t, ct), multiplierBits);
        if (s < 0) {
            throw Op.error("int_affine", kind + ": multiplier " + maxAbs(a, ma) + " or offset " + maxAbs(t, ct)
                    + " (output codes) too large");
        }
        IntTensor mt = fixedPoint(a, ma, s), c = fixedPoint(t, ct, s);
        return new IntAffine(in, mt, c, s, relu, out, kind, accumulatorBits(in, mt, c));
    }

    /** The largest shift an elementwise rescaling uses: 2^-48 of a code is far below any rounding that matters. */
    static final int LARGEST_SHIFT = 48;

    /** Offsets stay below this magnitude (in units of 2^-shift output codes). */
    static final double OFFSET_LIMIT = 0x1p47;

    /**
     * The largest shift s <= {@link #LARGEST_SHIFT} at which the largest multiplier, rounded, fits
     * {@code multiplierBits} magnitude bits ({@code |round(maxMultiplier 2^s)| <= 2^bits - 1}) and
     * the largest offset stays below {@link #OFFSET_LIMIT}; -1 if no shift does. The real values are in output
     * codes per input code (multipliers) and output codes (offsets).
     */
    static int largestShift(double maxMultiplier, double maxOffset, int multiplierBits) {
        long limit = (1L << multiplierBits) - 1;
        for (int s = LARGEST_SHIFT; s >= 0; s--) {
            if (Math.rint(Math.scalb(maxMultiplier, s)) <= limit && Math.rint(Math.scalb(maxOffset, s)) < OFFSET_LIMIT) return s;
        }
        return -1;
    }

    /** The largest |real(v)| over the tensor's values. */
    static double maxAbs(FloatTensor t, DoubleUnaryOperator real) {
        double m = 0;
        for (float v : t.data()) m = Math.max(m, Math.abs(real.applyAsDouble(v)));
        return m;
    }

    /** round(real(v) 2^shift) for every value, to nearest ({@link IntMath#nearest}): same shape. */
    static IntTensor fixedPoint(FloatTensor t, DoubleUnaryOperator real, int shift) {
        long[] q = new long[t.data().length];
        for (int i = 0; i < q.length; i++) q[i] = IntMath.nearest(Math.scalb(real.applyAsDouble(t.data()[i]), shift));
        return new IntTensor(t.shape(), q);
    }

    /** Throws unless every constant broadcasts to {@code x} without enlarging it. */
    static void checkBroadcast(String op, Shape x, IntTensor... constants) {
        for (IntTensor c : constants) {
            if (!Broadcast.shape(x, c.shape()).equals(x)) {
                throw Op.error(op, "constant of shape " + c.shape() + " does not broadcast to " + x);
            }
        }
    }

    /** How a constant prints: its value when it is one value, else its shape ({@code int[1,1,16]}). */
    static String text(IntTensor c) {
        return c.shape().size() == 1 ? Long.toString(c.data()[0]) : "int" + c.shape();
    }

    /** Stored parameters: the values of the constants that are not one value. */
    static long parameters(IntTensor... constants) {
        long n = 0;
        for (IntTensor c : constants) if (c.shape().size() > 1) n += c.shape().size();
        return n;
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
        checkBroadcast(mnemonic(), x, multiplier, offset);
        return new TensorType(x, out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("kind", kind);
        a.put("m", text(multiplier));
        a.put("c", text(offset));
        a.put("shift", Integer.toString(shift));
        a.put("acc_bits", Integer.toString(accBits));
        if (relu) a.put("relu", "true");
        return a;
    }

    @Override
    public long parameters() {
        return parameters(multiplier, offset);
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
