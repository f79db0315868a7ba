package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.IrException;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.op.FakeQuant;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Fake quantization written as arithmetic, the form of es-ude/elastic-ai.creator's
 * QParams.quantize/dequantize (the reference design's own QAT code) and of hand-written QAT:
 * Div by the scale (or Mul by its inverse), an optional Add of the zero point before or after
 * Round, Clip (or Min and Max) to the code range, an optional Sub of the zero point, Mul by the
 * same scale. On an activation the chain is one quantization point; on a constant it is a
 * quantized weight, whose scale and range {@link GraphBuilder} then keeps as QDQ weights' are.
 * Width and signedness come from the clip bounds. round(x/s + z) and round(x/s) + z differ only
 * at exact ties, for an odd z (half to even).
 */
final class ArithmeticFakeQuant {
    private ArithmeticFakeQuant() {}

    /** The chain that starts at {@code start} (a Div or Mul of an activation by a scalar), emitted as one FakeQuant. */
    static boolean tryMatch(GraphBuilder b, OnnxGraph g, NodeProto start) {
        String x = null;
        for (String in : start.getInputList()) if (b.activation(in) != null) x = in;
        if (x == null) return false;
        double scale = scaling(b, start, x, true);
        if (!(scale > 0)) return false;
        List<NodeProto> chain = new ArrayList<>(List.of(start));
        NodeProto n = next(g, start);
        Long zero = zeroPoint(b, n, chain, +1);
        if (zero != null) n = next(g, chain.get(chain.size() - 1));
        if (n == null || !n.getOpType().equals("Round")) return false;
        chain.add(n);
        n = next(g, n);
        if (zero == null && (zero = zeroPoint(b, n, chain, +1)) != null) n = next(g, n);
        n = skipCasts(g, n, chain);
        long[] range = new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        for (int bounds = 0; bounds < 2 && n != null && clamps(b, n, chain.get(chain.size() - 1).getOutput(0), range); bounds++) {
            chain.add(n);
            n = next(g, n);
        }
        if (range[0] == Long.MIN_VALUE || range[1] == Long.MAX_VALUE) return false;
        long z = zero == null ? 0 : zero;
        n = skipCasts(g, n, chain);
        Long back = zeroPoint(b, n, chain, -1);
        if (z != 0 && back == null || back != null && back != z) return false;
        if (back != null) n = next(g, n);
        long[] wide = new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        if (n != null && clamps(b, n, chain.get(chain.size() - 1).getOutput(0), wide)) {
            if (wide[0] > range[0] - z || wide[1] < range[1] - z) return false;
            chain.add(n);
            n = next(g, n);
        }
        n = skipCasts(g, n, chain);
        if (n == null) return false;
        double unscale = scaling(b, n, chain.get(chain.size() - 1).getOutput(0), false);
        if (!(Math.abs(unscale - scale) <= 1e-6 * scale)) return false;
        chain.add(n);
        QuantSpec spec;
        try {
            spec = QuantSpec.fromRange(new double[] {(float) scale}, new long[] {z}, -1, range[0], range[1]);
        } catch (IrException e) {
            throw new OnnxImportException("fake quantization written as arithmetic from '" + x + "': " + e.getMessage());
        }
        b.emitFused(chain, new FakeQuant(spec), b.activation(x), n.getOutput(0));
        return true;
    }

    /**
     * The quantization of a constant computed by {@code last} (a Mul by the scale, folded) from
     * Round of a constant, clipped: a weight fake-quantized in the model's forward. Null if
     * {@code last} ends no such chain.
     */
    static QuantSpec weight(GraphBuilder b, OnnxGraph g, NodeProto last) {
        if (!last.getOpType().equals("Mul") && !last.getOpType().equals("Div") || last.getInputCount() != 2) return null;
        String codes = tensorInput(b, last);
        if (codes == null) return null;
        double scale = scaling(b, last, codes, false);
        if (!(scale > 0)) return null;
        NodeProto n = castSource(g, g.producer.get(codes));
        long[] wide = new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        // a clamp right before the scaling is the widening one only if the zero point's Sub precedes it
        if (n != null && clamps(b, n, tensorInput(b, n), wide)) {
            NodeProto sub = castSource(g, g.producer.get(tensorInput(b, n)));
            if (zeroPoint(b, sub, new ArrayList<>(), -1) != null) n = sub;
            else wide = new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        }
        Long zero = zeroPoint(b, n, new ArrayList<>(), -1);
        if (zero != null) n = castSource(g, g.producer.get(tensorInput(b, n)));
        long[] range = new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        for (int bounds = 0; bounds < 2 && n != null && clamps(b, n, tensorInput(b, n), range); bounds++) n = g.producer.get(tensorInput(b, n));
        if (range[0] == Long.MIN_VALUE || range[1] == Long.MAX_VALUE) return null;
        long z = zero == null ? 0 : zero;
        if (wide[0] > range[0] - z || wide[1] < range[1] - z) return null;
        if (zero != null && n != null && zero.equals(zeroPoint(b, n, new ArrayList<>(), +1))) n = g.producer.get(tensorInput(b, n));
        if (n == null || !n.getOpType().equals("Round")) return null;
        try {
            return QuantSpec.fromRange(new double[] {(float) scale}, new long[] {zero == null ? 0 : zero}, -1, range[0], range[1]);
        } catch (IrException e) {
            return null;
        }
    }

    /**
     * Casts of the codes to an integer type and back (elastic-ai.creator computes with int32
     * codes): exact for codes that fit, so they join the chain. Returns the first other node.
     */
    private static NodeProto skipCasts(OnnxGraph g, NodeProto n, List<NodeProto> chain) {
        while (n != null && exactCast(n)) {
            chain.add(n);
            n = next(g, n);
        }
        return n;
    }

    /** Walking back from a folded constant: the first producer that is not such a cast. */
    private static NodeProto castSource(OnnxGraph g, NodeProto n) {
        while (n != null && exactCast(n)) n = g.producer.get(n.getInput(0));
        return n;
    }

    private static boolean exactCast(NodeProto n) {
        if (!n.getOpType().equals("Cast")) return false;
        long to = new Attrs(n).getInt("to", DataTypes.FLOAT);
        return to == DataTypes.FLOAT || to == DataTypes.INT32 || to == DataTypes.INT64;
    }

    private static NodeProto next(OnnxGraph g, NodeProto n) {
        if (g.graphOutputs.contains(n.getOutput(0))) return null;
        return g.soleConsumer(n.getOutput(0));
    }

    /** The scalar constant among n's inputs other than {@code operand}, if there is one. */
    private static Double other(GraphBuilder b, NodeProto n, String operand) {
        if (n.getInputCount() != 2) return null;
        String o = n.getInput(0).equals(operand) ? n.getInput(1) : n.getInput(1).equals(operand) ? n.getInput(0) : null;
        Const c = o == null ? null : b.constOf(o);
        return c == null || c.size() != 1 ? null : c.get(0);
    }

    /** Of a node of two constants, the input that is not a scalar (the tensor the chain carries). */
    private static String tensorInput(GraphBuilder b, NodeProto n) {
        if (n.getInputCount() < 1) return null;
        for (String in : n.getInputList()) {
            Const c = b.constOf(in);
            if (c != null && c.size() > 1) return in;
        }
        return null;
    }

    /**
     * The scale s of n computing {@code operand} / s (toCodes) or {@code operand} * s, as a Div or
     * a Mul by the inverse; NaN if n is neither.
     */
    private static double scaling(GraphBuilder b, NodeProto n, String operand, boolean toCodes) {
        Double c = other(b, n, operand);
        if (c == null || !(c > 0) || Double.isInfinite(c)) return Double.NaN;
        boolean divides = n.getOpType().equals("Div");
        if (divides && !n.getInput(0).equals(operand)) return Double.NaN;
        if (!divides && !n.getOpType().equals("Mul")) return Double.NaN;
        return divides == toCodes ? c : 1 / c;
    }

    /**
     * z if n adds sign * z (Add of sign z, or Sub of -sign z) to the chain's last output (z an
     * integer, n then joins the chain); null otherwise.
     */
    private static Long zeroPoint(GraphBuilder b, NodeProto n, List<NodeProto> chain, int sign) {
        if (n == null || n.getInputCount() != 2) return null;
        String operand = chain.isEmpty() ? tensorInput(b, n) : chain.get(chain.size() - 1).getOutput(0);
        if (operand == null) return null;
        Double c = other(b, n, operand);
        if (c == null || !integer(c)) return null;
        Long z = n.getOpType().equals("Add") ? Long.valueOf((long) (sign * c))
                : n.getOpType().equals("Sub") && n.getInput(0).equals(operand) ? Long.valueOf((long) (-sign * c)) : null;
        if (z != null) chain.add(n);
        return z;
    }

    /** Whether n clamps {@code operand} to integer bounds (Clip, Min, Max); narrows {@code range} to them. */
    private static boolean clamps(GraphBuilder b, NodeProto n, String operand, long[] range) {
        if (operand == null) return false;
        switch (n.getOpType()) {
            case "Clip" -> {
                if (n.getInputCount() != 3 || !n.getInput(0).equals(operand)) return false;
                Const lo = b.constOf(n.getInput(1)), hi = b.constOf(n.getInput(2));
                if (lo == null || hi == null || lo.size() != 1 || hi.size() != 1 || !integer(lo.get(0)) || !integer(hi.get(0))) return false;
                range[0] = Math.max(range[0], (long) lo.get(0));
                range[1] = Math.min(range[1], (long) hi.get(0));
            }
            case "Max", "Min" -> {
                Double v = other(b, n, operand);
                if (v == null || !integer(v)) return false;
                if (n.getOpType().equals("Max")) range[0] = Math.max(range[0], v.longValue());
                else range[1] = Math.min(range[1], v.longValue());
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static boolean integer(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1L << 40;
    }
}
