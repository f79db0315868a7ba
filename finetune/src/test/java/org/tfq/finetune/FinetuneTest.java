package org.tfq.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.io.Npy;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Linear;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.QuantPlan;
import org.tfq.passes.quant.Quantize;

/** Fine-tuning the reference design's smallest model at 4 bits, judged by tfq's own integer model. */
class FinetuneTest {
    static final QuantOptions Q4 = QuantOptions.uniform(4);

    record Data(Graph graph, List<FloatTensor> x, List<FloatTensor> y, List<FloatTensor> cal) {}

    static Data load(String stem) {
        Path dir = GraphGradientTest.models();
        ImportResult r = OnnxImporter.load(dir.resolve(stem + ".onnx"), ImportOptions.DEFAULT);
        return new Data(r.graph(), bound(r, dir.resolve(stem + ".inputs.npy"), true), bound(r, dir.resolve(stem + ".targets.npy"), false),
                bound(r, dir.resolve(stem + ".calibration.npy"), true));
    }

    static List<FloatTensor> bound(ImportResult r, Path npy, boolean input) {
        var m = input ? r.inputs().get(0) : r.outputs().get(0);
        FloatTensor stack = Npy.read(npy);
        List<FloatTensor> out = new ArrayList<>();
        for (int i = 0; i < Samples.count(m, stack); i++) out.add(Samples.toBound(m, stack, i));
        return out;
    }

    static double rmse(IntegerModel m, List<FloatTensor> x, List<FloatTensor> y) {
        double s = 0;
        for (int i = 0; i < x.size(); i++) s += Finetune.mse(m.run(x.get(i)).data(), y.get(i).data());
        return Math.sqrt(s / x.size());
    }

    static double rmse(Graph g, List<FloatTensor> x, List<FloatTensor> y) {
        double s = 0;
        for (int i = 0; i < x.size(); i++) s += Finetune.mse(FloatInterpreter.run(g, x.get(i)).data(), y.get(i).data());
        return Math.sqrt(s / x.size());
    }

    /**
     * Before any training the fake-quantized graph is the post-training model: compiled as a
     * trained model it gets exactly the plan's scales (in float32, as ONNX stores them), and its float forward rounds as the integer
     * model does, so both have the same error.
     */
    @Test
    void fakeQuantizedStartCompilesWithThePlansScalesAndMatchesTheIntegerModel() {
        Data d = load("ref_n12_d16_m1");
        QuantPlan plan = Finetune.plan(d.graph(), d.cal(), Q4);
        Graph start = new QatModel(Finetune.fused(d.graph()), plan).graph();
        IntegerModel im = Quantize.run(start, Q4, true, null);
        int checked = 0;
        for (Node n : im.graph().nodes()) {
            // quantized values keep their float names; the integer graph names a requantized op by the value before its FakeQuant
            String name = n.output().name().endsWith("_float") ? n.output().name().substring(0, n.output().name().length() - 6) : n.output().name();
            if (plan.activation(name) == null || !(n.output().type().element() instanceof IntType t)) continue;
            // float32, as the written ONNX file holds it
            assertEquals((float) plan.activation(name).scale(0), t.scale(), 0, name);
            checked++;
        }
        // the plan is of the fused graph, as compile's: every planned value but the input (no node computes it) is an integer op's output
        assertEquals(plan.activations().size() - 1, checked);
        assertEquals(15, checked);
        for (Node n : start.nodes()) {
            if (n.op() instanceof Linear l) {
                QuantSpec p = plan.weights().get(n.name()), w = l.weightQuant();
                assertEquals(p.bits(), w.bits(), n.name());
                for (int c = 0; c < p.scale().length; c++) assertEquals((float) p.scale(c), w.scale(c), 0, n.name());
            }
        }
        double integer = rmse(im, d.x(), d.y()), ptq = rmse(Quantize.run(d.graph(), Q4, true, d.cal()), d.x(), d.y());
        double fake = rmse(start, d.x(), d.y());
        assertEquals(ptq, integer, 0.02 * ptq, "the fake-quantized start compiles to the post-training model");
        assertEquals(integer, fake, 0.03 * integer, "fake quantization rounds as the integer model does");
    }

    /**
     * 4-bit post-training quantization of ref_n12_d16_m1 has an RMSE of 0.289 (float: 0.028);
     * at most 30 epochs (about 3 s) bring the integer model to 0.128 (seed 3). The test asks for 40% less than
     * post-training, and the same weights from the same seed whether on one core or two.
     */
    @Test
    void fourBitFinetuningImprovesTheIntegerModelDeterministically() {
        Data d = load("ref_n12_d16_m1");
        QuantPlan plan = Finetune.plan(d.graph(), d.cal(), Q4);
        Finetune.Split split = Finetune.split(d.x(), d.y(), 8);
        Finetune.Options o = Finetune.Options.defaults().withSeed(3);
        Finetune.Result r = Finetune.run(d.graph(), plan, split, o.withThreads(2), null);
        double ptq = rmse(Quantize.run(d.graph(), Q4, true, d.cal()), d.x(), d.y());
        IntegerModel tuned = Quantize.run(r.graph(), Q4, true, null);
        double after = rmse(tuned, d.x(), d.y());
        System.out.printf("ref_n12_d16_m1 4-bit: post-training %.4f, fine-tuned %.4f (best epoch %d of %d)%n", ptq, after, r.bestEpoch(), r.history().size() - 1);
        assertTrue(after < 0.6 * ptq, "fine-tuned " + after + " vs post-training " + ptq);
        assertTrue(r.bestEpoch() > 0);

        Finetune.Result again = Finetune.run(d.graph(), plan, split, o.withThreads(1), null);
        assertEquals(r.history(), again.history());
        for (int k = 0; k < r.graph().nodes().size(); k++) {
            Node a = r.graph().nodes().get(k), b = again.graph().nodes().get(k);
            assertEquals(a.op(), b.op(), a.name());
        }
        assertTrue(r.graph().nodes().stream().anyMatch(n -> n.op() instanceof FakeQuant));
    }

    /** Bad data stops training before it starts, with one line saying which window and what. */
    @Test
    void badWindowsAndModelsWithoutWeightsAreRefusedInOneLine() {
        Data d = load("ref_n12_d16_m1");
        QuantPlan plan = Finetune.plan(d.graph(), d.cal(), Q4);
        List<FloatTensor> x = new ArrayList<>(d.x().subList(0, 8)), y = new ArrayList<>(d.y().subList(0, 8));
        Finetune.Options o = Finetune.Options.defaults().withEpochs(1);
        float[] nan = x.get(5).data().clone();
        nan[3] = Float.NaN;
        List<FloatTensor> withNan = new ArrayList<>(x);
        withNan.set(5, new FloatTensor(x.get(5).shape(), nan));
        assertEquals("training input window 5 holds NaN: remove or fill it", assertThrows(IllegalArgumentException.class,
                () -> Finetune.run(d.graph(), plan, withNan, y, x, y, o, null)).getMessage());
        List<FloatTensor> wide = new ArrayList<>(y);
        wide.set(2, FloatTensor.zeros(org.tfq.ir.Shape.of(1, 2)));
        assertEquals("validation target window 2 has shape [1,2], the model's output is [1,1]", assertThrows(IllegalArgumentException.class,
                () -> Finetune.run(d.graph(), plan, x, y, x, wide, o, null)).getMessage());
        assertEquals("8 training input windows but 7 target windows", assertThrows(IllegalArgumentException.class,
                () -> Finetune.run(d.graph(), plan, x, y.subList(0, 7), x, y, o, null)).getMessage());

        org.tfq.ir.Value in = d.graph().inputs().get(0), out = new org.tfq.ir.Value("out", in.type());
        Graph relu = new Graph("relu_only", List.of(in), List.of(out), List.of(new Node("r", new org.tfq.ir.op.Relu(), List.of(in), out)));
        assertEquals("model relu_only has no trainable weights (no linear, layernorm or batchnorm): nothing to fine-tune",
                assertThrows(IllegalArgumentException.class, () -> Finetune.run(relu, plan, x, x, x, x, o, null)).getMessage());
    }
}
