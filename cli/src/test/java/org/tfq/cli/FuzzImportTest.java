package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.StringStringEntryProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/**
 * The fuzz harness: mutated models (byte flips, truncation, and structural edits: huge
 * dimensions, removed initializers, cycles, renamed inputs, changed attributes, external data
 * that points elsewhere) and mutated .npy files (corrupt headers, other dtypes and shapes,
 * truncated data, huge declared shapes, NaN and infinite values), one case in a hundred with a
 * file replaced by /dev/zero or a FIFO, and long chains of nodes, run in process through
 * {@code tfq inspect}, {@code tfq evaluate} and {@code tfq compile}. Every outcome must be
 * success, a clear user error (exit 1, {@code tfq: error: }) or a usage error (exit 2): never an
 * internal error, a stack trace, a hang over 5 s or an OutOfMemoryError.
 *
 * <p>Most cases take the cheap paths (inspect; evaluate on four samples); one in twenty-five
 * compiles ({@code --vectors 1}, a fixed lane count), since compiling writes a whole design. The
 * seed is fixed, so a failure names a case that fails again; {@code -Dtfq.fuzz.count=N} runs
 * more, {@code -Dtfq.fuzz.seed=S} others.
 */
class FuzzImportTest {

    @TempDir
    Path dir;

    /** Cases; about one in a hundred is a bad option value rather than a mutated file, so the default has over 10,000 of those. */
    private static final int COUNT = Integer.getInteger("tfq.fuzz.count", 10_200);
    private static final long SEED = Long.getLong("tfq.fuzz.seed", 20261122L);
    private static final long TIMEOUT_SECONDS = 5;

    /** Small models of each kind the importer recognises: post-training reference, encoder, hand-written attention, QAT. */
    private static final List<String> MODELS = List.of("ref_n12_d16_m1", "enc_d16_m1_h1_l1_bf_post_relu_o13",
            "hand_d16_m1_h2_gelu_tanh_o17", "qat_n12_d16_m3_b4_qcdq");
    /** The model compile cases use: trained, so compile needs no calibration and takes tens of milliseconds. */
    private static final int QAT = 3;
    /** Samples per seed .npy: enough for every path, few enough that evaluate stays cheap. */
    private static final int SAMPLES = 4;

    /** One seed model and its tiny sample files. */
    private record Seed(String name, byte[] onnx, Path model, Path inputs, Path targets, FloatTensor x, FloatTensor y) {}

    /** One generated case: the arguments after the command, and what was mutated. */
    private record Case(String command, String mutation, List<String> args) {}

    @Test
    void mutatedModelsAndSampleFilesGiveSuccessOrAClearError() throws Exception {
        List<Seed> seeds = new ArrayList<>();
        for (String m : MODELS) seeds.add(seed(m));
        Random r = new Random(SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        long start = System.nanoTime();
        // every distinct failure, by its first line, with the first case that showed it: one run reports them all
        Map<String, String> failures = new java.util.LinkedHashMap<>();
        int mutatedFiles = 0;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Path fifo = dir.resolve("fifo");
            new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
            for (int i = 0; i < COUNT; i++) {
                Case c = nextCase(i, seeds, r);
                if (i % 100 == 37) c = nonRegular(c, i, fifo); // not from r, so that the other cases stay as they were
                if (!c.mutation().startsWith("option")) mutatedFiles++;
                Cli result;
                try {
                    result = runBounded(pool, c, i, TIMEOUT_SECONDS);
                    check(c, i, result);
                } catch (AssertionError e) {
                    String m = String.valueOf(e.getMessage());
                    String[] lines = m.split("\n");
                    String key = (lines.length > 1 ? lines[1] : lines[0]).replaceAll("case\\d+|/tmp/\\S+/", "").replaceAll("\\d+", "N");
                    failures.putIfAbsent(key, m);
                    if (m.contains(" ran over ")) { // the stuck worker cannot be stopped; carry on with a fresh one
                        pool.shutdownNow();
                        pool = Executors.newSingleThreadExecutor();
                    }
                    outcomes.merge(c.command() + ": FAILED", 1, Integer::sum);
                    cleanUp();
                    continue;
                }
                String kind = switch (result.exit()) {
                    case 0 -> "success";
                    case 1 -> "user error (exit 1)";
                    default -> "usage error (exit 2)";
                };
                outcomes.merge(c.command() + ": " + kind, 1, Integer::sum);
                outcomes.merge("all: " + kind, 1, Integer::sum);
                cleanUp();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                "fuzz: %d cases (seed %d; %d mutated models and .npy files, %d bad option values) in %.1f s; outcomes:%n",
                COUNT, SEED, mutatedFiles, COUNT - mutatedFiles, seconds));
        outcomes.forEach((k, v) -> b.append(String.format(java.util.Locale.ROOT, "  %-34s %6d%n", k, v)));
        System.out.print(b);
        assertTrue(failures.isEmpty(), failures.size() + " distinct failures:\n\n" + String.join("\n\n", failures.values()));
        assertEquals(COUNT, outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("all: ")).mapToInt(Map.Entry::getValue).sum());
        // a harness whose mutations never get past the parser, or never fail, tests nothing (checked on full runs only)
        if (COUNT >= 1000) assertTrue(outcomes.getOrDefault("all: success", 0) > COUNT / 50, b.toString());
        if (COUNT >= 1000) assertTrue(outcomes.getOrDefault("all: user error (exit 1)", 0) > COUNT / 4, b.toString());
    }

    /** A huge declared size is refused from the header alone, with the file's name, and nothing that size is allocated. */
    @Test
    void hugeDeclaredSizesAreRefusedBeforeAllocation() throws IOException {
        Seed s = seed(MODELS.get(QAT));
        // 2 GB of float32 declared by an initializer that carries no data
        GraphProto.Builder g = ModelProto.parseFrom(s.onnx()).getGraph().toBuilder();
        TensorProto.Builder t = g.getInitializer(0).toBuilder().clearDims().addDims(1L << 29).clearRawData().clearFloatData();
        g.setInitializer(0, t);
        Path model = dir.resolve("huge.onnx");
        Files.write(model, ModelProto.parseFrom(s.onnx()).toBuilder().setGraph(g).build().toByteArray());
        Cli c = Cli.run("inspect", model.toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("huge.onnx") && c.err().contains("limit"), c.err());
        // a 2 GB .npy header over four samples' worth of data
        Path npy = dir.resolve("huge.npy");
        Files.write(npy, npy("<f4", "False", "(536870912, 12, 1)", floats(s.x().data()), 1));
        c = Cli.run("evaluate", s.model().toString(), "--inputs", npy.toString());
        c.assertOneLineError();
        assertTrue(c.err().contains("huge.npy"), c.err());
    }

    /**
     * Limit cases: long chains, which import and the lane choice once handled in quadratic time
     * (4,000 multiplications by a constant: over 90 s; 10,000 Relu: 40 s). Linear now, each takes
     * seconds; the bound leaves room for a slow runner. bench/limits measures 50,000-node chains.
     */
    @Test
    void longChainsImportAndCompileInLinearTime() throws Exception {
        float[] x = new float[4 * 12];
        for (int k = 0; k < x.length; k++) x[k] = (float) Math.sin(k);
        Path cal = dir.resolve("chain.calibration.npy");
        Npy.write(cal, new FloatTensor(Shape.of(4, 12, 1), x));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            int i = 0;
            for (Object[] chain : new Object[][] {{"Mul", 4_000}, {"Relu", 10_000}}) {
                String op = (String) chain[0];
                int n = (Integer) chain[1];
                Path model = dir.resolve("case" + i + ".onnx");
                Files.write(model, chain(op, n).toByteArray());
                Path out = dir.resolve("out" + i);
                // a part the 10,000 instructions fit, so that the whole design is written
                Case c = new Case("compile", n + "-node " + op + " chain", List.of(model.toString(), "--calibration", cal.toString(),
                        "--part", "xc7s50ftgb196-1", "-o", out.toString()));
                Cli r = runBounded(pool, c, i, CHAIN_TIMEOUT_SECONDS);
                check(c, i, r);
                assertEquals(0, r.exit(), r.err());
                i++;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static final long CHAIN_TIMEOUT_SECONDS = 20;

    /** x [1,12,1] through {@code n} nodes of {@code op} (Mul: by the scalar constant 1.0001). */
    private static ModelProto chain(String op, int n) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("chain")
                .addInput(org.tfq.onnx.OnnxBuilder.valueInfo("x", 1, 12, 1)).addOutput(org.tfq.onnx.OnnxBuilder.valueInfo("y", 1, 12, 1));
        if (op.equals("Mul")) g.addInitializer(org.tfq.onnx.OnnxBuilder.floatTensor("k", new float[] {1.0001f}));
        String prev = "x";
        for (int i = 0; i < n; i++) {
            String out = i == n - 1 ? "y" : "v" + i;
            NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName("n" + i).addInput(prev).addOutput(out);
            if (op.equals("Mul")) node.addInput("k");
            g.addNode(node);
            prev = out;
        }
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("FuzzImportTest")
                .addOpsetImport(org.tfq.onnx.proto.Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
    }

    private Seed seed(String name) throws IOException {
        Path onnx = Cli.model(name + ".onnx");
        FloatTensor x = first(Npy.read(Cli.model(name + ".inputs.npy")), SAMPLES);
        FloatTensor y = first(Npy.read(Cli.model(name + ".targets.npy")), SAMPLES);
        Path in = dir.resolve(name + ".inputs.npy"), tg = dir.resolve(name + ".targets.npy");
        Npy.write(in, x);
        Npy.write(tg, y);
        // the model beside its samples, so that external-data mutations resolve inside the temporary folder
        Path model = Files.copy(onnx, dir.resolve(name + ".onnx"));
        return new Seed(name, Files.readAllBytes(onnx), model, in, tg, x, y);
    }

    private static FloatTensor first(FloatTensor t, int n) {
        int[] d = t.shape().dims();
        int per = (int) (t.shape().size() / d[0]);
        d[0] = Math.min(n, d[0]);
        return new FloatTensor(new Shape(d), Arrays.copyOf(t.data(), d[0] * per));
    }

    private Case nextCase(int i, List<Seed> seeds, Random r) throws IOException {
        int roll = r.nextInt(100);
        if (roll < 4) return compileCase(i, seeds, r);
        Seed s = seeds.get(r.nextInt(seeds.size()));
        if (roll < 66) {
            Path m = writeModel(i, s, r);
            return new Case("inspect", mutationName, List.of(m.toString()));
        }
        if (roll < 78) { // a mutated model evaluated on good samples: ONNX Runtime sees whatever the importer accepts
            Path m = writeModel(i, s, r);
            return new Case("evaluate", mutationName, List.of(m.toString(), "--inputs", s.inputs().toString(), "--targets", s.targets().toString()));
        }
        // a good model with one mutated sample file
        Path bad = dir.resolve("case" + i + ".npy");
        switch (r.nextInt(3)) {
            case 0 -> {
                Files.write(bad, mutateNpy(s.x(), r));
                return new Case("evaluate", "inputs " + mutationName, List.of(s.model().toString(), "--inputs", bad.toString()));
            }
            case 1 -> {
                Files.write(bad, mutateNpy(s.y(), r));
                return new Case("evaluate", "targets " + mutationName,
                        List.of(s.model().toString(), "--inputs", s.inputs().toString(), "--targets", bad.toString()));
            }
            default -> {
                Files.write(bad, mutateNpy(s.x(), r));
                List<String> a = new ArrayList<>(List.of(s.model().toString(), "--inputs", s.inputs().toString(), "--calibration", bad.toString()));
                if (r.nextBoolean()) a.addAll(List.of("--bits", Integer.toString(2 + r.nextInt(7))));
                return new Case("evaluate", "calibration " + mutationName, a);
            }
        }
    }

    /** Compiles: a mutated trained model, or a good model with a mutated --calibration, --inputs or --targets, or a bad option. */
    private Case compileCase(int i, List<Seed> seeds, Random r) throws IOException {
        Path out = dir.resolve("out" + i);
        List<String> a = new ArrayList<>();
        String mutation;
        int kind = r.nextInt(4);
        if (kind == 0) {
            Seed s = seeds.get(QAT);
            a.add(writeModel(i, s, r).toString());
            mutation = mutationName;
        } else if (kind <= 2) {
            Seed s = seeds.get(r.nextBoolean() ? QAT : 0);
            Path bad = dir.resolve("case" + i + ".npy");
            a.add(s.model().toString());
            String option = List.of("--calibration", "--inputs", "--targets").get(r.nextInt(3));
            Files.write(bad, mutateNpy(option.equals("--targets") ? s.y() : s.x(), r));
            mutation = option + " " + mutationName;
            if (!option.equals("--calibration") && s != seeds.get(QAT)) a.addAll(List.of("--calibration", s.inputs().toString()));
            if (option.equals("--targets")) a.addAll(List.of("--inputs", s.inputs().toString()));
            a.addAll(List.of(option, bad.toString()));
        } else {
            a.add(seeds.get(QAT).model().toString());
            String[][] bad = {{"--lanes", "-3"}, {"--lanes", "x"}, {"--lanes", "0"}, {"--vectors", "0"}, {"--bits", "0"}, {"--bits", "99"},
                {"--batch", "0"}, {"--clock-mhz", "NaN"}, {"--clock-mhz", "-5"}, {"--part", "xc7s15[exec rm]"}, {"--activations", "sram"},
                {"--interface", "pcie"}, {"--output-bits", "0"}, {"--max-utilization", "0"}, {"--bits-for", "nope"},
                {"--bits-for", "x=99"}, {"--calibration-method", "magic"}, {"--xdc", "/no/such.xdc"}, {"--weights", "both"},
                {"--no-such-option", "1"}, {"--vectors", "99999999999"}, {"--vectors", "100000000"}, {"--lanes", "1000000"},
                {"--batch", "100000000"}, {"--max-utilization", "1e-300"}, {"--clock-mhz", "1e308"}};
            String[] o = bad[r.nextInt(bad.length)];
            a.addAll(List.of(o));
            mutation = "option " + String.join(" ", o);
        }
        // cheap settings unless the case is about one of them: picocli refuses an option given twice
        Map<String, String> cheap = new java.util.LinkedHashMap<>(Map.of("--vectors", "1", "--lanes", "4"));
        a.forEach(cheap::remove);
        a.addAll(List.of("-o", out.toString()));
        cheap.forEach((k, v) -> a.addAll(List.of(k, v)));
        return new Case("compile", mutation, a);
    }

    /** The case with one of its files (model or .npy, by turns) replaced by /dev/zero or a FIFO no one writes to. */
    private static Case nonRegular(Case c, int i, Path fifo) {
        List<String> files = c.args().stream().filter(a -> a.endsWith(".onnx") || a.endsWith(".npy")).toList();
        if (files.isEmpty()) return c;
        String file = files.get((i / 100) % files.size());
        String by = (i / 100) % 2 == 0 ? "/dev/zero" : fifo.toString();
        List<String> args = c.args().stream().map(a -> a.equals(file) ? by : a).toList();
        return new Case(c.command(), c.mutation() + ", then " + Path.of(file).getFileName() + " replaced by " + by, args);
    }

    private Cli runBounded(ExecutorService pool, Case c, int i, long seconds) throws InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(c.command());
        argv.addAll(c.args());
        Future<Cli> f = pool.submit(() -> Cli.run(argv.toArray(String[]::new)));
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError(describe(c, i) + " ran over " + seconds + " s");
        } catch (ExecutionException e) {
            // an Error (OutOfMemoryError, StackOverflowError) escapes the command's handler
            throw new AssertionError(describe(c, i) + " threw " + e.getCause(), e.getCause());
        }
    }

    private void check(Case c, int i, Cli result) throws IOException {
        String why = describe(c, i) + ": exit " + result.exit() + "\n" + result.err();
        assertTrue(result.exit() >= 0 && result.exit() <= 2, why);
        result.assertNoStackTrace();
        assertFalse(result.err().contains("internal error"), why);
        if (result.exit() == 1) {
            // after any warnings (calibration data of one sample or constant values)
            assertTrue(result.err().replaceAll("(?m)\\Atfq: warning: .*\\R(tfq: warning: .*\\R)*", "").startsWith("tfq: error: "), why);
            // where: the message names one of the files or options it was given
            assertTrue(c.args().stream().filter(a -> a.startsWith("--") || a.contains("/"))
                    .map(a -> a.startsWith("--") ? a : Path.of(a).getFileName().toString())
                    .anyMatch(result.err()::contains), why + "\nthe message names none of the files or options given");
        }
        if (c.command().equals("compile")) {
            try (Stream<Path> s = Files.list(dir)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), why + "\ntemporary output folder left behind");
            }
            Path out = Path.of(c.args().get(c.args().indexOf("-o") + 1));
            assertEquals(result.exit() == 0, Files.isDirectory(out), why + "\nOUTDIR exists after a failed compile, or not after a good one");
        }
    }

    private static String describe(Case c, int i) {
        return "case " + i + " (tfq " + c.command() + ", " + c.mutation() + ": " + String.join(" ", c.args()) + ")";
    }

    /** Deletes the case's files, so that the temporary folder holds only the seeds. */
    private void cleanUp() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("(case|out)\\d+.*")).toList()) OutputDirectory.delete(p);
        }
    }

    // ---- models ----

    /** What the last mutation did, for the failure message. */
    private String mutationName = "";

    private Path writeModel(int i, Seed s, Random r) throws IOException {
        byte[] mutated;
        if (r.nextInt(3) == 0) {
            mutated = mutateBytes(s.onnx(), r);
        } else {
            mutated = mutateStructure(ModelProto.parseFrom(s.onnx()), r).toByteArray();
        }
        mutationName = "model " + mutationName + " of " + s.name();
        Path p = dir.resolve("case" + i + ".onnx");
        Files.write(p, mutated);
        return p;
    }

    private byte[] mutateBytes(byte[] seed, Random r) {
        byte[] b = seed.clone();
        switch (r.nextInt(3)) {
            case 0 -> {
                mutationName = "bit flips";
                for (int k = 0; k < 1 + r.nextInt(8); k++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> {
                mutationName = "truncation";
                b = Arrays.copyOf(b, r.nextInt(b.length));
            }
            default -> {
                mutationName = "random bytes";
                int at = r.nextInt(b.length);
                b[at] = (byte) r.nextInt(256);
                if (at + 1 < b.length) b[at + 1] = (byte) r.nextInt(256);
            }
        }
        return b;
    }

    private static final long[] ODD_SIZES = {0, -1, 3, 1L << 31, 1L << 40, Long.MAX_VALUE, Integer.MAX_VALUE, 1 << 24};

    private ModelProto mutateStructure(ModelProto m, Random r) {
        GraphProto.Builder g = m.getGraph().toBuilder();
        switch (r.nextInt(11)) {
            case 0 -> { // huge or odd dimension on an initializer
                mutationName = "initializer dimension";
                if (g.getInitializerCount() > 0) {
                    int i = r.nextInt(g.getInitializerCount());
                    TensorProto.Builder t = g.getInitializer(i).toBuilder();
                    if (t.getDimsCount() > 0) t.setDims(r.nextInt(t.getDimsCount()), ODD_SIZES[r.nextInt(ODD_SIZES.length)]);
                    g.setInitializer(i, t);
                }
            }
            case 1 -> { // a missing initializer
                mutationName = "missing initializer";
                if (g.getInitializerCount() > 0) g.removeInitializer(r.nextInt(g.getInitializerCount()));
            }
            case 2 -> { // a cycle: a node reads an output of a later node, or its own
                mutationName = "cycle";
                if (g.getNodeCount() > 2) {
                    int a = r.nextInt(g.getNodeCount() - 1);
                    int b = r.nextInt(4) == 0 ? a : a + 1 + r.nextInt(g.getNodeCount() - a - 1);
                    NodeProto.Builder n = g.getNode(a).toBuilder();
                    if (n.getInputCount() > 0 && g.getNode(b).getOutputCount() > 0) n.setInput(0, g.getNode(b).getOutput(0));
                    g.setNode(a, n);
                }
            }
            case 3 -> { // an attribute changed
                mutationName = "attribute";
                int i = r.nextInt(g.getNodeCount());
                NodeProto.Builder n = g.getNode(i).toBuilder();
                if (n.getAttributeCount() > 0) {
                    int k = r.nextInt(n.getAttributeCount());
                    var a = n.getAttribute(k).toBuilder();
                    long big = r.nextInt(4) == 0 ? ODD_SIZES[r.nextInt(ODD_SIZES.length)] : r.nextInt(11) - 5;
                    a.setI(big).setF(r.nextInt(5) == 0 ? Float.NaN : (float) r.nextGaussian() * 10);
                    if (a.getIntsCount() > 0) a.setInts(r.nextInt(a.getIntsCount()), big);
                    if (r.nextInt(4) == 0) a.clearInts().clearFloats();
                    n.setAttribute(k, a);
                }
                g.setNode(i, n);
            }
            case 4 -> { // an input renamed to nothing that exists
                mutationName = "dangling input";
                int i = r.nextInt(g.getNodeCount());
                NodeProto.Builder n = g.getNode(i).toBuilder();
                if (n.getInputCount() > 0) n.setInput(r.nextInt(n.getInputCount()), "nowhere_" + r.nextInt(100));
                g.setNode(i, n);
            }
            case 5 -> { // the op type changed
                mutationName = "op type";
                int i = r.nextInt(g.getNodeCount());
                String[] ops = {"Add", "Mul", "Relu", "Softmax", "Transpose", "Reshape", "MatMul", "Gather", "Slice", "Conv", "Tanh",
                    "Concat", "Split", "ReduceMean", "Sqrt", "Div", "Erf", "Pow", "Gemm", "LayerNormalization", "Loop", ""};
                g.setNode(i, g.getNode(i).toBuilder().setOpType(ops[r.nextInt(ops.length)]));
            }
            case 6 -> { // a node removed
                mutationName = "node removed";
                g.removeNode(r.nextInt(g.getNodeCount()));
            }
            case 7 -> { // an initializer's values: NaN, infinities, huge
                mutationName = "initializer values";
                if (g.getInitializerCount() > 0) {
                    int i = r.nextInt(g.getInitializerCount());
                    TensorProto.Builder t = g.getInitializer(i).toBuilder();
                    if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE && !t.getRawData().isEmpty()) {
                        ByteBuffer b = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                        float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f, 0f, -0f, Float.MIN_VALUE};
                        float v = odd[r.nextInt(odd.length)];
                        boolean all = r.nextBoolean();
                        for (int k = 0; k + 4 <= b.capacity(); k += 4) if (all || k == 0) b.putFloat(k, v);
                        t.setRawData(com.google.protobuf.ByteString.copyFrom(b.array()));
                    } else {
                        t.setDataType(r.nextInt(20));
                    }
                    g.setInitializer(i, t);
                }
            }
            case 8 -> { // external data: beside the model, missing, or outside the model's folder
                mutationName = "external data";
                if (g.getInitializerCount() > 0) {
                    int i = r.nextInt(g.getInitializerCount());
                    String[] where = {"../../etc/passwd", "/etc/passwd", "missing.bin", "", "..", "sub/../../x.bin", "a\0b",
                        MODELS.get(0) + ".inputs.npy"};
                    TensorProto.Builder t = g.getInitializer(i).toBuilder().clearRawData()
                            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                            .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(where[r.nextInt(where.length)]));
                    if (r.nextBoolean()) {
                        t.addExternalData(StringStringEntryProto.newBuilder().setKey(r.nextBoolean() ? "offset" : "length")
                                .setValue(List.of("-1", "x", "0", "99999999999999", "12").get(r.nextInt(5))));
                    }
                    g.setInitializer(i, t);
                }
            }
            case 9 -> { // the opset
                mutationName = "opset";
                return m.toBuilder().clearOpsetImport().addOpsetImport(org.tfq.onnx.proto.Onnx.OperatorSetIdProto.newBuilder()
                        .setVersion(List.of(1L, 12L, 13L, 17L, 22L, -1L).get(r.nextInt(6)))).setGraph(g).build();
            }
            default -> { // the input's declared shape changed
                mutationName = "input shape";
                if (g.getInputCount() > 0) {
                    var in = g.getInput(0).toBuilder();
                    var shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                    for (int k = 0; k < 1 + r.nextInt(2) && shape.getDimCount() > 0; k++) {
                        shape.getDimBuilder(r.nextInt(shape.getDimCount())).setDimValue(new long[] {0, 1, 2, 7, 1 << 24, 1 << 30, -4}[r.nextInt(7)]);
                    }
                    if (r.nextInt(5) == 0) shape.addDim(shape.getDim(0));
                    g.setInput(0, in);
                }
            }
        }
        return m.toBuilder().setGraph(g).build();
    }

    // ---- .npy files ----

    private byte[] mutateNpy(FloatTensor t, Random r) {
        String shape = shapeText(t.shape().dims());
        byte[] good = Npy.toBytes(t);
        switch (r.nextInt(8)) {
            case 0 -> {
                mutationName = "npy bit flips";
                byte[] b = good.clone();
                for (int k = 0; k < 1 + r.nextInt(6); k++) {
                    int at = r.nextInt(4) == 0 ? r.nextInt(Math.min(b.length, 128)) : r.nextInt(b.length); // the header often
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case 1 -> {
                mutationName = "npy truncation";
                return Arrays.copyOf(good, r.nextInt(good.length));
            }
            case 2 -> {
                String[] dtypes = {"<f8", ">f4", "<f2", "<i4", "|u1", "|b1", "<c8", "|O", "<U3", "", "<f16", "<i8", "=f4", "<V4"};
                String d = dtypes[r.nextInt(dtypes.length)];
                mutationName = "npy dtype " + d;
                return npy(d, "False", shape, floats(t.data()), 1);
            }
            case 3 -> {
                int[] dims = t.shape().dims();
                String[] shapes = {"()", "(0,)", "(0, 12, 1)", "(-1, 12, 1)", shapeText(reversed(dims)), shapeText(append(dims, 1)),
                    shapeText(Arrays.copyOf(dims, Math.max(1, dims.length - 1))), "(2147483647, 2147483647, 2147483647)",
                    "(99999999999,)", "(1073741824,)", "(4, 12, 1, 1, 1, 1, 1, 1)", "(4 12 1)", "(a, b)", "(" + t.shape().size() + ",)"};
                String s = shapes[r.nextInt(shapes.length)];
                mutationName = "npy shape " + s;
                return npy("<f4", "False", s, floats(t.data()), 1);
            }
            case 4 -> {
                float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f, -3e38f, 0f, 1e-45f};
                float v = odd[r.nextInt(odd.length)];
                float[] d = t.data().clone();
                boolean all = r.nextBoolean();
                for (int k = 0; k < d.length; k++) if (all || r.nextInt(8) == 0) d[k] = v;
                mutationName = "npy values " + v + (all ? " everywhere" : "");
                return npy("<f4", "False", shape, floats(d), 1);
            }
            case 5 -> {
                mutationName = "npy fortran order";
                return npy("<f4", "True", shape, floats(t.data()), 1);
            }
            case 6 -> {
                int v = List.of(0, 2, 3, 4, 255).get(r.nextInt(5));
                mutationName = "npy version " + v;
                return npy("<f4", "False", shape, floats(t.data()), v);
            }
            default -> {
                mutationName = "npy header length";
                byte[] b = good.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) (int) List.of(0, 1, 65535, 5000).get(r.nextInt(4)));
                return b;
            }
        }
    }

    /** A .npy file with this header, whatever it says, followed by {@code data}. */
    private static byte[] npy(String descr, String fortran, String shape, byte[] data, int major) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
        String header = dict + " ".repeat((64 - (dict.length() + 11 + (major >= 2 ? 2 : 0)) % 64) % 64) + "\n";
        int pre = major >= 2 ? 12 : 10;
        ByteBuffer b = ByteBuffer.allocate(pre + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major >= 2) b.putInt(header.length());
        else b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static String shapeText(int[] d) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < d.length; i++) b.append(i > 0 ? ", " : "").append(d[i]);
        return b.append(d.length == 1 ? ",)" : ")").toString();
    }

    private static int[] reversed(int[] d) {
        int[] o = new int[d.length];
        for (int i = 0; i < d.length; i++) o[i] = d[d.length - 1 - i];
        return o;
    }

    private static int[] append(int[] d, int x) {
        int[] o = Arrays.copyOf(d, d.length + 1);
        o[d.length] = x;
        return o;
    }
}
