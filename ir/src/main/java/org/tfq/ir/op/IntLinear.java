package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntRange;
import org.tfq.ir.integer.Requantizer;

/**
 * Integer Linear: the input x [..., K] is taken as rows x[r] of K raw codes (r over the product
 * of the leading dims), acc[r][o] = sum_i x[r][i] w[o][i], then
 * <pre>
 *   y[r][o] = saturate(Z_out + roundShift(acc[r][o] m_o + bias[o] + rowBias[r][o], shift_o))
 * </pre>
 * and max(y, Z_out) when a ReLU was fused ({@link Requantizer#apply(long, long)}). The bias is
 * added after the multiplier, in units of 2^-shift_o output codes: bias_o = round(b_o 2^shift_o /
 * S_y) - Z_x m_o sum_i w_oi. Rounded to the accumulator's step S_x S_w instead, a float bias that
 * training never snapped to that grid would move a 4-bit output by up to a tenth of a code, and
 * every such shift flips codes the trained model does not flip. The input zero point is folded
 * into the bias and the weight zero point into the weights (w = q_w - Z_w), so the datapath is a
 * plain multiply-accumulate of codes.
 *
 * <p>{@code rowBias} [rows, out] is null unless a constant C added to the Linear's output (a
 * positional encoding) was folded in: rowBias[r][o] = round(C[r][o] 2^shift_o / S_y), in the
 * bias's units, so the sum is requantized once. {@code accBits} is the exact worst case of the
 * sum of products over all input codes; the constructor refuses a narrower one.
 */
public record IntLinear(IntTensor weight, long[] bias, IntTensor rowBias, List<Requantizer> requant, boolean relu, IntType in,
        IntType out, int weightBits, int accBits) implements IntOp {

    public IntLinear {
        bias = bias.clone();
        requant = List.copyOf(requant);
        if (weight.shape().rank() != 2 || bias.length != weight.shape().dim(0)) {
            throw Op.error("int_linear", "weight " + weight.shape() + " and " + bias.length + " biases do not match");
        }
        if (requant.size() != 1 && requant.size() != bias.length) throw Op.error("int_linear", "one requantizer or one per output");
        if (rowBias != null && (rowBias.shape().rank() != 2 || rowBias.shape().dim(1) != bias.length)) {
            throw Op.error("int_linear", "row bias " + rowBias.shape() + " is not [rows, " + bias.length + "]");
        }
        int needed = accumulatorBits(weight, in);
        if (accBits < needed) {
            throw Op.error("int_linear", "accumulator of " + accBits + " bits is narrower than its worst case, " + needed + " bits");
        }
        // acc m + offset must stay a long (the interpreter's exact arithmetic, and far beyond any datapath)
        if (datapathBitsOf(bias, rowBias, requant, accBits) > 63) {
            throw Op.error("int_linear", "bias or multiplier out of range: acc * m + bias needs more than 63 bits");
        }
    }

    /** The op without a row bias, as it was before row biases existed. */
    public IntLinear(IntTensor weight, long[] bias, List<Requantizer> requant, boolean relu, IntType in, IntType out, int weightBits,
            int accBits) {
        this(weight, bias, null, requant, relu, in, out, weightBits, accBits);
    }

    /** Builds the op with the narrowest weight and accumulator widths that cannot overflow. */
    public static IntLinear of(IntTensor weight, long[] bias, List<Requantizer> requant, boolean relu, IntType in, IntType out) {
        return of(weight, bias, null, requant, relu, in, out);
    }

    /** As {@link #of(IntTensor, long[], List, boolean, IntType, IntType)}, with a row bias [rows, out] (or null). */
    public static IntLinear of(IntTensor weight, long[] bias, IntTensor rowBias, List<Requantizer> requant, boolean relu, IntType in,
            IntType out) {
        int wBits = new IntRange(Math.min(0, weight.min()), Math.max(0, weight.max())).signedBits();
        return new IntLinear(weight, bias, rowBias, requant, relu, in, out, wBits, accumulatorBits(weight, in));
    }

    /** Exact worst case of sum_i x_i w_oi over x in the input's code range, widest output. */
    public static int accumulatorBits(IntTensor weight, IntType in) {
        IntRange all = IntRange.point(0);
        for (IntRange r : accumulatorRanges(weight, in)) all = new IntRange(Math.min(all.min(), r.min()), Math.max(all.max(), r.max()));
        return all.signedBits();
    }

    /** Per output feature, the exact range of sum_i x_i w_oi over every input code. */
    public static IntRange[] accumulatorRanges(IntTensor weight, IntType in) {
        int outF = weight.shape().dim(0), inF = weight.shape().dim(1);
        IntRange[] ranges = new IntRange[outF];
        for (int o = 0; o < outF; o++) {
            long rowLo = 0, rowHi = 0;
            for (int i = 0; i < inF; i++) {
                long w = weight.data()[o * inF + i];
                long a = Math.multiplyExact(w, in.min()), b = Math.multiplyExact(w, in.max());
                rowLo = Math.addExact(rowLo, Math.min(a, b));
                rowHi = Math.addExact(rowHi, Math.max(a, b));
            }
            ranges[o] = new IntRange(rowLo, rowHi);
        }
        return ranges;
    }

    /** Width of acc m_o + bias[o] + rowBias[r][o] before the rounding shift, over every output and row. */
    private static int datapathBitsOf(long[] bias, IntTensor rowBias, List<Requantizer> requant, int accBits) {
        int bits = 0;
        int rows = rowBias == null ? 1 : rowBias.shape().dim(0);
        for (int o = 0; o < bias.length; o++) {
            for (int r = 0; r < rows; r++) {
                int offBits;
                try {
                    offBits = IntRange.point(offsetOf(bias, rowBias, r, o)).signedBits();
                } catch (ArithmeticException e) {
                    offBits = 65; // the sum itself leaves a long
                }
                bits = Math.max(bits, Math.max(requantOf(requant, o).productBits(accBits), offBits) + 1);
            }
        }
        return bits;
    }

    private static Requantizer requantOf(List<Requantizer> requant, int o) {
        return requant.get(requant.size() == 1 ? 0 : o);
    }

    private static long offsetOf(long[] bias, IntTensor rowBias, int r, int o) {
        return rowBias == null ? bias[o] : Math.addExact(bias[o], rowBias.data()[r * bias.length + o]);
    }

    /** The requantizer of output feature {@code o}. */
    public Requantizer requant(int o) {
        return requantOf(requant, o);
    }

    /** bias[o] + rowBias[r][o]: what row r of output o adds after the multiplier. */
    public long offset(int r, int o) {
        return offsetOf(bias, rowBias, r, o);
    }

    public int inFeatures() {
        return weight.shape().dim(1);
    }

    public int outFeatures() {
        return weight.shape().dim(0);
    }

    @Override
    public long[] bias() {
        return bias.clone();
    }

    @Override
    public String mnemonic() {
        return "int_linear";
    }

    @Override
    public TensorType resultType(List<TensorType> ins) {
        IntChecks.expect(mnemonic(), ins.get(0), in);
        Shape x = ins.get(0).shape();
        if (x.last() != inFeatures()) throw Op.error(mnemonic(), "input " + x + " does not end in " + inFeatures() + " features");
        if (rowBias != null) {
            long rows = x.size() / inFeatures();
            if (rowBias.shape().dim(0) != rows) {
                throw Op.error(mnemonic(), "row bias " + rowBias.shape() + " does not match the " + rows + " rows of input " + x);
            }
        }
        return new TensorType(x.withDim(-1, outFeatures()), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        a.put("in", Integer.toString(inFeatures()));
        a.put("out", Integer.toString(outFeatures()));
        if (rowBias != null) a.put("row_bias", rowBias.toString());
        a.put("w_bits", Integer.toString(weightBits));
        a.put("acc_bits", Integer.toString(accBits));
        Requantizer r = requant.get(0);
        a.put("requant", requant.size() == 1 ? "m=" + r.multiplier() + ",shift=" + r.shift() : "per-channel");
        if (relu) a.put("relu", "true");
        return a;
    }

    @Override
    public long macs(List<TensorType> ins) {
        return ins.get(0).shape().size() / inFeatures() * inFeatures() * outFeatures();
    }

    @Override
    public long parameters() {
        return weight.shape().size() + bias.length + (rowBias == null ? 0 : rowBias.shape().size());
    }

    @Override
    public int datapathBits() {
        return datapathBitsOf(bias, rowBias, requant, accBits);
    }

    @Override
    public IntTensor applyInt(List<IntTensor> ins) {
        IntTensor x = ins.get(0);
        int k = inFeatures(), n = outFeatures();
        int rows = Math.toIntExact(x.shape().size() / k);
        if (rowBias != null && rowBias.shape().dim(0) != rows) {
            throw Op.error(mnemonic(), "row bias " + rowBias.shape() + " does not match the " + rows + " rows of input " + x.shape());
        }
        long[] w = weight.data();
        long[] y = new long[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < n; o++) {
                long acc = 0;
                for (int i = 0; i < k; i++) acc += x.data()[r * k + i] * w[o * k + i];
                long q = requant(o).apply(IntChecks.fits(acc, accBits, mnemonic()), offset(r, o));
                y[r * n + o] = relu ? Math.max(q, out.zeroPoint()) : q;
            }
        }
        return new IntTensor(x.shape().withDim(-1, n), y);
    }

    /** By content (a record compares its long[] by identity), so that an op read back from the text IR equals the one written. */
    @Override
    public boolean equals(Object o) {
        return o instanceof IntLinear l && weight.equals(l.weight) && java.util.Arrays.equals(bias, l.bias)
                && java.util.Objects.equals(rowBias, l.rowBias) && requant.equals(l.requant) && relu == l.relu && in.equals(l.in)
                && out.equals(l.out) && weightBits == l.weightBits && accBits == l.accBits;
    }

    @Override
    public int hashCode() {
        return weight.hashCode() * 31 + java.util.Arrays.hashCode(bias);
    }
}
