package org.tfq.onnx;

import java.util.Map;
import org.tfq.ir.IrException;
import org.tfq.ir.QuantSpec;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * The quantization operators of QAT exports: QuantizeLinear, its Clip (QCDQ), DequantizeLinear
 * and QONNX's Quant. Reads their parameters (which must be constants: a scale computed at run
 * time cannot become hardware) and folds them on constant weights.
 */
final class QuantNodes {
    private QuantNodes() {}

    static final String QONNX = "qonnx.custom_op.general";
    static final String FINN = "finn.custom_op.general";

    static boolean isQonnxQuant(NodeProto n) {
        return isQonnx(n, "Quant");
    }

    /** A QONNX custom op (Quant, BipolarQuant, Trunc) in either of its domains. */
    static boolean isQonnx(NodeProto n, String op) {
        return n.getOpType().equals(op) && (n.getDomain().equals(QONNX) || n.getDomain().equals(FINN));
    }

    /** Scale, zero point and the saturation range of the QuantizeLinear output type. */
    static QuantSpec quantizeLinear(NodeProto q, Const scale, Const zero, int rank) {
        if (scale == null) throw new OnnxImportException("the scale of QuantizeLinear/DequantizeLinear must be a constant");
        Attrs a = new Attrs(q);
        if (a.getInt("block_size", 0) != 0) throw new OnnxImportException("blocked quantization (block_size) is not supported");
        // opset 21: without a zero point, output_dtype names the code type (0: uint8)
        long outputType = a.getInt("output_dtype", 0);
        int type = zero != null ? zero.dataType()
                : outputType != 0 ? (int) outputType : org.tfq.onnx.proto.Onnx.TensorProto.DataType.UINT8_VALUE;
        long[] range = codeRange(type);
        if (range == null) throw new OnnxImportException("quantization to " + DataTypes.name(type) + " is not supported");
        return spec(scale, zero, (int) new Attrs(q).getInt("axis", 1), rank, range[0], range[1]);
    }

    /** The codes an integer type holds, or null for the types that are not quantization codes. */
    private static long[] codeRange(int type) {
        var t = org.tfq.onnx.proto.Onnx.TensorProto.DataType.forNumber(type);
        if (t == null) return null;
        return switch (t) {
            case INT8 -> new long[] {-128, 127};
            case UINT8 -> new long[] {0, 255};
            case INT16 -> new long[] {-32768, 32767};
            case UINT16 -> new long[] {0, 65535};
            case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            case INT4 -> new long[] {-8, 7};
            case UINT4 -> new long[] {0, 15};
            default -> null;
        };
    }

    /**
     * A Cast of codes between QuantizeLinear and DequantizeLinear (torch.ao's converted export
     * writes uint8 -> Cast(uint8) -> DequantizeLinear) is no quantization step when the target
     * integer type holds every code the quantizer can produce.
     */
    static boolean castKeepsCodes(QuantSpec s, int to) {
        long[] r = codeRange(to);
        return r != null && r[0] <= s.qmin() && s.qmax() <= r[1];
    }

    private static QuantSpec spec(Const scale, Const zero, long axis, int rank, long qmin, long qmax) {
        int channels = scale.size();
        double[] s = new double[channels];
        long[] z = new long[channels];
        for (int i = 0; i < channels; i++) {
            s[i] = (float) scale.get(i);
            double zp = zero == null ? 0 : zero.get(zero.size() == 1 ? 0 : i);
            if (zp != Math.rint(zp)) throw new OnnxImportException("zero point " + zp + " is not an integer");
            z[i] = (long) zp;
            if (!(s[i] > 0) || Double.isInfinite(s[i])) {
                throw new OnnxImportException("quantization scale " + s[i] + " must be positive and finite");
            }
        }
        if (zero != null && zero.size() != 1 && zero.size() != channels) throw new OnnxImportException("zero point and scale differ in length");
        int ax = channels == 1 && scale.rank() <= 1 ? -1 : ConstFolder.normAxis(axis, rank, "quantization axis");
        try {
            return QuantSpec.fromRange(s, z, ax, qmin, qmax);
        } catch (IrException e) {
            throw new OnnxImportException(e.getMessage());
        }
    }

    /** A Clip on codes narrows the range: this is how 2..7-bit QCDQ exports state their width. */
    static QuantSpec clip(QuantSpec s, Const lo, Const hi) {
        long qmin = lo == null ? s.qmin() : Math.max(s.qmin(), (long) Math.ceil(lo.get(0)));
        long qmax = hi == null ? s.qmax() : Math.min(s.qmax(), (long) Math.floor(hi.get(0)));
        if (qmin >= qmax) throw new OnnxImportException("Clip range [" + qmin + ", " + qmax + "] leaves no codes");
        return QuantSpec.fromRange(s.scale(), s.zeroPoint(), s.axis(), qmin, qmax);
    }

    /** QONNX Quant: width, signedness and narrow range from its bitwidth input and attributes. */
    static QuantSpec qonnx(NodeProto n, Const scale, Const zero, Const bitwidth, int rank) {
        if (scale == null || zero == null || bitwidth == null) {
            throw new OnnxImportException("the scale, zero point and bit width of Quant must be constants");
        }
        Attrs a = new Attrs(n);
        String rounding = a.getString("rounding_mode", "ROUND");
        if (!rounding.equals("ROUND")) {
            throw new OnnxImportException("Quant with rounding_mode " + rounding + " is not supported (ROUND, half to even, is)");
        }
        double bw = bitwidth.get(0);
        if (bw != Math.rint(bw) || bw < 2 || bw > 16) throw new OnnxImportException("Quant bit width " + bw + " is not a whole number in 2..16");
        int bits = (int) bw;
        boolean signed = a.getInt("signed", 1) != 0;
        boolean narrow = a.getInt("narrow", 0) != 0;
        long qmin = signed ? -(1L << (bits - 1)) + (narrow ? 1 : 0) : 0;
        long qmax = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1 - (narrow ? 1 : 0);
        int axis = channelAxis(scale, rank);
        QuantSpec s = spec(flat(scale), zero.size() == 1 ? zero : flat(zero), axis < 0 ? 0 : axis, rank, qmin, qmax);
        return QuantSpec.fromRange(s.scale(), s.zeroPoint(), axis < 0 ? -1 : axis, qmin, qmax).withWidth(bits, signed);
    }

    /** QONNX's scale may be per channel with the tensor's rank; the channel axis is the one that varies (-1: per tensor). */
    private static int channelAxis(Const scale, int rank) {
        int axis = -1;
        if (scale.size() > 1) {
            int[] d = scale.dims();
            for (int i = 0; i < d.length; i++) if (d[i] == scale.size()) axis = i + (rank - d.length);
        }
        return axis;
    }

    /**
     * QONNX BipolarQuant (Brevitas' 1-bit weights): two levels, code +1 where x >= 0 and -1 below,
     * times the scale. Only constants: a two-level activation has no code 0 to round to.
     */
    static Const bipolar(Const x, Const scale, Map<String, QuantSpec> quantOut, String out) {
        if (scale == null) throw new OnnxImportException("the scale of BipolarQuant must be a constant");
        int axis = channelAxis(scale, x.rank());
        QuantSpec s = spec(flat(scale), null, axis < 0 ? 0 : axis, x.rank(), -1, 1);
        s = QuantSpec.fromRange(s.scale(), s.zeroPoint(), axis < 0 ? -1 : axis, -1, 1);
        double[] v = new double[x.size()];
        int[] d = x.dims();
        int inner = 1;
        if (!s.perTensor()) for (int i = s.axis() + 1; i < d.length; i++) inner *= d[i];
        for (int i = 0; i < v.length; i++) {
            int ch = s.perTensor() ? 0 : (i / inner) % d[s.axis()];
            v[i] = s.dequantize(x.get(i) >= 0 ? 1 : -1, ch);
        }
        quantOut.put(out, s);
        return new Const(x.dims(), DataTypes.FLOAT, v);
    }

    private static Const flat(Const c) {
        return new Const(new int[] {c.size()}, c.dataType(), c.values());
    }

    /** Fake-quantizes a constant (weights) with the spec, in ONNX Runtime's float32 arithmetic. */
    static Const fakeQuantize(Const c, QuantSpec s) {
        double[] v = new double[c.size()];
        int[] d = c.dims();
        int inner = 1;
        if (!s.perTensor()) for (int i = s.axis() + 1; i < d.length; i++) inner *= d[i];
        int channels = s.perTensor() ? 1 : d[s.axis()];
        for (int i = 0; i < v.length; i++) {
            int ch = s.perTensor() ? 0 : (i / inner) % channels;
            v[i] = s.fakeQuantize((float) c.get(i), ch);
        }
        return new Const(c.dims(), DataTypes.FLOAT, v);
    }
}
