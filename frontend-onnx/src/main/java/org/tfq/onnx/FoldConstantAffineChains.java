package org.tfq.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.BatchNorm;
import org.tfq.ir.op.MulConstant;
import org.tfq.ir.pass.GraphPass;

/**
 * A chain of constant multiplications and additions that vary along at most one axis, each
 * result read only by the next (BatchNorm written out as (x - mean) / sqrt(var + eps) * g + b
 * or x * scale + shift), becomes one per-channel {@link BatchNorm}: one pass and one rounding in
 * integers instead of one per op. A chain whose scale is one positive number is left alone:
 * its multiplications are free relabellings of the scale already.
 */
final class FoldConstantAffineChains implements GraphPass {

    @Override
    public String name() {
        return "fold-constant-affine-chains";
    }

    @Override
    public Graph apply(Graph g) {
        Set<String> outputs = new java.util.HashSet<>();
        g.outputs().forEach(v -> outputs.add(v.name()));
        return new Graph(g.name(), g.inputs(), g.outputs(), fold(g.nodes(), outputs));
    }

    /** y = x * scale + shift per index of {@code axis} (-1: one scale and shift for every element). */
    private record Affine(int axis, double[] scale, double[] shift) {
        Affine then(Affine next) {
            int ax = axis >= 0 ? axis : next.axis;
            int n = Math.max(scale.length, next.scale.length);
            double[] s = new double[n];
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                double s1 = at(scale, i), s2 = at(next.scale, i);
                s[i] = s1 * s2;
                t[i] = at(shift, i) * s2 + at(next.shift, i);
            }
            return new Affine(ax, s, t);
        }

        boolean composable(Affine next) {
            return axis < 0 || next.axis < 0 || axis == next.axis;
        }

        boolean uniformPositiveScale() {
            for (double v : scale) if (v != scale[0]) return false;
            return scale[0] > 0;
        }

        private static double at(double[] v, int i) {
            return v.length == 1 ? v[0] : v[i];
        }
    }

    static List<Node> fold(List<Node> nodes, Set<String> graphOutputs) {
        Map<String, Integer> readers = new HashMap<>();
        for (Node n : nodes) for (Value v : n.inputs()) readers.merge(v.name(), 1, Integer::sum);
        Map<String, List<Integer>> chainEndingAt = new HashMap<>();
        Map<String, Affine> affineOf = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Affine f = affine(n);
            if (f == null) continue;
            String in = n.input(0).name();
            Affine before = affineOf.get(in);
            List<Integer> chain = new ArrayList<>();
            if (before != null && readers.getOrDefault(in, 0) == 1 && !graphOutputs.contains(in) && before.composable(f)) {
                chain = chainEndingAt.remove(in); // extended in place: copying it made a chain of N quadratic
                affineOf.remove(in);
                f = before.then(f);
            }
            chain.add(i);
            chainEndingAt.put(n.output().name(), chain);
            affineOf.put(n.output().name(), f);
        }
        List<Node> out = new ArrayList<>(nodes);
        for (Map.Entry<String, List<Integer>> e : chainEndingAt.entrySet()) {
            List<Integer> chain = e.getValue();
            Affine f = affineOf.get(e.getKey());
            if (chain.size() < 2 || f.uniformPositiveScale()) continue;
            Node first = nodes.get(chain.get(0));
            Node last = nodes.get(chain.get(chain.size() - 1));
            Shape x = first.input(0).type().shape();
            int axis = f.axis() >= 0 ? f.axis() : x.rank() - 1;
            int c = x.dim(axis);
            BatchNorm bn = new BatchNorm(vector(f.scale(), c), vector(f.shift(), c), axis);
            for (int i : chain) out.set(i, null);
            out.set(chain.get(chain.size() - 1), new Node(last.name(), bn, List.of(first.input(0)), last.output()));
        }
        out.removeIf(java.util.Objects::isNull);
        return out;
    }

    private static FloatTensor vector(double[] v, int c) {
        float[] r = new float[c];
        for (int i = 0; i < c; i++) r[i] = (float) (v.length == 1 ? v[0] : v[i]);
        return new FloatTensor(Shape.of(c), r);
    }

    private static Affine affine(Node n) {
        Shape x = n.input(0).type().shape();
        if (!n.output().type().shape().equals(x) || x.rank() == 0) return null;
        if (n.op() instanceof BatchNorm bn) {
            return new Affine(x.axis(bn.axis()), doubles(bn.scale()), doubles(bn.shift()));
        }
        FloatTensor c = n.op() instanceof MulConstant m ? m.constant() : n.op() instanceof AddConstant a ? a.constant() : null;
        if (c == null) return null;
        int axis = -1;
        int[] d = c.shape().dims();
        for (int i = 0; i < d.length; i++) {
            if (d[i] == 1) continue;
            if (axis >= 0) return null;
            axis = x.rank() - d.length + i;
        }
        double[] v = doubles(c);
        return n.op() instanceof MulConstant ? new Affine(axis, v, zerosLike(v)) : new Affine(axis, onesLike(v), v);
    }

    private static double[] doubles(FloatTensor t) {
        double[] r = new double[t.data().length];
        for (int i = 0; i < r.length; i++) r[i] = t.data()[i];
        return r;
    }

    private static double[] zerosLike(double[] v) {
        return new double[v.length];
    }

    private static double[] onesLike(double[] v) {
        double[] r = new double[v.length];
        java.util.Arrays.fill(r, 1);
        return r;
    }
}
