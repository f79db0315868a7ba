package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/**
 * Mutated models (byte flips, truncation, and structural edits: huge dimensions, removed
 * initializers, cycles, renamed inputs, changed attributes) through `tfq inspect` in process.
 * Every outcome must be success or a clear user error (exit 1): never an internal error, a
 * stack trace or a hang. The count is bounded for CI (-Dtfq.fuzz.count to run more).
 */
class FuzzImportTest {

    @TempDir
    Path dir;

    private static final int COUNT = Integer.getInteger("tfq.fuzz.count", 600);

    @Test
    void mutatedModelsGiveSuccessOrAClearError() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (String m : List.of("ref_n12_d16_m1.onnx", "enc_d16_m1_h1_l1_bf_post_relu_o13.onnx",
                "hand_d16_m1_h2_gelu_tanh_o17.onnx", "qat_n12_d16_m3_b4_qcdq.onnx")) {
            seeds.add(Files.readAllBytes(Cli.model(m)));
        }
        Random r = new Random(20261122);
        Map<String, Integer> outcomes = new TreeMap<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < COUNT; i++) {
                byte[] seed = seeds.get(r.nextInt(seeds.size()));
                String kind;
                byte[] mutated;
                if (r.nextInt(3) == 0) {
                    kind = "bytes";
                    mutated = mutateBytes(seed, r);
                } else {
                    kind = "structure";
                    mutated = mutateStructure(ModelProto.parseFrom(seed), r).toByteArray();
                }
                Path p = dir.resolve("m" + i + ".onnx");
                Files.write(p, mutated);
                Future<Cli> f = pool.submit(() -> Cli.run("inspect", p.toString()));
                Cli c;
                try {
                    c = f.get(5, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    throw new AssertionError("case " + i + " (" + kind + ") ran over 5 s: " + p);
                }
                String why = "case " + i + " (" + kind + "): exit " + c.exit() + "\n" + c.err();
                assertTrue(c.exit() == 0 || c.exit() == 1, why);
                c.assertNoStackTrace();
                if (c.exit() == 1) assertTrue(c.err().startsWith("tfq: error: "), why);
                outcomes.merge(kind + (c.exit() == 0 ? " ok" : " error"), 1, Integer::sum);
                Files.delete(p);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("fuzz outcomes: " + outcomes);
    }

    private static byte[] mutateBytes(byte[] seed, Random r) {
        byte[] b = seed.clone();
        switch (r.nextInt(3)) {
            case 0 -> {
                for (int k = 0; k < 1 + r.nextInt(8); k++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            default -> {
                int at = r.nextInt(b.length);
                b[at] = (byte) r.nextInt(256);
                if (at + 1 < b.length) b[at + 1] = (byte) r.nextInt(256);
            }
        }
        return b;
    }

    private static ModelProto mutateStructure(ModelProto m, Random r) {
        GraphProto.Builder g = m.getGraph().toBuilder();
        switch (r.nextInt(8)) {
            case 0 -> { // huge or odd dimension on an initializer
                if (g.getInitializerCount() > 0) {
                    int i = r.nextInt(g.getInitializerCount());
                    TensorProto.Builder t = g.getInitializer(i).toBuilder();
                    if (t.getDimsCount() > 0) t.setDims(r.nextInt(t.getDimsCount()), new long[] {0, -1, 1L << 31, 1L << 40, 3}[r.nextInt(5)]);
                    g.setInitializer(i, t);
                }
            }
            case 1 -> { // a missing initializer
                if (g.getInitializerCount() > 0) g.removeInitializer(r.nextInt(g.getInitializerCount()));
            }
            case 2 -> { // a cycle: a node reads an output of a later node
                if (g.getNodeCount() > 2) {
                    int a = r.nextInt(g.getNodeCount() - 1);
                    int b = a + 1 + r.nextInt(g.getNodeCount() - a - 1);
                    NodeProto.Builder n = g.getNode(a).toBuilder();
                    if (n.getInputCount() > 0 && g.getNode(b).getOutputCount() > 0) n.setInput(0, g.getNode(b).getOutput(0));
                    g.setNode(a, n);
                }
            }
            case 3 -> { // an attribute changed
                int i = r.nextInt(g.getNodeCount());
                NodeProto.Builder n = g.getNode(i).toBuilder();
                if (n.getAttributeCount() > 0) {
                    int k = r.nextInt(n.getAttributeCount());
                    var a = n.getAttribute(k).toBuilder();
                    a.setI(r.nextInt(11) - 5).setF((float) r.nextGaussian() * 10);
                    if (a.getIntsCount() > 0) a.setInts(r.nextInt(a.getIntsCount()), r.nextInt(11) - 5);
                    n.setAttribute(k, a);
                }
                g.setNode(i, n);
            }
            case 4 -> { // an input renamed to nothing that exists
                int i = r.nextInt(g.getNodeCount());
                NodeProto.Builder n = g.getNode(i).toBuilder();
                if (n.getInputCount() > 0) n.setInput(r.nextInt(n.getInputCount()), "nowhere_" + r.nextInt(100));
                g.setNode(i, n);
            }
            case 5 -> { // the op type changed
                int i = r.nextInt(g.getNodeCount());
                String[] ops = {"Add", "Mul", "Relu", "Softmax", "Transpose", "Reshape", "MatMul", "Gather", "Slice", "Conv", "Tanh"};
                g.setNode(i, g.getNode(i).toBuilder().setOpType(ops[r.nextInt(ops.length)]));
            }
            case 6 -> { // a node removed
                g.removeNode(r.nextInt(g.getNodeCount()));
            }
            default -> { // the input's declared shape changed
                if (g.getInputCount() > 0) {
                    var in = g.getInput(0).toBuilder();
                    var shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                    if (shape.getDimCount() > 0) shape.getDimBuilder(r.nextInt(shape.getDimCount())).setDimValue(new long[] {0, 1, 2, 7, 1 << 30}[r.nextInt(5)]);
                    g.setInput(0, in);
                }
            }
        }
        return m.toBuilder().setGraph(g).build();
    }
}
