package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.Axis;
import org.tfq.ir.op.Broadcast;
import org.tfq.ir.op.CausalMask;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.op.Softmax;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * A constant attention mask before a softmax, as PyTorch exports it: {@code Where(mask, -inf,
 * scores)} ({@code scores.masked_fill_(mask, -inf)}, Time-Series-Library's FullAttention) or
 * {@code Add(scores, M)} with {@code M} 0 where kept and {@code -inf} (or at most {@link #MASKED})
 * where masked ({@code nn.Transformer}'s float masks); then any multiplications or divisions by
 * positive scalars ({@code -inf} stays {@code -inf}); then the softmax. The mask becomes the
 * softmax's {@link CausalMask}, the scalings apply to the unmasked scores: the same result, with
 * no {@code -inf} left in the graph. Only masks of that closed form ({@code torch.triu(ones,
 * diagonal)}, the same for every batch and head) are taken; any other is refused by name.
 */
final class MaskedSoftmaxPattern {
    private MaskedSoftmaxPattern() {}

    /** A mask entry at or below this is masked: next to scores it makes exp exactly 0 in float32. */
    static final double MASKED = -1e4;

    /** Matches from the Where or Add; false (nothing emitted) if {@code n} is no such mask. */
    static boolean tryMatch(GraphBuilder b, OnnxGraph g, NodeProto n) {
        Value x;
        Const maskConst;
        boolean maskedWhereNonZero;
        if (n.getOpType().equals("Where")) {
            Const cond = b.constOf(n.getInput(0));
            Const c1 = b.constOf(n.getInput(1)), c2 = b.constOf(n.getInput(2));
            if (cond == null) return false;
            if (c1 != null && isFill(c1) && b.activation(n.getInput(2)) != null) {
                x = b.activation(n.getInput(2));
                maskedWhereNonZero = true;
            } else if (c2 != null && isFill(c2) && b.activation(n.getInput(1)) != null) {
                x = b.activation(n.getInput(1));
                maskedWhereNonZero = false;
            } else {
                return false;
            }
            maskConst = cond;
        } else {
            Const c0 = b.constOf(n.getInput(0)), c1 = b.constOf(n.getInput(1));
            Const c = c0 != null ? c0 : c1;
            x = b.activation(n.getInput(c0 != null ? 1 : 0));
            if (c == null || x == null || !isMask(c)) return false;
            double[] v = c.values();
            double[] m = new double[v.length];
            for (int i = 0; i < v.length; i++) m[i] = v[i] <= MASKED ? 1 : 0;
            maskConst = new Const(c.dims(), DataTypes.FLOAT, m);
            maskedWhereNonZero = true;
        }
        Shape s = x.type().shape();
        if (!Broadcast.shape(s, maskConst.shape()).equals(s)) return false;

        List<NodeProto> scalings = new ArrayList<>();
        NodeProto next = g.soleConsumer(n.getOutput(0));
        while (next != null && (next.getOpType().equals("Mul") || next.getOpType().equals("Div")) && positiveScalar(b, next) != null) {
            scalings.add(next);
            next = g.soleConsumer(next.getOutput(0));
        }
        if (next == null || !next.getOpType().equals("Softmax")) {
            throw new OnnxImportException("a mask (-inf where masked) is supported only before a softmax, through multiplications by positive scalars");
        }
        int axis = ConstFolder.normAxis(new Attrs(next).getInt("axis", -1), s.rank(), "axis");
        CausalMask mask = causal(maskConst, maskedWhereNonZero, s, axis, n);

        List<NodeProto> matched = new ArrayList<>(List.of(n));
        Value v = x;
        for (NodeProto m : scalings) {
            double c = positiveScalar(b, m);
            v = b.emitFused(List.of(m), new MulConstant(FloatTensor.scalar((float) (m.getOpType().equals("Mul") ? c : 1 / c))), v,
                    m.getOutput(0));
            matched.add(m);
        }
        b.absorb(matched);
        b.emitFused(List.of(next), new Softmax(axis, mask), v, next.getOutput(0));
        return true;
    }

    private static boolean isFill(Const c) {
        for (double v : c.values()) if (!(v <= MASKED)) return false;
        return c.size() > 0;
    }

    /** 0 where kept, masked entries at most {@link #MASKED}, at least one of them -inf or masked. */
    private static boolean isMask(Const c) {
        boolean any = false;
        for (double v : c.values()) {
            if (v <= MASKED) any = true;
            else if (v != 0) return false;
        }
        return any;
    }

    /** The positive scalar a Mul or Div node scales by (the other input an activation), else null. */
    private static Double positiveScalar(GraphBuilder b, NodeProto n) {
        Const c0 = b.constOf(n.getInput(0)), c1 = b.constOf(n.getInput(1));
        Const c = n.getOpType().equals("Div") ? c1 : c0 != null ? c0 : c1;
        if (c == null || c.size() != 1 || !(c.get(0) > 0) || Double.isInfinite(c.get(0))) return null;
        return c.get(0);
    }

    /** The one diagonal whose rule keeps exactly the unmasked elements of every row, or a refusal naming the node. */
    private static CausalMask causal(Const m, boolean maskedWhereNonZero, Shape s, int axis, NodeProto n) {
        int[] at = Broadcast.offsets(m.shape(), s);
        Axis v = Axis.of(s, axis);
        int rows = axis == 0 ? 1 : s.dim(axis - 1);
        int[] kept = new int[v.lines()];
        boolean any = false;
        for (int line = 0; line < v.lines(); line++) {
            int k = 0;
            while (k < v.length() && !masked(m, at[v.offset(line, k)], maskedWhereNonZero)) k++;
            for (int j = k; j < v.length(); j++) {
                if (!masked(m, at[v.offset(line, j)], maskedWhereNonZero)) throw notCausal(n, "row " + line + " keeps an element after a masked one");
            }
            if (k == 0) throw notCausal(n, "row " + line + " masks every element (a softmax of nothing)");
            any |= k < v.length();
            kept[line] = k;
        }
        if (!any) return CausalMask.NONE;
        for (int d = 1; d <= v.length(); d++) {
            CausalMask c = new CausalMask(d);
            boolean fits = true;
            for (int line = 0; line < kept.length && fits; line++) fits = c.valid(s, axis, line) == kept[line];
            if (fits) return c;
        }
        throw notCausal(n, "its kept prefix does not grow by one per row of the axis before the softmax's (" + rows + " rows)");
    }

    private static boolean masked(Const m, int i, boolean maskedWhereNonZero) {
        return (m.get(i) != 0) == maskedWhereNonZero;
    }

    private static OnnxImportException notCausal(NodeProto n, String why) {
        return new OnnxImportException("the mask is not causal (" + why + "); tfq supports masks of the form torch.triu(ones, diagonal=d), d >= 1, the same for every batch and head");
    }
}
