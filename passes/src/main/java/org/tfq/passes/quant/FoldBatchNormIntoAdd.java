package org.tfq.passes.quant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.Graph;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.Add;
import org.tfq.ir.op.AddBatchNorm;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.IntAdd;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Transpose;
import org.tfq.ir.pass.GraphPass;

/**
 * Folds an inference BatchNorm into the residual add that feeds it, so that
 * {@code Add -> (Transpose/Reshape...) -> BatchNorm} becomes one {@link IntAdd} with per-channel
 * multipliers and offset: y = gamma' (x_a + x_b) + beta' is computed as
 * {@code (a - Z_a) m_a + (b - Z_b) m_b + c} with m_a = round(gamma' S_a / S_out 2^s), m_b likewise
 * and c = round(beta' / S_out 2^s), one rounding and one pass over the data instead of two.
 *
 * <p>A fold needs: the add's output read only by a chain of Transpose/Reshape ops (each output
 * read only by the next) ending in the BatchNorm, not a graph output, and the layout ops only
 * moving elements so that every BatchNorm channel is one axis of the add's output. A
 * quantization-aware-trained model that quantizes the add's output has a quantization point as
 * its reader, so its trained quantizer is respected: no fold. The sum itself then has no
 * quantization of its own: the fused op computes the BatchNorm's output in the add's layout, and
 * the layout ops stay after it, as views, so the BatchNorm's output is their result.
 */
public final class FoldBatchNormIntoAdd implements GraphPass {

    @Override
    public String name() {
        return "fold-batchnorm-into-add";
    }

    /**
     * Each fold as one {@link AddBatchNorm} in the add's place, named for both nodes, computing
     * the add's output; the layout ops after it stay, and the BatchNorm's readers read the last
     * of them (or the sum) instead.
     */
    @Override
    public Graph apply(Graph g) {
        Map<Node, Fold> folds = find(g);
        Map<Node, Fold> byBatchNorm = new java.util.HashMap<>();
        folds.values().forEach(f -> byBatchNorm.put(f.batchNorm(), f));
        Map<String, Value> renamed = new java.util.HashMap<>();
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            Fold f = folds.get(n);
            if (byBatchNorm.containsKey(n)) {
                renamed.put(n.output().name(), renamed.getOrDefault(n.input(0).name(), n.input(0)));
                continue;
            }
            List<Value> ins = n.inputs().stream().map(v -> renamed.getOrDefault(v.name(), v)).toList();
            out.add(f == null ? new Node(n.name(), n.op(), ins, n.output()) : new Node(f.name(), new AddBatchNorm(f.inAddLayout()), ins, n.output()));
        }
        List<Value> outputs = g.outputs().stream().map(v -> renamed.getOrDefault(v.name(), v)).toList();
        return new Graph(g.name(), g.inputs(), outputs, out);
    }

    /**
     * One fold: the add, the layout ops after it in order, the BatchNorm, and the axis of the
     * add's output that is the BatchNorm's channel axis.
     */
    public record Fold(Node add, List<Node> layouts, Node batchNorm, int axis) {

        public Fold {
            layouts = List.copyOf(layouts);
        }

        /** The name of the fused node: both nodes it replaces. */
        public String name() {
            return add.name() + "+" + batchNorm.name();
        }

        /** The BatchNorm with its channels on the add's axis {@link #axis}. */
        public BatchNorm inAddLayout() {
            BatchNorm bn = (BatchNorm) batchNorm.op();
            return new BatchNorm(bn.scale(), bn.shift(), axis);
        }

        /** The fused op on inputs of types a and b, producing the BatchNorm's output in the add's layout. */
        public IntAdd lower(IntType a, IntType b, IntType out, int multiplierBits) {
            return FoldBatchNormIntoAdd.lower(new AddBatchNorm(inAddLayout()), add.output().type().shape(), a, b, out, multiplierBits);
        }
    }

    /** The integer add of {@code op} on inputs of types a and b and output shape {@code sum}. */
    public static IntAdd lower(AddBatchNorm op, Shape sum, IntType a, IntType b, IntType out, int multiplierBits) {
        BatchNorm bn = op.after();
        int[] d = new int[sum.rank()];
        Arrays.fill(d, 1);
        d[bn.axis()] = sum.dim(bn.axis());
        Shape channels = new Shape(d);
        return IntAdd.of(a, b, bn.scale().reshape(channels), bn.scale().reshape(channels), bn.shift().reshape(channels), false,
                out, multiplierBits);
    }

    /** Every fold of the graph, keyed by its add node, in graph order. */
    public static Map<Node, Fold> find(Graph g) {
        Map<Node, Fold> folds = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Add)) continue;
            List<Node> layouts = new ArrayList<>();
            Value v = n.output();
            Node bn = null;
            while (bn == null) {
                Node next = g.uses().soleReader(v.name());
                if (next == null) break;
                if (next.op() instanceof BatchNorm) bn = next;
                else if (next.op() instanceof Transpose || next.op() instanceof Reshape) layouts.add(next);
                else break;
                v = next.output();
            }
            if (bn == null) continue;
            int axis = channelAxis(n.output().type().shape(), layouts, bn);
            if (axis >= 0) folds.put(n, new Fold(n, layouts, bn, axis));
        }
        return folds;
    }

    /**
     * The axis of the add's output that carries the BatchNorm's channels through the layout ops,
     * or -1 if the layout ops do not just move elements one to one or the channels are not one axis.
     */
    static int channelAxis(Shape addShape, List<Node> layouts, Node bn) {
        // for each element of the BatchNorm's input, the add-output element it was moved from
        int size = Math.toIntExact(addShape.size());
        int[] from = new int[size];
        for (int i = 0; i < size; i++) from[i] = i;
        for (Node l : layouts) {
            int[] src = ((LayoutOp) l.op()).sourceOffsets(l.input(0).type().shape());
            if (src.length != size) return -1;
            int[] composed = new int[size];
            for (int i = 0; i < size; i++) composed[i] = from[src[i]];
            from = composed;
        }
        boolean[] hit = new boolean[size];
        for (int f : from) {
            if (hit[f]) return -1;
            hit[f] = true;
        }
        Shape x = bn.input(0).type().shape();
        int k = x.axis(((BatchNorm) bn.op()).axis());
        int channels = x.dim(k), stride = x.strides()[k];
        for (int j = 0; j < addShape.rank(); j++) {
            if (addShape.dim(j) != channels) continue;
            int strideJ = addShape.strides()[j];
            boolean same = true;
            for (int i = 0; i < size && same; i++) same = (i / stride) % channels == (from[i] / strideJ) % channels;
            if (same) return j;
        }
        return -1;
    }
}
