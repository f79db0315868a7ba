package org.tfq.passes.quant;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.Node;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.Broadcast;
import org.tfq.ir.op.IntLinear;
import org.tfq.ir.op.Linear;
import org.tfq.ir.pass.GraphPass;
import org.tfq.ir.pass.NodeRewriter;

/**
 * Folds a constant added to a Linear's output (the reference design's sin/cos positional encoding
 * after the input projection) into the integer Linear: {@code linear -> add_const C} becomes one
 * {@link IntLinear} whose row bias is rowBias[r][o] = round(C[r][o] / (S_x S_w,o)), C broadcast to
 * the Linear's output [rows, out], so the sum is requantized once, to the add's output
 * quantization, instead of rounding the Linear's output and then the sum.
 *
 * <p>A fold needs: the Linear's output read only by the add_const (so neither a graph output nor
 * read by anything else), and the constant broadcasting into the Linear's output without growing
 * it. A quantization-aware-trained model that quantizes the Linear's output has a quantization
 * point as its reader, so its trained quantizer is respected: no fold. The Linear's output then has
 * no quantization of its own (calibration is not asked for it); the fused node computes the
 * add_const's output.
 */
public final class FoldAddConstantIntoLinear implements GraphPass {

    @Override
    public String name() {
        return "fold-add-constant-into-linear";
    }

    /** Each fold as one Linear with the constant as its addend, named for both nodes, computing the add's output. */
    @Override
    public Graph apply(Graph g) {
        Map<Node, Fold> byAdd = new java.util.HashMap<>();
        find(g).values().forEach(f -> byAdd.put(f.addConstant(), f));
        NodeRewriter r = new NodeRewriter(g);
        for (Node n : g.nodes()) {
            Fold f = byAdd.get(n);
            if (f != null) {
                Node lin = f.linear();
                r.replace(lin.output(), new Node(f.name(), ((Linear) lin.op()).withAddend(f.constant()), lin.inputs(), f.output()));
            } else {
                r.keep(n);
            }
        }
        return r.graph();
    }

    /** One fold: the Linear and the add_const that is the only reader of its output. */
    public record Fold(Node linear, Node addConstant) {

        /** The name of the fused node: both nodes it replaces. */
        public String name() {
            return linear.name() + "+" + addConstant.name();
        }

        /** The value the fused op computes: the add_const's output. */
        public Value output() {
            return addConstant.output();
        }

        /**
         * The row bias [rows, out]: the constant broadcast to the Linear's output, in units of
         * {@code unit[o]} (the real value of one unit of output o's bias), rounded as the bias is.
         */
        public IntTensor rowBias(double[] unit) {
            return FoldAddConstantIntoLinear.rowBias(constant(), linear.output().type().shape(), unit);
        }

        /** Per output feature, the least and greatest value of the constant over the rows: {min, max}. */
        public double[][] constantRange() {
            return FoldAddConstantIntoLinear.constantRange(constant(), linear.output().type().shape());
        }

        private FloatTensor constant() {
            return ((AddConstant) addConstant.op()).constant();
        }
    }

    /**
     * The row bias [rows, out] of a constant {@code c} added to a Linear's output of shape
     * {@code y}: c broadcast to y, in units of {@code unit[o]} (the real value of one unit of
     * output o's bias), rounded as the bias is.
     */
    public static IntTensor rowBias(FloatTensor c, Shape y, double[] unit) {
        int outF = y.last();
        if (unit.length != outF) throw new IllegalArgumentException(unit.length + " units for " + outF + " outputs");
        float[] b = broadcast(c, y);
        long[] rb = new long[b.length];
        for (int i = 0; i < rb.length; i++) rb[i] = IntMath.nearest(b[i] / unit[i % outF]);
        return new IntTensor(Shape.of(rb.length / outF, outF), rb);
    }

    /** Per output feature, the least and greatest value of {@code c} broadcast to {@code y} over the rows: {min, max}. */
    public static double[][] constantRange(FloatTensor c, Shape y) {
        int outF = y.last();
        double[][] r = new double[outF][];
        for (int o = 0; o < outF; o++) r[o] = new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        float[] b = broadcast(c, y);
        for (int i = 0; i < b.length; i++) {
            double[] range = r[i % outF];
            range[0] = Math.min(range[0], b[i]);
            range[1] = Math.max(range[1], b[i]);
        }
        return r;
    }

    /** The constant laid out like the Linear's output, row after row. */
    private static float[] broadcast(FloatTensor c, Shape y) {
        int[] from = Broadcast.offsets(c.shape(), y);
        float[] out = new float[from.length];
        for (int i = 0; i < out.length; i++) out[i] = c.data()[from[i]];
        return out;
    }

    /** Every fold of the graph, keyed by its Linear node, in graph order. */
    public static Map<Node, Fold> find(Graph g) {
        Map<Node, Fold> folds = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Linear lin) || lin.addend() != null || lin.relu()) continue; // already fused: the constant would come after
            Node r = g.uses().soleReader(n.output().name());
            if (r == null || !(r.op() instanceof AddConstant ac)) continue;
            Shape y = n.output().type().shape();
            if (y.rank() < 1 || !fitsInto(ac.constant().shape(), y)) continue;
            folds.put(n, new Fold(n, r));
        }
        return folds;
    }

    /** Whether c broadcasts to y without making it larger. */
    private static boolean fitsInto(Shape c, Shape y) {
        try {
            return Broadcast.shape(y, c).equals(y);
        } catch (IrException e) {
            return false;
        }
    }
}
