package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.IntRange;
import org.tfq.ir.integer.Requantizer;

/**
 * Product of two quantized activations (Q K^T, attention x V): acc = sum_k (a - Z_a)(b - Z_b),
 * then requantized by M = S_a S_b / S_out. The zero points are subtracted before the multiply
 * because neither operand is constant, so nothing can be folded.
 */
public record IntMatMul(boolean transposeB, IntType a, IntType b, Requantizer requant, IntType out, int accBits)
        implements IntOp {

    public static IntMatMul of(boolean transposeB, IntType a, IntType b, int innerLength, Requantizer requant, IntType out) {
        return new IntMatMul(transposeB, a, b, requant, out, accumulatorRange(a, b, innerLength).signedBits());
    }

    /** Every value {@code acc} can take for rows of {@code innerLength} codes of {@code a} and {@code b}. */
    public static IntRange accumulatorRange(IntType a, IntType b, int innerLength) {
        return IntChecks.centredProducts(a, b).sumOf(innerLength);
    }

    private MatMul shape() {
        return new MatMul(transposeB);
    }

    @Override
    public String mnemonic() {
        return "int_matmul";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        IntChecks.expect(mnemonic(), in, a, b);
        return new TensorType(shape().resultType(in).shape(), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("transpose_b", Boolean.toString(transposeB));
        m.put("acc_bits", Integer.toString(accBits));
        m.put("requant", "m=" + requant.multiplier() + ",shift=" + requant.shift());
        return m;
    }

    @Override
    public long macs(List<TensorType> in) {
        return shape().macs(in);
    }

    @Override
    public int datapathBits() {
        return requant.productBits(accBits);
    }

    @Override
    public IntTensor applyInt(List<IntTensor> in) {
        IntTensor x = in.get(0), yv = in.get(1);
        MatMul.Dims d = shape().dims(x.shape(), yv.shape());
        int m = d.m(), k = d.k(), n = d.n();
        int[] aOff = Broadcast.offsets(MatMul.lead(x.shape()), d.batch());
        int[] bOff = Broadcast.offsets(MatMul.lead(yv.shape()), d.batch());
        long[] out = new long[aOff.length * m * n];
        for (int t = 0; t < aOff.length; t++) {
            int ab = aOff[t] * m * k, bb = bOff[t] * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    long acc = 0;
                    for (int p = 0; p < k; p++) {
                        long bv = transposeB ? yv.data()[bb + j * k + p] : yv.data()[bb + p * n + j];
                        acc += (x.data()[ab + i * k + p] - a.zeroPoint()) * (bv - b.zeroPoint());
                    }
                    out[(t * m + i) * n + j] = requant.apply(IntChecks.fits(acc, accBits, mnemonic()));
                }
            }
        }
        return new IntTensor(MatMul.outShape(d), out);
    }
}
