package org.tfq.onnx;

import java.util.List;
import java.util.Locale;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Value;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.FakeQuant;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * QONNX Trunc (v2, Brevitas' TruncAvgPool export): requantizes an accumulator on the grid of
 * {@code scale} to {@code out_scale} = scale * 2^k, dropping k bits rounded as rounding_mode
 * says and saturating to out_bitwidth: y = clamp(R(round(x / scale) / 2^k)) * out_scale.
 * Its first rounding puts the input on its grid (S = round(x / scale), a fake quantizer at
 * scale, in_bitwidth wide); the fractions of S / 2^k are then multiples of 2^-k, so
 * floor(S / 2^k) = round_half_even(S / 2^k - (2^k - 1) / 2^(k+1)) with no tie (the offset leaves
 * half a step of 2^-k on either side): FLOOR is an AddConstant of -(2^k - 1) / 2 * scale then the
 * fake quantizer at out_scale, CEIL the same with +, ROUND (half to even, as QuantizeLinear) the
 * fake quantizer alone.
 */
final class QonnxTrunc {
    private QonnxTrunc() {}

    static void translate(GraphBuilder b, NodeProto n) {
        if (n.getInputCount() < 6) {
            throw new OnnxImportException("Trunc without out_scale (QONNX opset 1) is not supported; export with Brevitas' QONNX opset 2");
        }
        Value x = b.act(n, 0);
        double scale = scalar(b, n, 1, "scale"), zero = scalar(b, n, 2, "zero point"), inBits = scalar(b, n, 3, "input bit width");
        double outScale = scalar(b, n, 4, "output scale"), outBits = scalar(b, n, 5, "output bit width");
        if (zero != 0) throw new OnnxImportException("Trunc with zero point " + zero + " is not supported (Brevitas exports 0)");
        float ratio = (float) outScale / (float) scale;
        if (!(ratio >= 1) || Math.getExponent(ratio) < 0 || ratio != Math.scalb(1f, Math.getExponent(ratio))) {
            throw new OnnxImportException("Trunc's output scale " + outScale + " is not its scale " + scale + " times a power of two");
        }
        Attrs a = new Attrs(n);
        boolean signed = a.getInt("signed", 1) != 0, narrow = a.getInt("narrow", 0) != 0;
        String mode = a.getString("rounding_mode", "FLOOR").toUpperCase(Locale.ROOT);
        if (!List.of("ROUND", "FLOOR", "CEIL").contains(mode)) {
            throw new OnnxImportException("Trunc rounding_mode " + mode + " is not supported (ROUND, FLOOR, CEIL are)");
        }
        String name = n.getName().isEmpty() ? n.getOutput(0) : n.getName();
        Value in = b.emit(name + "/input_grid", new FakeQuant(spec(scale, inBits, signed, false, "input")), List.of(x),
                n.getOutput(0) + "/input_grid");
        if (!mode.equals("ROUND") && ratio != 1) {
            double offset = (ratio - 1) / 2 * scale;
            in = b.emit(name + "/" + mode.toLowerCase(Locale.ROOT), new AddConstant(FloatTensor.scalar((float) (mode.equals("FLOOR") ? -offset : offset))),
                    List.of(in), n.getOutput(0) + "/" + mode.toLowerCase(Locale.ROOT));
        }
        b.emit(name, new FakeQuant(spec(outScale, outBits, signed, narrow, "output")), List.of(in), n.getOutput(0));
    }

    private static QuantSpec spec(double scale, double bits, boolean signed, boolean narrow, String what) {
        if (bits != Math.rint(bits) || bits < 2 || bits > 24) {
            throw new OnnxImportException("Trunc " + what + " bit width " + bits + " is not a whole number in 2..24");
        }
        int b = (int) bits;
        long qmin = signed ? -(1L << (b - 1)) + (narrow ? 1 : 0) : 0;
        long qmax = signed ? (1L << (b - 1)) - 1 : (1L << b) - 1 - (narrow ? 1 : 0);
        try {
            return QuantSpec.fromRange(new double[] {(float) scale}, new long[] {0}, -1, qmin, qmax).withWidth(b, signed);
        } catch (IrException e) {
            throw new OnnxImportException(e.getMessage());
        }
    }

    private static double scalar(GraphBuilder b, NodeProto n, int i, String what) {
        Const c = b.requireConst(n, i, "Trunc's " + what);
        if (c.size() != 1) throw new OnnxImportException("Trunc's " + what + " must be one value (per-channel truncation is not supported)");
        return c.get(0);
    }
}
