package org.tfq.onnx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tfq.ir.Value;
import org.tfq.ir.op.AxisNorm;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * The per-window normalization of RevIN (PatchTST) and of the Non-stationary Transformer
 * (Time-Series-Library's iTransformer), recognised at its division:
 * {@code c(x) / Sqrt(ReduceMean(c(x)^2) + eps)} (or {@code * Reciprocal(Sqrt(...))}), where each
 * {@code c(x)} is x centred along one axis ({@code x - ReduceMean(x)}, once or more: torch.var
 * centres again what the model already centred), the square a {@code Pow 2} or a product with
 * itself, and every mean over that same axis, kept. The division becomes one {@link AxisNorm} of
 * x, which lowers to the integer LayerNorm: one rounding instead of one per intermediate, and no
 * calibrated range on the mean and the variance it reads. The mean and the standard deviation
 * stay for their other readers (the de-normalization at the output); what only the division read
 * is dropped. An affine map after it (RevIN's weight and bias) stays a per-channel affine op.
 */
final class WindowNormalizationPattern {
    private WindowNormalizationPattern() {}

    /** The x and the axis of a centred tensor. */
    private record Centred(String x, int axis) {}

    static boolean tryMatch(GraphBuilder b, OnnxGraph g, NodeProto div, String name, String out) {
        List<NodeProto> matched = new ArrayList<>();
        String numerator, denominator;
        if (is(div, "Div")) {
            numerator = div.getInput(0);
            denominator = div.getInput(1);
        } else if (is(div, "Mul")) {
            int k = is(g.producer.get(div.getInput(1)), "Reciprocal") ? 1 : 0;
            NodeProto reciprocal = g.producer.get(div.getInput(k));
            if (!is(reciprocal, "Reciprocal")) return false;
            matched.add(reciprocal);
            numerator = div.getInput(1 - k);
            denominator = reciprocal.getInput(0);
        } else {
            return false;
        }
        NodeProto sqrt = g.producer.get(denominator);
        if (!is(sqrt, "Sqrt")) return false;
        NodeProto addEps = g.producer.get(sqrt.getInput(0));
        if (!is(addEps, "Add") || addEps.getInputCount() != 2) return false;
        int v = b.constOf(addEps.getInput(1)) != null ? 0 : 1;
        Const eps = b.constOf(addEps.getInput(1 - v));
        if (eps == null || eps.size() != 1 || !(eps.get(0) >= 0) || Double.isInfinite(eps.get(0))) return false;
        NodeProto variance = g.producer.get(addEps.getInput(v));
        Integer axis = meanAxis(b, variance);
        if (axis == null) return false;
        NodeProto square = g.producer.get(variance.getInput(0));
        if (!isSquare(b, square)) return false;
        Centred deviation = centred(b, g, square.getInput(0), matched);
        Centred centredX = centred(b, g, numerator, matched);
        if (deviation == null || centredX == null || !deviation.equals(centredX) || deviation.axis() != axis) return false;
        Value x = b.activation(centredX.x());
        if (x == null) return false;
        matched.addAll(List.of(sqrt, addEps, variance, square));
        b.emit(name, new AxisNorm(axis, eps.get(0)), List.of(x), out);
        dropUnread(b, g, div, matched);
        return true;
    }

    /** The x of {@code t = x - ReduceMean(x)} along one kept axis, x itself unwrapped when it is centred along the same axis again. */
    private static Centred centred(GraphBuilder b, OnnxGraph g, String t, List<NodeProto> matched) {
        NodeProto sub = g.producer.get(t);
        if (!is(sub, "Sub") || sub.getInputCount() != 2) return null;
        NodeProto mean = g.producer.get(sub.getInput(1));
        Integer axis = meanAxis(b, mean);
        if (axis == null || !mean.getInput(0).equals(sub.getInput(0))) return null;
        matched.add(sub);
        matched.add(mean);
        Centred inner = centred(b, g, sub.getInput(0), matched);
        return inner != null && inner.axis() == axis ? inner : new Centred(sub.getInput(0), axis);
    }

    /** The axis (as a non-negative index) of a ReduceMean over one axis with keepdims, else null. */
    private static Integer meanAxis(GraphBuilder b, NodeProto mean) {
        if (!is(mean, "ReduceMean") || new Attrs(mean).getInt("keepdims", 1) != 1) return null;
        Value in = b.activation(mean.getInput(0));
        long[] axes = b.reduceAxes(mean, new Attrs(mean));
        if (in == null || axes == null || axes.length != 1) return null;
        int rank = in.type().shape().rank();
        long a = axes[0] < 0 ? axes[0] + rank : axes[0];
        return a >= 0 && a < rank ? (int) a : null;
    }

    private static boolean isSquare(GraphBuilder b, NodeProto n) {
        if (is(n, "Pow")) {
            Const e = b.constOf(n.getInput(1));
            return e != null && e.size() == 1 && e.get(0) == 2.0;
        }
        return is(n, "Mul") && n.getInput(0).equals(n.getInput(1));
    }

    /**
     * Removes the already translated nodes of the pattern that nothing reads any more: those whose
     * every reader is the division or another removed node, latest first.
     */
    private static void dropUnread(GraphBuilder b, OnnxGraph g, NodeProto div, List<NodeProto> matched) {
        Set<NodeProto> gone = new HashSet<>(Set.of(div));
        boolean changed = true;
        while (changed) {
            changed = false;
            for (NodeProto n : matched) {
                String t = n.getOutput(0);
                if (gone.contains(n) || g.graphOutputs.contains(t) || !gone.containsAll(g.consumersOf(t))) continue;
                Value v = b.activation(t);
                if (v != null) b.removeIr(v);
                gone.add(n);
                changed = true;
            }
        }
    }

    private static boolean is(NodeProto n, String op) {
        return n != null && n.getOpType().equals(op) && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }
}
