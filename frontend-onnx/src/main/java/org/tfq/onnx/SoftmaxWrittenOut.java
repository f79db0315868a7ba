package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.Value;
import org.tfq.ir.op.Softmax;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Softmax as users write it out: e = Exp(x - ReduceMax(x)) (or Exp(x) without the shift),
 * e / ReduceSum(e), maximum and sum over the same single axis with keepdims. Matched by
 * structure from the ReduceMax (or the Exp), every intermediate read only inside the pattern.
 */
final class SoftmaxWrittenOut {
    private SoftmaxWrittenOut() {}

    /** From the ReduceMax of x - max(x). */
    static boolean tryFromMax(GraphBuilder b, OnnxGraph g, NodeProto max) {
        Value x = b.activation(max.getInput(0));
        if (x == null) return false;
        Integer axis = singleKeptAxis(b, max, x);
        if (axis == null) return false;
        NodeProto sub = g.soleConsumer(max.getOutput(0));
        if (!is(sub, "Sub") || !sub.getInput(0).equals(max.getInput(0)) || !sub.getInput(1).equals(max.getOutput(0))) return false;
        if (g.graphOutputs.contains(sub.getOutput(0))) return false;
        NodeProto exp = g.soleConsumer(sub.getOutput(0));
        if (!is(exp, "Exp")) return false;
        return finish(b, g, new ArrayList<>(List.of(max, sub)), exp, x, axis);
    }

    /** From the Exp of x, when no maximum is subtracted. */
    static boolean tryFromExp(GraphBuilder b, OnnxGraph g, NodeProto exp) {
        Value x = b.activation(exp.getInput(0));
        if (x == null) return false;
        List<NodeProto> users = g.consumersOf(exp.getOutput(0));
        NodeProto sum = users.stream().filter(u -> is(u, "ReduceSum")).findFirst().orElse(null);
        if (sum == null) return false;
        Integer axis = singleKeptAxis(b, sum, x);
        return axis != null && finish(b, g, new ArrayList<>(), exp, x, axis);
    }

    private static boolean finish(GraphBuilder b, OnnxGraph g, List<NodeProto> matched, NodeProto exp, Value x, int axis) {
        String e = exp.getOutput(0);
        List<NodeProto> users = g.consumersOf(e);
        if (users.size() != 2 || g.graphOutputs.contains(e)) return false;
        NodeProto sum = users.stream().filter(u -> is(u, "ReduceSum")).findFirst().orElse(null);
        NodeProto div = users.stream().filter(u -> is(u, "Div")).findFirst().orElse(null);
        if (sum == null || div == null || !sum.getInput(0).equals(e)) return false;
        Integer sumAxis = singleKeptAxis(b, sum, x);
        if (sumAxis == null || sumAxis != axis || g.graphOutputs.contains(sum.getOutput(0))) return false;
        if (g.soleConsumer(sum.getOutput(0)) != div || !div.getInput(0).equals(e) || !div.getInput(1).equals(sum.getOutput(0))) return false;
        matched.add(exp);
        matched.add(sum);
        matched.add(div);
        b.emitFused(matched, new Softmax(axis), x, div.getOutput(0));
        return true;
    }

    /** The one axis a reduction reduces with keepdims, or null. */
    private static Integer singleKeptAxis(GraphBuilder b, NodeProto reduce, Value x) {
        if (new Attrs(reduce).getInt("keepdims", 1) == 0) return null;
        long[] axes = MeanReductions.axes(b, reduce);
        if (axes == null || axes.length != 1) return null;
        int rank = x.type().shape().rank();
        long a = axes[0] < 0 ? axes[0] + rank : axes[0];
        return a < 0 || a >= rank ? null : (int) a;
    }

    private static boolean is(NodeProto n, String op) {
        return n != null && n.getOpType().equals(op) && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }
}
