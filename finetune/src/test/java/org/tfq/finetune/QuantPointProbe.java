package org.tfq.finetune;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.passes.quant.QuantPlan;

/**
 * Where 4 bits cost accuracy: per quantization point of the post-training plan, the RMSE on the
 * model's test windows of the fake-quantized graph with that one point at {@code B} bits and every
 * other point (weights included) at 8. Arguments: the repository root, then model stems.
 */
public final class QuantPointProbe {
    private QuantPointProbe() {}

    public static void main(String[] args) {
        Path models = Path.of(args[0]).resolve("testdata/models");
        int bits = Integer.getInteger("tfq.probe.bits", 4);
        for (int a = 1; a < args.length; a++) {
            String stem = args[a];
            ImportResult r = OnnxImporter.load(models.resolve(stem + ".onnx"), ImportOptions.DEFAULT);
            Graph g = r.graph();
            List<FloatTensor> cal = FinetuneBench.bound(r.inputs().get(0), models.resolve(stem + ".calibration.npy"));
            List<FloatTensor> x = FinetuneBench.bound(r.inputs().get(0), models.resolve(stem + ".inputs.npy"));
            List<FloatTensor> y = FinetuneBench.bound(r.outputs().get(0), models.resolve(stem + ".targets.npy"));
            QuantPlan wide = Finetune.plan(g, cal, FinetuneBench.options(8)), narrow = Finetune.plan(g, cal, FinetuneBench.options(bits));
            Graph f = Finetune.fused(g);
            System.out.printf(Locale.ROOT, "%s: float %.4f, all at 8 %.4f, all at %d %.4f, weights at %d %.4f, activations at %d %.4f%n", stem,
                    rmse(g, x, y), rmse(InsertFakeQuant.run(f, wide), x, y), bits, rmse(InsertFakeQuant.run(f, narrow), x, y),
                    bits, rmse(InsertFakeQuant.run(f, new QuantPlan(wide.activations(), narrow.weights(), false)), x, y),
                    bits, rmse(InsertFakeQuant.run(f, new QuantPlan(narrow.activations(), wide.weights(), false)), x, y));
            for (String k : narrow.activations().keySet()) {
                Map<String, org.tfq.ir.QuantSpec> acts = new HashMap<>(wide.activations());
                acts.put(k, narrow.activation(k));
                System.out.printf(Locale.ROOT, "  activation %-50s %.4f%n", k, rmse(InsertFakeQuant.run(f, new QuantPlan(acts, wide.weights(), false)), x, y));
            }
            for (String k : narrow.weights().keySet()) {
                Map<String, org.tfq.ir.QuantSpec> ws = new HashMap<>(wide.weights());
                ws.put(k, narrow.weights().get(k));
                System.out.printf(Locale.ROOT, "  weights    %-50s %.4f%n", k, rmse(InsertFakeQuant.run(f, new QuantPlan(wide.activations(), ws, false)), x, y));
            }
        }
    }

    static double rmse(Graph g, List<FloatTensor> x, List<FloatTensor> y) {
        double s = 0;
        for (int i = 0; i < x.size(); i++) s += Finetune.mse(FloatInterpreter.run(g, x.get(i)).data(), y.get(i).data());
        return Math.sqrt(s / x.size());
    }
}
