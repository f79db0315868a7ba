package org.tfq.ir;

import java.util.Arrays;

/**
 * How a tensor is quantized: q = clamp(round_half_even(x / scale) + zeroPoint, qmin, qmax),
 * x' = (q - zeroPoint) * scale, per tensor ({@code axis} -1, one scale) or per channel along
 * {@code axis}. This is what QuantizeLinear/Clip/DequantizeLinear and QONNX Quant mean, in the
 * float32 arithmetic ONNX Runtime uses, so a fake-quantized model reproduces ORT exactly.
 */
public record QuantSpec(double[] scale, long[] zeroPoint, int axis, int bits, boolean signed, long qmin, long qmax) {

    public QuantSpec {
        scale = scale.clone();
        zeroPoint = zeroPoint.clone();
        if (scale.length == 0 || scale.length != zeroPoint.length) {
            throw new IrException("quantization needs one zero point per scale, got " + scale.length + " and " + zeroPoint.length);
        }
        for (double s : scale) {
            if (!(s > 0) || Double.isInfinite(s)) throw new IrException("quantization scale " + s + " must be positive and finite");
        }
        if (bits < 1 || bits > 32) throw new IrException("quantization to " + bits + " bits is not supported");
        if (qmin > qmax || qmin < IntType.min(bits, signed) || qmax > IntType.max(bits, signed)) {
            throw new IrException("quantization range [" + qmin + ", " + qmax + "] does not fit " + bits + (signed ? "-bit signed" : "-bit unsigned"));
        }
        for (long z : zeroPoint) {
            if (z < IntType.min(bits, signed) || z > IntType.max(bits, signed)) {
                throw new IrException("zero point " + z + " outside the " + bits + "-bit range");
            }
        }
    }

    public static QuantSpec perTensor(double scale, long zeroPoint, int bits, boolean signed) {
        return new QuantSpec(new double[] {scale}, new long[] {zeroPoint}, -1, bits, signed,
                IntType.min(bits, signed), IntType.max(bits, signed));
    }

    /** The smallest signed-or-unsigned width holding [qmin, qmax], as the Clip of a QCDQ export states it. */
    public static QuantSpec fromRange(double[] scale, long[] zeroPoint, int axis, long qmin, long qmax) {
        boolean signed = qmin < 0;
        int bits = 1;
        while (qmin < IntType.min(bits, signed) || qmax > IntType.max(bits, signed)) bits++;
        return new QuantSpec(scale, zeroPoint, axis, bits, signed, qmin, qmax);
    }

    public boolean perTensor() {
        return axis < 0;
    }

    public double scale(int channel) {
        return scale[perTensor() ? 0 : channel];
    }

    public long zeroPoint(int channel) {
        return zeroPoint[perTensor() ? 0 : channel];
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    @Override
    public long[] zeroPoint() {
        return zeroPoint.clone();
    }

    /** The integer code of x, rounding half to even like QuantizeLinear. */
    public long quantize(float x, int channel) {
        float q = x / (float) scale(channel);
        double r = Math.rint(q) + zeroPoint(channel);
        return (long) Math.max(qmin, Math.min(qmax, r));
    }

    public float dequantize(long q, int channel) {
        return (float) (q - zeroPoint(channel)) * (float) scale(channel);
    }

    public float fakeQuantize(float x, int channel) {
        return dequantize(quantize(x, channel), channel);
    }

    /** The integer type of the codes, per-tensor scale and zero point included. */
    public IntType intType() {
        if (!perTensor()) throw new IrException("per-channel quantization has no single integer type");
        return new IntType(bits, signed, scale[0], zeroPoint[0]);
    }

    /** The same codes declared at a stated width (QONNX states it; QCDQ leaves it to the Clip). */
    public QuantSpec withWidth(int newBits, boolean newSigned) {
        return new QuantSpec(scale, zeroPoint, axis, newBits, newSigned, qmin, qmax);
    }

    /** Same quantization along another axis (after a transpose of a per-channel constant). */
    public QuantSpec withAxis(int newAxis) {
        return new QuantSpec(scale, zeroPoint, perTensor() ? -1 : newAxis, bits, signed, qmin, qmax);
    }

    @Override
    public String toString() {
        String range = (qmin == IntType.min(bits, signed) && qmax == IntType.max(bits, signed)) ? "" : ",range=[" + qmin + "," + qmax + "]";
        if (perTensor()) {
            return (signed ? "i" : "u") + bits + "(s=" + Fmt.num(scale[0]) + ",z=" + zeroPoint[0] + range + ")";
        }
        return (signed ? "i" : "u") + bits + "(per-channel axis " + axis + ", " + scale.length + " scales" + range + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantSpec q && Arrays.equals(scale, q.scale) && Arrays.equals(zeroPoint, q.zeroPoint)
                && axis == q.axis && bits == q.bits && signed == q.signed && qmin == q.qmin && qmax == q.qmax;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(scale) * 31 + Arrays.hashCode(zeroPoint) + bits;
    }
}
