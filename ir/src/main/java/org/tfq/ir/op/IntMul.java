package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.integer.Requantizer;

/**
 * Product of two quantized activations, element by element with broadcasting:
 * <pre>
 *   p = (a - Z_a)(b - Z_b)
 *   y = saturate(Z_out + roundShift(p m, shift))
 * </pre>
 * with {@code m 2^-shift} the requantization multiplier S_a S_b / S_out ({@link Requantizer}, round
 * half up). Neither operand is constant, so the zero points are subtracted before the product,
 * as in {@link IntMatMul} with an inner length of 1. {@code productBits} is the signed width of p.
 */
public record IntMul(IntType a, IntType b, Requantizer requant, IntType out, int productBits) implements IntOp {

    public IntMul {
        if (productBits != productBits(a, b)) throw Op.error("int_mul", "product_bits " + productBits + ", needs " + productBits(a, b));
    }

    /** y = x_a x_b in real values. */
    public static IntMul of(IntType a, IntType b, IntType out) {
        return new IntMul(a, b, Requantizer.of(a.scale() * b.scale() / out.scale(), out), out, productBits(a, b));
    }

    /** Exact signed width of (a - Z_a)(b - Z_b) over every pair of codes. */
    public static int productBits(IntType a, IntType b) {
        return IntChecks.centredProducts(a, b).signedBits();
    }

    @Override
    public String mnemonic() {
        return "int_mul";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public TensorType resultType(List<TensorType> in) {
        IntChecks.expect(mnemonic(), in, a, b);
        return new TensorType(Broadcast.shape(in.get(0).shape(), in.get(1).shape()), out);
    }

    @Override
    public LinkedHashMap<String, String> attributes() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("product_bits", Integer.toString(productBits));
        m.put("requant", "m=" + requant.multiplier() + ",shift=" + requant.shift());
        return m;
    }

    @Override
    public int datapathBits() {
        return requant.productBits(productBits);
    }

    @Override
    public IntTensor applyInt(List<IntTensor> in) {
        IntTensor x = in.get(0), y = in.get(1);
        Shape s = Broadcast.shape(x.shape(), y.shape());
        int[] xo = Broadcast.offsets(x.shape(), s), yo = Broadcast.offsets(y.shape(), s);
        long[] r = new long[xo.length];
        for (int i = 0; i < r.length; i++) {
            long p = (x.data()[xo[i]] - a.zeroPoint()) * (y.data()[yo[i]] - b.zeroPoint());
            r[i] = requant.apply(IntChecks.fits(p, productBits, mnemonic()));
        }
        return new IntTensor(s, r);
    }
}
