package org.tfq.compiler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.pass.IrObserver;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.Quantize;
import org.tfq.passes.resources.LaneChooser;
import org.tfq.passes.engine.MemoryPlan;
import org.tfq.passes.resources.MemoryPlanner;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;
import org.tfq.verilog.DesignReadme;
import org.tfq.verilog.EngineGenerator;
import org.tfq.verilog.EngineTestbench;
import org.tfq.verilog.SpiWrapper;
import org.tfq.vivado.Ice40Flow;
import org.tfq.vivado.Ice40Pins;
import org.tfq.vivado.VivadoDesign;
import org.tfq.vivado.VivadoFlow;

/**
 * The compiler, one stage per method, each returning a record of what it made; compile,
 * evaluate and explore all run it. The pipeline, in order:
 * <ol>
 *   <li>{@link #importModel}: ONNX to the float IR. Passes: {@code import}.
 *   <li>{@link #quantize}: the float IR to the integer IR, the golden model. Passes:
 *       {@code round-weights-gptq} (with GPTQ weight rounding only), {@code lower-to-integer}.
 *   <li>{@link #schedule}: the integer IR onto the engine at the lane count given, or at the
 *       fastest the resource model says fits; every lane count is scheduled once, and the
 *       winner's program is the one generated.
 *   <li>{@link #generate}: the engine's Verilog and ROM images, the testbench with vectors from
 *       the golden model, the SPI top level, {@code README.md} and the Vivado flow.
 * </ol>
 * The observer sees the graph after every pass ({@code tfq compile --dump-ir}); report.json is
 * made from the records by {@link ReportJson}.
 */
public final class Compiler {

    /** Seed of the random input codes used when no samples are given: fixed, so compiles are reproducible. */
    public static final long RANDOM_SEED = 20261122L;
    /** The engine's clock port, as the template names it. */
    public static final String CLOCK = "clk";
    /** Where the RTL and memory images go, relative to the output folder: the RTL reads its images from there. */
    public static final String RTL_DIR = "rtl/";

    private final IrObserver observer;

    public Compiler() {
        this(IrObserver.NONE);
    }

    public Compiler(IrObserver observer) {
        this.observer = observer;
    }

    /** The float IR of an ONNX file, or an error listing every node it cannot import. */
    public ImportResult importModel(Path model, ImportOptions options) {
        return OnnxImporter.load(model, options, observer);
    }

    /**
     * The integer model: with the scales a quantization-aware-trained model carries, or
     * post-training with {@code calibration} (input samples shaped {@code [N, ...sample]}).
     *
     * @param bitsGiven whether the width in {@code options} was asked for (a trained model's own widths are the default)
     */
    public Quantized quantize(ImportResult model, QuantOptions options, boolean bitsGiven, FloatTensor calibration) {
        List<FloatTensor> cal = null;
        if (calibration != null) {
            cal = new ArrayList<>();
            int n = Samples.count(model.inputs().get(0), calibration);
            for (int i = 0; i < n; i += Samples.perRun(model.inputs().get(0))) cal.add(Samples.toBound(model.inputs().get(0), calibration, i));
        }
        return new Quantized(model, Quantize.run(model.graph(), options, bitsGiven, cal, observer));
    }

    /**
     * The engine program at {@code target}'s lane count, or, without one, at the fastest
     * candidate ({@link LaneChooser}) that fits the part.
     *
     * @throws NoLaneCountFits when no candidate fits
     * @throws ScheduleProgram.ScheduleException when the model cannot be scheduled (at any candidate)
     */
    public Scheduled schedule(Quantized q, Target target) {
        Map<Integer, Program> programs = new HashMap<>();
        IntFunction<Program> schedule = n -> programs.computeIfAbsent(n, k -> program(q.model(), k));
        LaneChooser.Choice choice;
        if (target.lanes() == null) {
            choice = LaneChooser.choose(schedule, target.capacity(), target.maxLutFraction(), target.memory(), LaneChooser.CANDIDATES);
            if (!choice.fits()) throw new NoLaneCountFits(target.vivado().part(), choice);
        } else {
            choice = LaneChooser.evaluate(schedule, target.capacity(), target.maxLutFraction(), target.memory(), target.lanes());
        }
        return new Scheduled(q, target, choice, programs.get(choice.lanes()));
    }

    /**
     * The engine program of {@code q} at {@code lanes} lanes, with the latencies of the engine the
     * templates build: the one scheduling of the pipeline, which {@link #schedule} and explore's
     * sweep both use.
     *
     * @throws ScheduleProgram.ScheduleException when the model cannot be scheduled at that lane count
     */
    public Program program(IntegerModel model, int lanes) {
        return ScheduleProgram.run(model, lanes, EngineGenerator.LATENCIES);
    }

    /**
     * Writes the engine ({@code rtlDir}) and its testbench with vectors from the golden model
     * ({@code simDir}), and the SPI top level and its testbench when asked; returns
     * {@code README.md} and the Vivado flow for the caller to write.
     */
    public Generated generate(Scheduled s, Testbench tb, Path rtlDir, Path simDir) {
        Program program = s.program();
        ImportResult model = s.quantized().imported();
        IntegerModel im = s.quantized().model();
        boolean ice40 = s.target().part().ice40();
        MemoryPlan plan = MemoryPlanner.plan(program, s.target().memory(), s.target().capacity());
        EngineGenerator.Files files = EngineGenerator.write(program, rtlDir, s.target().activations(), tb.version(), plan, ice40);
        List<long[]> in = new ArrayList<>(), expected = new ArrayList<>();
        List<Map<String, long[]>> layers = tb.checkLayers() ? new ArrayList<>() : null;
        String outputName = im.graph().outputs().get(0).name();
        for (IntTensor codes : vectors(model, im, tb.samples(), tb.vectors())) {
            in.add(codes.data());
            Map<String, IntTensor> all = IntInterpreter.runAll(im.graph(), codes);
            expected.add(all.get(outputName).data());
            if (layers != null) {
                Map<String, long[]> byName = new LinkedHashMap<>();
                all.forEach((k, v) -> byName.put(k, v.data()));
                layers.add(byName);
            }
        }
        EngineTestbench.write(program, in, expected, layers, outputName, simDir, tb.version());

        List<String> rtl = new ArrayList<>(files.verilog());
        if (tb.spi()) {
            rtl.addAll(SpiWrapper.write(rtlDir, program, tb.version()));
            SpiWrapper.writeTestbench(simDir, SpiWrapper.Ports.of(program), in.size(), program.predictedCycles(), outputName, tb.version());
        }
        String top = tb.spi() ? SpiWrapper.TOP : EngineGenerator.TOP;
        String readme = DesignReadme.of(program, im).model(model.source().getFileName().toString()).version(tb.version())
                .files(rtl, files.memories()).spi(tb.spi()).vivado(!ice40, s.target().vivado().part(), true).ice40(ice40)
                .clockMhz(s.target().vivado().clockMhz()).render();
        List<String> rtlPaths = new ArrayList<>();
        for (String f : rtl) rtlPaths.add(RTL_DIR + f);
        List<String> mems = new ArrayList<>();
        for (String f : files.memories()) mems.add(RTL_DIR + f);
        VivadoDesign d = new VivadoDesign(top, CLOCK, rtlPaths, mems, program.predictedCycles());
        Map<String, String> flow = ice40 ? Ice40Flow.files(d, s.target().vivado(), Ice40Pins.ports(read(rtlDir.resolve(top + ".v")), top))
                : VivadoFlow.files(d, s.target().vivado());
        return new Generated(s, files, tb.spi() ? "spi" : "axis", top, rtl, in.size(), readme, flow);
    }

    private static String read(Path f) {
        try {
            return java.nio.file.Files.readString(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Input codes of {@code count} samples (taken in order, and again from the first when there are
     * fewer), or random codes of the input type when there are no samples.
     */
    static List<IntTensor> vectors(ImportResult model, IntegerModel im, FloatTensor samples, int count) {
        List<IntTensor> out = new ArrayList<>();
        if (samples != null) {
            int n = Samples.count(model.inputs().get(0), samples);
            List<IntTensor> distinct = new ArrayList<>();
            for (int i = 0; i < Math.min(n, count); i++) distinct.add(im.quantizeInput(Samples.toBound(model.inputs().get(0), samples, i)));
            for (int i = 0; i < count; i++) out.add(distinct.get(i % distinct.size()));
            return out;
        }
        IntType t = im.input().intType();
        org.tfq.ir.Shape s = im.graph().inputs().get(0).type().shape();
        SplittableRandom rnd = new SplittableRandom(RANDOM_SEED);
        for (int v = 0; v < count; v++) {
            long[] codes = new long[Math.toIntExact(s.size())];
            for (int i = 0; i < codes.length; i++) codes[i] = rnd.nextLong(t.min(), t.max() + 1);
            out.add(new IntTensor(s, codes));
        }
        return out;
    }
}
