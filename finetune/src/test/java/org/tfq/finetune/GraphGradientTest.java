package org.tfq.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.io.Npy;
import org.tfq.ir.op.AddBatchNorm;
import org.tfq.ir.op.FloatOp;
import org.tfq.ir.op.Linear;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;

/** Backprop through a whole exported model (attention, BatchNorm, ReLU, pooling) against finite differences. */
class GraphGradientTest {

    static Path models() {
        return Path.of(System.getProperty("tfq.root"), "testdata", "models");
    }

    /** As imported, and fused as fine-tuning trains it (Linear with addend and ReLU, residual add with BatchNorm). */
    @ParameterizedTest(name = "fused {0}")
    @ValueSource(booleans = {false, true})
    void referenceModelGradientsMatchFiniteDifferences(boolean fused) {
        ImportResult r = OnnxImporter.load(models().resolve("ref_n12_d16_m1.onnx"), ImportOptions.DEFAULT);
        Graph g = fused ? Finetune.fused(r.graph()) : r.graph();
        if (fused) {
            assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof AddBatchNorm), "a residual add with its BatchNorm");
            assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Linear l && l.relu()), "a Linear with its ReLU");
        }
        FloatTensor x = Samples.toBound(r.inputs().get(0), Npy.read(models().resolve("ref_n12_d16_m1.inputs.npy")), 3);
        String in = g.inputs().get(0).name();
        Backprop.Result res = Backprop.run(g, Map.of(in, x), y -> new double[] {1.0});

        double[] dx = res.valueGrads().get(in);
        for (int i = 0; i < dx.length; i++) checkAt("model input", x, dx, i, t -> out(g, t));
        // every parameter (Linear, BatchNorm), a few elements each: from the output head back to the input projection
        for (int k = 0; k < g.nodes().size(); k++) {
            Node n = g.nodes().get(k);
            FloatOp lin = (FloatOp) n.op();
            List<FloatTensor> params = Backward.parameters(lin);
            if (params.isEmpty()) continue;
            double[][] grads = res.params().get(n.name());
            for (int p = 0; p < params.size(); p++) {
                final int which = p, node = k;
                checkSome(n.name() + " parameter " + p, params.get(p), grads[p], t -> {
                    List<FloatTensor> ps = new ArrayList<>(params);
                    ps.set(which, t);
                    return out(replace(g, node, Backward.withParameters(lin, ps)), x);
                });
            }
        }
        assertTrue(res.params().size() >= 7, "linears and batchnorms have parameter gradients: " + res.params().keySet());
    }

    static double out(Graph g, FloatTensor x) {
        return FloatInterpreter.run(g, x).data()[0];
    }

    static Graph replace(Graph g, int k, FloatOp op) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        Node n = nodes.get(k);
        nodes.set(k, new Node(n.name(), op, n.inputs(), n.output()));
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes);
    }

    /** Six random elements: the full check of a 64x16 weight through a whole model is slow. */
    static void checkSome(String what, FloatTensor at, double[] analytic, java.util.function.ToDoubleFunction<FloatTensor> loss) {
        Random r = new Random(what.hashCode());
        for (int j = 0; j < 6; j++) checkAt(what, at, analytic, r.nextInt(analytic.length), loss);
    }

    /**
     * Central differences at four steps, the closest one counting: hundreds of ReLUs lie between
     * input and output, and a step that carries one across its kink measures a different slope
     * (seen on input element 1: 0.0164 at 1e-2, 0.0189 at 1e-3, 0.0228 at 3e-4 towards 0.0254).
     */
    static void checkAt(String what, FloatTensor at, double[] analytic, int i, java.util.function.ToDoubleFunction<FloatTensor> loss) {
        double scale = 0;
        for (double a : analytic) scale = Math.max(scale, Math.abs(a));
        double best = Double.NaN;
        for (double h : new double[] {1e-2, 3e-3, 1e-3, 3e-4}) {
            float[] plus = at.data().clone(), minus = at.data().clone();
            plus[i] += (float) h;
            minus[i] -= (float) h;
            double fd = (loss.applyAsDouble(new FloatTensor(at.shape(), plus)) - loss.applyAsDouble(new FloatTensor(at.shape(), minus)))
                    / ((double) plus[i] - minus[i]);
            if (Double.isNaN(best) || Math.abs(fd - analytic[i]) < Math.abs(best - analytic[i])) best = fd;
        }
        assertEquals(best, analytic[i], 3e-3 * scale + 1e-4, what + " element " + i);
    }
}
