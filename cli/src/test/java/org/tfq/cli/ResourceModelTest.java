package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.resources.Capacity;
import org.tfq.passes.engine.MemoryPlan;
import org.tfq.passes.resources.LaneChooser;
import org.tfq.passes.resources.MemoryPlanner;
import org.tfq.passes.resources.ResourceEstimate;
import org.tfq.passes.resources.ResourceModel;
import org.tfq.passes.resources.Resources;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;
import org.tfq.verilog.EngineGenerator;
import org.tfq.verilog.YosysEstimate;
import org.tfq.verilog.YosysEstimator;

/**
 * The analytical resource model against Yosys on generated designs, and {@code --lanes auto}.
 *
 * <p>Yosys takes up to a minute a design, so this runs it on two designs that between them
 * exercise every unit the model has (LayerNorm and the square root, softmax, the divider, lanes
 * sharing a DSP and lanes with one each, block-RAM and LUT ROMs, the B buffer): LUT and FF within
 * 15%, DSP48E1 and block RAM exact. {@code bench/resources} does the same on every testdata model
 * at 4, 6 and 8 bits.
 */
public class ResourceModelTest {

    @TempDir
    Path tmp;

    /** Skips until CompileCommand's --lanes takes auto (a String handed to VivadoOutput.lanes). */
    static void requireLanesWired() {
        VivadoOutputTest.requireWired();
        boolean wired = false;
        for (java.lang.reflect.Field f : CompileCommand.class.getDeclaredFields()) wired |= f.getName().equals("lanes") && f.getType() == String.class;
        org.junit.jupiter.api.Assumptions.assumeTrue(wired, "CompileCommand's --lanes does not take auto yet");
    }

    /** The integer model of a testdata model: post-training at {@code bits} with its calibration, or QAT (bits null). */
    public static IntegerModel quantize(String stem, Integer bits) {
        ImportResult r = OnnxImporter.load(Cli.model(stem + ".onnx"), new ImportOptions(1));
        QuantizationOptions q = new QuantizationOptions();
        // parsed as compile parses them, so every option has its default
        if (bits != null) new picocli.CommandLine(q).parseArgs("--bits", bits.toString(), "--calibration", Cli.model(stem + ".calibration.npy").toString());
        else new picocli.CommandLine(q).parseArgs();
        return q.quantize(new org.tfq.compiler.Compiler(), r).model();
    }

    static IntFunction<Program> scheduler(IntegerModel im) {
        return n -> ScheduleProgram.run(im, n, EngineGenerator.LATENCIES);
    }

    /** Compiles {@code stem} at {@code lanes}, runs Yosys on it, and compares with the model. */
    private void againstYosys(String stem, Integer bits, int lanes) throws IOException {
        VivadoOutputTest.tool("yosys");
        Path out = tmp.resolve(stem + "-" + bits + "-" + lanes);
        List<String> args = new ArrayList<>(List.of("compile", Cli.model(stem + ".onnx").toString(), "-o", out.toString(),
                "--lanes", Integer.toString(lanes), "--vectors", "1"));
        if (bits != null) args.addAll(List.of("--bits", bits.toString(), "--calibration", Cli.model(stem + ".calibration.npy").toString()));
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        Program p = scheduler(quantize(stem, bits)).apply(lanes);
        assertEquals(((Number) ((Map<?, ?>) Json.read(Files.readString(out.resolve("report.json")))).get("cycles_per_inference")).longValue(),
                p.predictedCycles(), "the same program as tfq compile's");
        ResourceEstimate model = ResourceModel.estimate(p, ResourceModel.ActivationMemory.AUTO,
                MemoryPlanner.plan(p, ResourceModel.ActivationMemory.AUTO, Capacity.XC7S15));
        List<Path> rtl = EstimateCommand.sources(out.resolve("rtl"));
        YosysEstimate y = new YosysEstimator().estimate(rtl, EstimateCommand.TOP, out, out.resolve("reports"));
        Resources m = model.total();
        String why = stem + " " + bits + "-bit " + lanes + " lanes: model " + m + ", Yosys LUT " + y.lut() + " FF " + y.ff() + " DSP " + y.dsp()
                + " RAMB36 " + y.ramb36() + " RAMB18 " + y.ramb18() + "\n" + model.table(Capacity.XC7S15);
        System.out.println(why);
        assertEquals(y.dsp(), m.dsp(), why);
        assertEquals(y.ramb36(), m.bram36(), why);
        assertEquals(y.ramb18(), m.bram18(), why);
        assertTrue(Math.abs(m.lut() - y.lut()) <= 0.15 * y.lut(), why);
        assertTrue(Math.abs(m.ff() - y.ff()) <= 0.15 * y.ff(), why);
    }

    /** 8 bits: a DSP48E1 per lane; LayerNorm, the square root, softmax and the divider; a sliced output-unit product. */
    @Test
    void layerNormSoftmaxAndEightBitLanesAgainstYosys() throws IOException {
        againstYosys("enc_d16_m1_h1_l1_bf_post_relu_o13", 8, 8);
    }

    /** 4 bits: two lanes per DSP48E1, the lane count --lanes auto picks for the XC7S15. */
    @Test
    void theReferenceShapeAtItsAutomaticLaneCountAgainstYosys() throws IOException {
        IntegerModel im = quantize("bench_n12_d32_m7", 4);
        LaneChooser.Choice c = LaneChooser.choose(scheduler(im), Capacity.XC7S15, 0.8, ResourceModel.ActivationMemory.AUTO,
                LaneChooser.CANDIDATES);
        assertTrue(c.fits());
        againstYosys("bench_n12_d32_m7", 4, c.lanes());
    }

    /**
     * The d=64 shapes of the reference design: their ROMs by size need more block RAM than the
     * XC7S15 has at any lane count; planned, part of them in LUTs, they fit at the lanes --lanes auto picks.
     */
    @Test
    void theD64ShapesFitTheXc7s15WithTheirRomsPlanned() {
        for (Object[] shape : new Object[][] {{"bench_n6_d64_m7", 8}, {"bench_n12_d64_m7", 6}, {"bench_n24_d64_m7", 4}}) {
            IntegerModel im = quantize((String) shape[0], (Integer) shape[1]);
            String what = shape[0] + " at " + shape[1] + " bits";
            Program one = scheduler(im).apply(1);
            assertTrue(ResourceModel.estimate(one, ResourceModel.ActivationMemory.AUTO).total().bram36Tiles() > Capacity.XC7S15.bram36(),
                    what + ": fits by size alone");
            LaneChooser.Choice c = LaneChooser.choose(scheduler(im), Capacity.XC7S15, 0.8, ResourceModel.ActivationMemory.AUTO,
                    LaneChooser.CANDIDATES);
            assertTrue(c.fits(), what + "\n" + c.estimate().table(Capacity.XC7S15));
            Program p = scheduler(im).apply(c.lanes());
            MemoryPlan plan = MemoryPlanner.plan(p, ResourceModel.ActivationMemory.AUTO, Capacity.XC7S15);
            assertTrue(plan.planned() && (plan.weightLutRom(p) || !plan.paramBlock()), what + ": " + plan);
            assertTrue(c.estimate().total().bram36Tiles() <= Capacity.XC7S15.bram36(), what);
        }
    }

    @Test
    void autoTakesTheFastestConfigurationThatFits() {
        IntegerModel im = quantize("bench_n12_d32_m7", 4);
        LaneChooser.Choice c = LaneChooser.choose(scheduler(im), Capacity.XC7S15, 0.8, ResourceModel.ActivationMemory.AUTO,
                LaneChooser.CANDIDATES);
        assertTrue(c.fits() && c.auto());
        LaneChooser.Candidate chosen = c.chosen();
        assertTrue(chosen.estimate().fits(Capacity.XC7S15, 0.8));
        for (LaneChooser.Candidate other : c.candidates()) {
            if (other.cycles() < chosen.cycles()) assertFalse(other.fits(), other.lanes() + " lanes are faster and fit");
        }
        // a tighter margin never picks a faster design
        LaneChooser.Choice tight = LaneChooser.choose(scheduler(im), Capacity.XC7S15, 0.2, ResourceModel.ActivationMemory.AUTO,
                LaneChooser.CANDIDATES);
        assertTrue(!tight.fits() || tight.chosen().cycles() >= chosen.cycles());
        // nothing fits a part with a hundred LUTs
        LaneChooser.Choice none = LaneChooser.choose(scheduler(im), new Capacity("tiny", 100, 16_000, 20, 10), 0.8,
                ResourceModel.ActivationMemory.AUTO, LaneChooser.CANDIDATES);
        assertFalse(none.fits());
        assertEquals(1, none.lanes());
    }

    @Test
    void nothingFitsIsAnErrorWithTheEstimateAndWhatWouldHelp() {
        requireLanesWired();
        Path out = tmp.resolve("out");
        Cli c = Cli.run("compile", Cli.model("bench_n12_d32_m7.onnx").toString(), "--bits", "8", "--calibration",
                Cli.model("bench_n12_d32_m7.calibration.npy").toString(), "-o", out.toString(), "--max-utilization", "5");
        assertEquals(1, c.exit(), c.err());
        assertTrue(c.err().startsWith("tfq: error: no lane count fits xc7s15ftgb196-1: even 1 lane needs "), c.err());
        assertTrue(c.err().lines().findFirst().orElseThrow().endsWith("LUTs (5% of the part's 8000); the resource model's estimate:"), c.err());
        for (String s : List.of("MAC lanes", "divider", "weight ROM", "total", "xc7s15 has", "what would help:", "fewer bits (--bits 6)",
                "a higher --max-utilization", "a larger part: xc7s")) {
            assertTrue(c.err().contains(s), s + " in\n" + c.err());
        }
        assertFalse(Files.exists(out));
    }

    /**
     * The reference design's n=12, d=64 at 8 bits: 397 kbit of weights overflow the block RAM, so
     * the memory plan moves the later layers' weights and the parameters into LUT ROMs, and then
     * the LUTs run out: the first line names them, the table shows the plan, the advice is fewer bits.
     */
    @Test
    void theFirstLineNamesTheResourceThatRunsOut() {
        requireLanesWired();
        Path out = tmp.resolve("out");
        Cli c = Cli.run("compile", Cli.model("bench_n12_d64_m7.onnx").toString(), "--bits", "8", "--calibration",
                Cli.model("bench_n12_d64_m7.calibration.npy").toString(), "-o", out.toString());
        assertEquals(1, c.exit(), c.err());
        String first = c.err().lines().findFirst().orElseThrow();
        assertTrue(first.matches("tfq: error: no lane count fits xc7s15ftgb196-1: even 1 lane needs [0-9]+ LUTs \\(80% of the part's 8000\\); .*"), first);
        assertTrue(c.err().contains("weight ROM, block RAM") && c.err().contains("weight ROM, LUTs") && c.err().contains("parameter ROM"), c.err());
        // which layers hold the memory: the feed-forward weights, 16,384 8-bit weights each
        assertTrue(c.err().contains("memory by layer (weights at 8 bits):"), c.err());
        assertTrue(c.err().matches("(?s).*/ff1/MatMul +16,384 weights \\(128 kbit\\).*"), c.err());
        assertTrue(c.err().contains("fewer bits (--bits 6)"), c.err());
        assertFalse(Files.exists(out));
    }

    /** 16-bit activations make the softmax's exponential table 2^16 entries: narrower activations are the way back. */
    @Test
    void activationsWiderThanTheWeightsThatDoNotFitAdviseNarrowerActivations() {
        requireLanesWired();
        Path out = tmp.resolve("out");
        Cli c = Cli.run("compile", Cli.model("ref_n12_d16_m3.onnx").toString(), "--bits", "8", "--activation-bits", "16", "--calibration",
                Cli.model("ref_n12_d16_m3.calibration.npy").toString(), "-o", out.toString());
        assertEquals(1, c.exit(), c.err());
        assertTrue(c.err().lines().findFirst().orElseThrow().matches("tfq: error: no lane count fits .* BRAM36 of 10; .*"), c.err());
        assertTrue(c.err().contains("memory by layer (weights at 8 bits):"), c.err());
        assertTrue(c.err().contains("narrower activations (--activation-bits 12)"), c.err());
        assertFalse(c.err().contains("fewer bits (--bits"), c.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aLaneCountThatDoesNotFitIsBuiltWithAWarning() throws IOException {
        requireLanesWired();
        Path out = tmp.resolve("out");
        Cli c = Cli.run("compile", Cli.model("ref_n12_d16_m1.onnx").toString(), "--bits", "8", "--calibration",
                Cli.model("ref_n12_d16_m1.calibration.npy").toString(), "-o", out.toString(), "--lanes", "32", "--vectors", "1");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().startsWith("tfq: warning: the resource model predicts that 32 lanes do not fit xc7s15ftgb196-1"), c.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> model = (Map<String, Object>) ((Map<String, Object>) Json.read(Files.readString(out.resolve("report.json"))))
                .get("resource_model");
        assertEquals(false, model.get("fits"));
        assertEquals("--lanes", model.get("lanes_chosen_by"));
    }

    @Test
    void autoIsTheDefaultAndRecordsItsCandidates() throws IOException {
        requireLanesWired();
        Path out = tmp.resolve("out");
        Cli c = Cli.run("compile", Cli.model("ref_n12_d16_m1.onnx").toString(), "--bits", "4", "--calibration",
                Cli.model("ref_n12_d16_m1.calibration.npy").toString(), "-o", out.toString(), "--vectors", "1");
        assertEquals(0, c.exit(), c.err());
        assertEquals("", c.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> model = (Map<String, Object>) r.get("resource_model");
        assertEquals("auto", model.get("lanes_chosen_by"));
        assertEquals(true, model.get("fits"));
        assertTrue(((List<?>) model.get("candidates")).size() >= 5, model.toString());
    }
}
