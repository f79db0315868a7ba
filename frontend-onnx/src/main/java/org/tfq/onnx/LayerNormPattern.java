package org.tfq.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.LayerNorm;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * LayerNorm as opset-13 exporters spell it out:
 * mean = ReduceMean(x); d = x - mean; var = ReduceMean(d^2) (Pow or Mul d,d);
 * y = d / Sqrt(var + eps) (or d * Reciprocal(Sqrt(...))); then optionally * gamma, + beta.
 * Matched from the first ReduceMean, each intermediate used only inside the pattern.
 */
final class LayerNormPattern {
    private LayerNormPattern() {}

    static boolean tryMatch(GraphBuilder b, OnnxGraph g, NodeProto mean1) {
        Value x = b.activation(mean1.getInput(0));
        if (x == null) return false;
        int last = x.type().shape().rank() - 1;
        if (!reducesLastAxisOnly(b, mean1, last)) return false;
        List<NodeProto> m = new ArrayList<>(List.of(mean1));

        NodeProto sub = g.soleConsumer(mean1.getOutput(0));
        if (!is(sub, "Sub") || !sub.getInput(0).equals(mean1.getInput(0)) || !sub.getInput(1).equals(mean1.getOutput(0))) return false;
        m.add(sub);
        String d = sub.getOutput(0);
        List<NodeProto> dUsers = g.consumersOf(d);
        if (dUsers.size() != 2 || g.graphOutputs.contains(d)) return false;

        NodeProto square = dUsers.stream().filter(u -> isSquareOf(b, u, d)).findFirst().orElse(null);
        NodeProto divide = dUsers.stream().filter(u -> u != square).findFirst().orElse(null);
        if (square == null || divide == null) return false;
        m.add(square);
        NodeProto mean2 = g.soleConsumer(square.getOutput(0));
        if (!is(mean2, "ReduceMean") || !reducesLastAxisOnly(b, mean2, last)) return false;
        m.add(mean2);
        NodeProto addEps = g.soleConsumer(mean2.getOutput(0));
        if (!is(addEps, "Add")) return false;
        Const eps = otherConst(b, addEps, mean2.getOutput(0));
        if (eps == null || eps.size() != 1) return false;
        m.add(addEps);
        NodeProto sqrt = g.soleConsumer(addEps.getOutput(0));
        if (!is(sqrt, "Sqrt")) return false;
        m.add(sqrt);

        String normalised;
        NodeProto next = g.soleConsumer(sqrt.getOutput(0));
        if (is(next, "Div") && next == divide && divide.getInput(0).equals(d) && divide.getInput(1).equals(sqrt.getOutput(0))) {
            m.add(divide);
            normalised = divide.getOutput(0);
        } else if (is(next, "Reciprocal") && is(divide, "Mul") && g.soleConsumer(next.getOutput(0)) == divide) {
            m.add(next);
            m.add(divide);
            normalised = divide.getOutput(0);
        } else {
            return false;
        }

        int features = x.type().shape().last();
        FloatTensor gamma = ones(features);
        FloatTensor beta = FloatTensor.zeros(Shape.of(features));
        NodeProto mul = g.soleConsumer(normalised);
        if (is(mul, "Mul")) {
            Const c = otherConst(b, mul, normalised);
            if (c != null && variesOnlyLast(c)) {
                gamma = GraphBuilder.perFeature(c, features, "LayerNorm scale");
                m.add(mul);
                normalised = mul.getOutput(0);
            }
        }
        NodeProto add = g.soleConsumer(normalised);
        if (is(add, "Add")) {
            Const c = otherConst(b, add, normalised);
            if (c != null && variesOnlyLast(c)) {
                beta = GraphBuilder.perFeature(c, features, "LayerNorm bias");
                m.add(add);
                normalised = add.getOutput(0);
            }
        }
        b.emitFused(m, new LayerNorm(gamma, beta, eps.get(0)), x, normalised);
        return true;
    }

    private static boolean is(NodeProto n, String op) {
        return n != null && n.getOpType().equals(op) && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }

    private static boolean reducesLastAxisOnly(GraphBuilder b, NodeProto reduce, int last) {
        long[] axes = b.reduceAxes(reduce, new Attrs(reduce));
        if (axes == null || axes.length != 1) return false;
        long a = axes[0] < 0 ? axes[0] + last + 1 : axes[0];
        return a == last && new Attrs(reduce).getInt("keepdims", 1) == 1;
    }

    private static boolean isSquareOf(GraphBuilder b, NodeProto u, String d) {
        if (is(u, "Pow") && u.getInput(0).equals(d)) {
            Const e = b.constOf(u.getInput(1));
            return e != null && e.size() == 1 && e.get(0) == 2.0;
        }
        return is(u, "Mul") && u.getInput(0).equals(d) && u.getInput(1).equals(d);
    }

    private static Const otherConst(GraphBuilder b, NodeProto n, String mine) {
        if (n.getInputCount() != 2) return null;
        String other = n.getInput(0).equals(mine) ? n.getInput(1) : n.getInput(1).equals(mine) ? n.getInput(0) : null;
        return other == null ? null : b.constOf(other);
    }

    private static boolean variesOnlyLast(Const c) {
        int[] d = c.dims();
        return Arrays.stream(d, 0, Math.max(0, d.length - 1)).allMatch(v -> v == 1);
    }

    private static FloatTensor ones(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return new FloatTensor(Shape.of(n), v);
    }
}
