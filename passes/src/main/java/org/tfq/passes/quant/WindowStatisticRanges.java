package org.tfq.passes.quant;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Value;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.MeanPool;
import org.tfq.ir.op.Mul;
import org.tfq.ir.op.Sub;
import org.tfq.ir.op.UnaryFunction;

/**
 * Ranges of the statistics of the input window (RevIN's and the Non-stationary Transformer's
 * mean, variance and standard deviation over time) from what their operands' ranges imply, not
 * only from what calibration saw: a mean lies within its operand's range, {@code v + eps} within
 * the operand's shifted by eps, {@code sqrt(v)} below the square root of the operand's top. The
 * de-normalization adds and multiplies these into the forecast directly, so a test window beyond
 * the training range (a level or spread calibration never saw) would otherwise saturate them and
 * move the forecast by the whole excess; the bounds cost at most the operand's resolution.
 * Window statistics are the values computed from the model input by means, differences,
 * products, {@code + constant} and square roots alone; other means (a pooling of features) keep
 * their calibrated ranges.
 */
final class WindowStatisticRanges {
    private WindowStatisticRanges() {}

    /** The values computed from the model input by the ops of window statistics alone. */
    static Set<String> of(Graph g) {
        Set<String> window = new HashSet<>();
        for (Value in : g.inputs()) window.add(in.name());
        for (Node n : g.nodes()) {
            boolean statisticOp = n.op() instanceof MeanPool || n.op() instanceof Sub || n.op() instanceof Mul
                    || (n.op() instanceof AddConstant ac && ac.constant().data().length == 1)
                    || (n.op() instanceof UnaryFunction u && u.kind() == UnaryFunction.Kind.SQRT);
            if (statisticOp && n.inputs().stream().allMatch(v -> window.contains(v.name()))) window.add(n.output().name());
        }
        return window;
    }

    /** {@code q} widened to the range {@code n}'s operand implies, if {@code n} is a mean, {@code + eps} or square root. */
    static QuantSpec widen(QuantSpec q, Node n, Map<String, QuantSpec> acts, int bits) {
        QuantSpec in = acts.get(n.input(0).name());
        if (in == null || !in.perTensor() || !q.perTensor()) return q;
        double lo = q.dequantize(q.qmin(), 0), hi = q.dequantize(q.qmax(), 0);
        double inLo = in.dequantize(in.qmin(), 0), inHi = in.dequantize(in.qmax(), 0);
        if (n.op() instanceof MeanPool) {
            return PlanPostTraining.fromRange(Math.min(lo, inLo), Math.max(hi, inHi), bits);
        }
        if (n.op() instanceof AddConstant ac) {
            double c = ac.constant().data()[0];
            return PlanPostTraining.fromRange(Math.min(lo, inLo + c), Math.max(hi, inHi + c), bits);
        }
        if (n.op() instanceof UnaryFunction u && u.kind() == UnaryFunction.Kind.SQRT) {
            return PlanPostTraining.fromRange(lo, Math.max(hi, Math.sqrt(Math.max(0, inHi))), bits);
        }
        return q;
    }
}
