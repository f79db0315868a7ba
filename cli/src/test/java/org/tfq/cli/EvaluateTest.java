package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.proto.Onnx;

/** tfq evaluate and tfq inspect on models that import (these need the importer). */
class EvaluateTest {

    @TempDir
    Path tmp;

    private Path npy(String name, FloatTensor t) throws IOException {
        Path p = tmp.resolve(name);
        Npy.write(p, t);
        return p;
    }

    /** The number after "key": in a JSON text, or NaN for null. */
    static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (null|[-0-9.Ee+]+)").matcher(json);
        assertTrue(m.find(), "no " + key + " in\n" + json);
        return m.group(1).equals("null") ? Double.NaN : Double.parseDouble(m.group(1));
    }

    @Test
    void gemmAgainstHandComputedTargets() throws IOException {
        Path m = TinyModels.write(tmp, "gemm.onnx", TinyModels.gemm());
        Path x = npy("x.npy", new FloatTensor(Shape.of(3, 3), new float[] {1, 0, 0, 0, 1, 0, 1, 1, 1}));
        // the model gives [1.5,1], [3.5,3], [9.5,11]; every target is off by 1 or 0: rmse sqrt(3/6)
        Path y = npy("y.npy", new FloatTensor(Shape.of(3, 2), new float[] {2.5f, 1, 3.5f, 2, 9.5f, 12}));
        Cli r = Cli.run("evaluate", m.toString(), "--inputs", x.toString(), "--targets", y.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        String j = r.out();
        assertTrue(j.startsWith("{\n") && j.endsWith("}\n"), j);
        assertEquals(3, number(j, "samples"));
        assertEquals(0, number(j, "max_abs_diff_onnxruntime_vs_float_ir"), 1e-6);
        assertEquals(Math.sqrt(0.5), number(j, "rmse_onnxruntime"), 1e-6);
        assertEquals(Math.sqrt(0.5), number(j, "rmse_float_ir"), 1e-6);
        assertTrue(j.contains("\"model\": \"" + m + "\""), j);

        for (String batch : new String[] {"2", "3", "5"}) {
            Cli b = Cli.run("evaluate", m.toString(), "--inputs", x.toString(), "--targets", y.toString(),
                    "--json", "--batch", batch);
            assertEquals(0, b.exit(), b.err());
            assertEquals(Math.sqrt(0.5), number(b.out(), "rmse_float_ir"), 1e-6, "--batch " + batch);
        }
    }

    @Test
    void withoutTargetsTheRmsesAreNull() throws IOException {
        Path m = TinyModels.write(tmp, "gemm.onnx", TinyModels.gemm());
        Path x = npy("x.npy", FloatTensor.zeros(Shape.of(2, 3)));
        Cli r = Cli.run("evaluate", m.toString(), "--inputs", x.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"rmse_onnxruntime\": null"), r.out());
        assertTrue(r.out().contains("\"rmse_float_ir\": null"), r.out());
        Cli t = Cli.run("evaluate", m.toString(), "--inputs", x.toString());
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("samples: 2"), t.out());
        assertTrue(!t.out().contains("rmse"), t.out());
    }

    /** Seq-first x [4, B, 3] + c: samples come as [N,4,3] or, with B bound to 1, as [N,4,1,3]. */
    @Test
    void seqFirstModelTakesBothSampleLayouts() throws IOException {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
                .setName("add")
                .addInput(TinyModels.valueInfo("x", 4, "B", 3))
                .addOutput(TinyModels.valueInfo("y", 4, "B", 3))
                .addInitializer(TinyModels.tensor("c", new float[] {1, 2, 3}, 3))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("c").addOutput("y"))
                .build();
        Path m = TinyModels.write(tmp, "seqfirst.onnx", Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(17)).build());
        float[] xs = new float[5 * 12];
        for (int i = 0; i < xs.length; i++) xs[i] = i * 0.25f;
        float[] ys = new float[xs.length];
        for (int i = 0; i < xs.length; i++) ys[i] = xs[i] + (i % 3 + 1);
        Path y = npy("y.npy", new FloatTensor(Shape.of(5, 4, 3), ys));
        for (Shape s : new Shape[] {Shape.of(5, 4, 3), Shape.of(5, 4, 1, 3)}) {
            Path x = npy("x.npy", new FloatTensor(s, xs));
            Cli r = Cli.run("evaluate", m.toString(), "--inputs", x.toString(), "--targets", y.toString(), "--json");
            assertEquals(0, r.exit(), s + ": " + r.err());
            assertEquals(0, number(r.out(), "rmse_onnxruntime"), 1e-6, s.toString());
            assertEquals(0, number(r.out(), "max_abs_diff_onnxruntime_vs_float_ir"), 1e-6, s.toString());
        }
    }

    @Test
    void inspectGemm() throws IOException {
        Path m = TinyModels.write(tmp, "gemm.onnx", TinyModels.gemm());
        Cli r = Cli.run("inspect", m.toString(), "--dump-ir");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        String o = r.out();
        assertTrue(o.contains("producer: tfq-test"), o);
        assertTrue(o.contains("x [1,3], batch axis 0 (symbolic, bound to 1)"), o);
        assertTrue(o.contains("y [1,2], batch axis 0"), o);
        assertTrue(o.contains("  Gemm  1"), o);
        assertTrue(o.contains("parameters: 8"), o);
        assertTrue(o.contains("macs: 6 "), o);
        assertTrue(o.contains("supported: yes"), o);
        assertTrue(o.contains("graph "), o);

        Cli j = Cli.run("inspect", m.toString(), "--json", "--batch", "4");
        assertEquals(0, j.exit(), j.err());
        assertTrue(j.out().contains("\"supported\": true"), j.out());
        assertTrue(j.out().contains("\"shape\": [4, 3]"), j.out());
    }

    // ---- the models testdata/ provides (skipped until they are there)

    @Test
    void referenceModelQuickStart() {
        Path m = Cli.model("ref_n12_d16_m1.onnx");
        Path x = Cli.model("ref_n12_d16_m1.inputs.npy");
        Path y = Cli.model("ref_n12_d16_m1.targets.npy");
        Cli r = Cli.run("evaluate", m.toString(), "--inputs", x.toString(), "--targets", y.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        String j = r.out();
        assertTrue(number(j, "samples") > 0, j);
        assertTrue(number(j, "max_abs_diff_onnxruntime_vs_float_ir") < 1e-4, j);
        assertEquals(number(j, "rmse_onnxruntime"), number(j, "rmse_float_ir"), 1e-4, j);

        Cli i = Cli.run("inspect", m.toString());
        assertEquals(0, i.exit(), i.err());
        assertTrue(i.out().contains("supported: yes"), i.out());
    }
}
