package org.tfq.finetune;

import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Shape;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.Linear;
import org.tfq.passes.quant.QuantPlan;

/**
 * The trainable state of a fake-quantized graph as one flat vector: per Linear its float
 * (unrounded) weights, bias and weight scales; LayerNorm gamma and beta; BatchNorm scale and
 * shift; each FakeQuant's scale. {@link #graph} rounds the weights and builds the graph the
 * forward runs (and the trained model is); {@link #gradient} maps a backward pass's gradients at
 * that graph onto the vector: straight through the weight rounding, LSQ for the scales, each
 * scale's gradient multiplied by LSQ's gradient scale 1 / sqrt(N * qmax) (N the values sharing it).
 */
public final class QatModel {
    private final Graph template;
    /** per node, the offset in the vector of each of its parameters (empty for none) */
    private final int[][] offsets;
    private final double[] theta;
    private final double[] gradScale;
    private final double[] stepScale;

    /** Starts from the float graph's weights and the plan's scales. */
    public QatModel(Graph floatGraph, QuantPlan plan) {
        template = InsertFakeQuant.run(floatGraph, plan);
        java.util.Map<String, Linear> floatLinears = new java.util.HashMap<>();
        for (Node n : floatGraph.nodes()) if (n.op() instanceof Linear l) floatLinears.put(n.name(), l);
        List<Node> nodes = template.nodes();
        List<String> untrainable = nodes.stream().filter(n -> !Backward.supports((FloatOp) n.op()))
                .map(n -> "node " + n.name() + ": " + n.op().mnemonic() + " has no backward pass").toList();
        if (!untrainable.isEmpty()) throw new UnsupportedOperationException(String.join("\n", untrainable) + "\nthis model cannot be fine-tuned");
        offsets = new int[nodes.size()][];
        List<double[]> init = new ArrayList<>();
        List<Double> scaleOf = new ArrayList<>();
        int size = 0;
        for (int k = 0; k < nodes.size(); k++) {
            List<double[]> p = new ArrayList<>();
            List<Double> g = new ArrayList<>(); // per parameter, LSQ's gradient scale for a scale, null for a weight
            FloatOp op = (FloatOp) nodes.get(k).op();
            if (op instanceof Linear lin) {
                QuantSpec q = lin.weightQuant();
                p.add(toDouble(floatLinears.get(nodes.get(k).name()).weight()));
                g.add(null);
                if (lin.bias() != null) {
                    p.add(toDouble(lin.bias()));
                    g.add(null);
                }
                p.add(q.scale());
                g.add(1 / Math.sqrt((double) (q.perTensor() ? lin.weight().data().length : lin.inFeatures()) * q.qmax()));
            } else if (op instanceof FakeQuant fq) {
                p.add(fq.spec().scale());
                long n = nodes.get(k).output().type().shape().size();
                g.add(1 / Math.sqrt((double) n * Math.max(1, fq.spec().qmax())));
            } else {
                for (FloatTensor t : Backward.parameters(op)) {
                    p.add(toDouble(t));
                    g.add(null);
                }
            }
            offsets[k] = new int[p.size()];
            for (int i = 0; i < p.size(); i++) {
                offsets[k][i] = size;
                size += p.get(i).length;
                init.add(p.get(i));
                for (int j = 0; j < p.get(i).length; j++) scaleOf.add(g.get(i));
            }
        }
        theta = new double[size];
        gradScale = new double[size];
        int at = 0;
        for (double[] a : init) {
            System.arraycopy(a, 0, theta, at, a.length);
            at += a.length;
        }
        stepScale = new double[size];
        for (int i = 0; i < size; i++) {
            // null: a weight, not a scale
            gradScale[i] = scaleOf.get(i) == null ? 1 : scaleOf.get(i);
            stepScale[i] = scaleOf.get(i) == null ? 1 : theta[i];
        }
    }

    /**
     * Per parameter, what an optimizer's step is multiplied by: 1 for weights, and for a scale its
     * starting value, so that a step moves every scale by the same fraction of itself. Adam moves
     * each parameter by about the learning rate whatever its gradient, which for a 4-bit weight
     * scale of 0.03 is a large part of a step and re-rounds the whole layer.
     */
    public double[] stepScale() {
        return stepScale;
    }

    /** The trainable values, in place: an optimizer updates them. */
    public double[] parameters() {
        return theta;
    }

    /** The fake-quantized graph at the current parameters: the forward pass, and the trained model. */
    public Graph graph() {
        List<Node> nodes = new ArrayList<>();
        for (int k = 0; k < template.nodes().size(); k++) {
            Node n = template.nodes().get(k);
            FloatOp op = (FloatOp) n.op();
            int[] o = offsets[k];
            if (op instanceof Linear lin) {
                QuantSpec q = lin.weightQuant();
                QuantSpec nq = new QuantSpec(positive(o[o.length - 1], q.scale().length), q.zeroPoint(), q.axis(), q.bits(), q.signed(), q.qmin(), q.qmax());
                FloatTensor w = tensor(o[0], lin.weight().shape());
                op = new Linear(InsertFakeQuant.roundWeights(w, nq), lin.bias() == null ? null : tensor(o[1], lin.bias().shape()), nq, lin.addend(),
                        lin.relu());
            } else if (op instanceof FakeQuant fq) {
                QuantSpec q = fq.spec();
                op = new FakeQuant(new QuantSpec(positive(o[0], 1), q.zeroPoint(), q.axis(), q.bits(), q.signed(), q.qmin(), q.qmax()));
            } else if (o.length > 0) {
                List<FloatTensor> ps = new ArrayList<>();
                List<FloatTensor> old = Backward.parameters(op);
                for (int i = 0; i < o.length; i++) ps.add(tensor(o[i], old.get(i).shape()));
                op = Backward.withParameters(op, ps);
            }
            nodes.add(new Node(n.name(), op, n.inputs(), n.output()));
        }
        return new Graph(template.name(), template.inputs(), template.outputs(), nodes);
    }

    /**
     * The gradient at the parameters, added into {@code into}, from a backward pass through
     * {@code g}, which {@link #graph} built from the current parameters.
     */
    public void gradient(Graph g, Backprop.Result r, double[] into) {
        for (int k = 0; k < g.nodes().size(); k++) {
            Node n = g.nodes().get(k);
            double[][] d = r.params().get(n.name());
            if (d == null) continue;
            int[] o = offsets[k];
            if (n.op() instanceof Linear lin) {
                // the forward used the rounded weights: straight through the rounding to the float
                // weights, LSQ to the scales
                QuantSpec q = lin.weightQuant();
                int in = lin.inFeatures(), so = o[o.length - 1];
                for (int i = 0; i < d[0].length; i++) {
                    int c = q.perTensor() ? 0 : i / in;
                    double[] local = Backward.steAndScale(q, (float) theta[o[0] + i], c);
                    into[o[0] + i] += d[0][i] * local[0];
                    into[so + c] += d[0][i] * local[1] * gradScale[so + c];
                }
                if (lin.bias() != null) add(d[1], o[1], into);
            } else if (n.op() instanceof FakeQuant) {
                into[o[0]] += d[0][0] * gradScale[o[0]];
            } else {
                for (int i = 0; i < o.length; i++) add(d[i], o[i], into);
            }
        }
    }

    private static void add(double[] d, int at, double[] into) {
        for (int i = 0; i < d.length; i++) into[at + i] += d[i];
    }

    private FloatTensor tensor(int at, Shape s) {
        float[] f = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < f.length; i++) f[i] = (float) theta[at + i];
        return new FloatTensor(s, f);
    }

    /**
     * Scales as QuantSpec takes them: an optimizer step that drives one to 0 or below leaves it at
     * a tiny positive step instead; and as float32, as ONNX stores them, so the written model
     * compiles to exactly the integer model trained here.
     */
    private double[] positive(int at, int n) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) s[i] = (float) Math.max(theta[at + i], 1e-9);
        return s;
    }

    private static double[] toDouble(FloatTensor t) {
        double[] d = new double[t.data().length];
        for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
        return d;
    }
}
