package org.tfq.cli;

import org.tfq.ir.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.TextDump;
import org.tfq.ir.Value;
import org.tfq.ir.integer.Requantizer;
import org.tfq.ir.io.Npy;
import org.tfq.ir.op.IntLinear;
import org.tfq.ir.op.IntOp;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.OnnxImporter;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.verilog.EngineGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "compile",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Compiles an ONNX model to an integer-only accelerator: imports it, quantizes it (post-training with"
                    + " --calibration, or with the scales a quantization-aware-trained model carries), schedules it onto"
                    + " the engine and writes OUTDIR/ir.txt (the integer IR), OUTDIR/rtl/ (Verilog-2001, top module"
                    + " tfq_top, and the ROM images), OUTDIR/sim/ (a self-checking testbench with vectors from the"
                    + " integer golden model: tfq simulate OUTDIR), OUTDIR/README.md (the interface) and"
                    + " OUTDIR/report.json (per layer: widths, scales, multipliers and shifts, accumulator widths; the"
                    + " engine's program and its exact cycles per inference; accuracy with --inputs/--targets)."
        })
final class CompileCommand extends TfqCommand {

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "OUTDIR", required = true, description = "Output folder.")
    Path output;

    @Option(names = "--force", description = "Replace OUTDIR even if it holds files tfq did not write.")
    boolean force;

    @Option(names = "--inputs", paramLabel = "X.npy", description = "Samples to measure accuracy on.")
    Path inputs;

    @Option(names = "--targets", paramLabel = "Y.npy", description = "Expected outputs of --inputs.")
    Path targets;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Size to bind a symbolic batch dimension to (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    QuantizationOptions quantization = new QuantizationOptions();

    @Mixin
    VivadoOutput vivado = new VivadoOutput();

    @Option(names = "--lanes", paramLabel = "N", defaultValue = "auto",
            description = "Multiply-accumulate lanes of the engine, or auto: the fastest that tfq's resource model says fits"
                    + " --part within --max-utilization (default: ${DEFAULT-VALUE}).")
    String lanes;

    @Option(names = "--activations", paramLabel = "MEMORY", defaultValue = "auto",
            description = "Activation memory: bram, lutram, or auto (block RAM when larger than 4 kbit; default).")
    String activations;

    @Option(names = "--vectors", paramLabel = "N", defaultValue = "16",
            description = "Test vectors for sim/: the first N samples of --inputs, else of --calibration (repeated when"
                    + " there are fewer), else random input codes (default: ${DEFAULT-VALUE}).")
    int vectors;

    @Option(names = "--check-layers", description = "The testbench also compares every layer's buffer with the golden model"
            + " after the instruction that wrote it, and names the first wrong op.")
    boolean checkLayers;

    @Option(names = "--interface", paramLabel = "KIND", defaultValue = "axis", description = "Top level: axis (tfq_top: AXI4-Stream,"
            + " start/busy/done; default) or spi (also rtl/tfq_spi_top.v, an SPI slave for a microcontroller host).") // InterfaceOutput
    String iface;

    @Option(names = "--stamp", description = "Record when the output was made: the UTC time in report.json (\"stamp\") and next to"
            + " the tfq version in the header of every generated Verilog file and README.md. Without it the same model and"
            + " options give byte-identical output, so builds can be compared and cached.")
    boolean stamp;

    /** Each vector is thousands of simulated cycles: more would take hours to simulate, and the golden model runs each at compile time. */
    static final int MAX_VECTORS = 65_536;

    /** --vectors: 1 to {@link #MAX_VECTORS}, or a one-line error. */
    static void checkVectors(int vectors) {
        if (vectors < 1 || vectors > MAX_VECTORS) {
            throw new CliException("--vectors " + vectors + ": give 1 to " + MAX_VECTORS + " test vectors");
        }
    }

    @Override
    protected int run() throws Exception {
        requireBatch(batch);
        checkVectors(vectors);
        InterfaceOutput.check(iface);
        vivado.options(); // an unknown part, a bad clock or a missing XDC fails before any work
        if (!"auto".equals(lanes)) VivadoOutput.laneCount(lanes); // so does a bad --lanes
        EngineGenerator.Activations memory = activations(activations);
        requireFile(model, "the model");
        if (inputs != null) requireFile(inputs, "--inputs");
        if (targets != null) {
            requireFile(targets, "--targets");
            if (inputs == null) throw new CliException("--targets needs --inputs");
        }
        // refuse a foreign output folder before any work
        try (OutputDirectory out = OutputDirectory.open(output, force, java.util.Arrays.asList(model, inputs, targets, quantization.calibration, vivado.xdc),
                err(), true)) {
            ImportResult r = OnnxImporter.load(model, new ImportOptions(batch));
            IntegerModel im = quantization.quantize(r);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", model.getFileName().toString());
            report.put("tfq_version", Main.Version.version());
            // the only thing that differs between two compiles of the same input, and only when asked for
            String when = stamp ? java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString() : null;
            if (when != null) report.put("stamp", when);
            String version = when == null ? Main.Version.version() : Main.Version.version() + ", " + when;
            report.put("input", quantizationJson(im.input().intType()));
            report.put("output", quantizationJson(im.output().intType()));
            report.put("macs_per_inference", im.graph().macs());
            report.put("parameters", im.graph().parameters());
            if (!im.scaleOrigins().isEmpty()) report.put("scales_not_in_the_model", ScaleOriginsText.json(im.scaleOrigins()));
            FloatTensor samples = null;
            if (inputs != null) {
                FloatTensor x = SampleFiles.inputs(Npy.read(inputs), r.inputs().get(0), inputs);
                samples = x;
                float[] t = targets == null ? null : SampleFiles.targets(Npy.read(targets), x.shape().dim(0), r.outputs().get(0), targets);
                report.put("accuracy", Accuracy.measure(r, im, x).fields(t, r, im));
            }
            report.put("layers", layers(im));
            if (samples == null && quantization.calibration != null) {
                samples = SampleFiles.inputs(Npy.read(quantization.calibration), r.inputs().get(0), quantization.calibration);
            }
            HardwareOutput.Written hw = HardwareOutput.write(r, im, vivado.lanes(lanes, im, memory), memory, samples, vectors, checkLayers, out.file("rtl"),
                    out.file("sim"), version);
            InterfaceOutput.write(iface, hw, im, model, out, version, vivado.options()); // --interface spi, README.md
            vivado.write(out, report, hw); // vivado/, Makefile, "part" and "clock_mhz"
            report.put("hardware", hw.report());
            report.put("cycles_per_inference", hw.program().predictedCycles());
            out.write("sim/sim.json", Json.write(hw.sim()));
            out.write("ir.txt", TextDump.of(im.graph()));
            out.write("float-ir.txt", TextDump.of(r.graph()));
            out.write("report.json", Json.write(report));
            out.commit();
            summary(r, im, report);
        } catch (IOException e) {
            throw OutputDirectory.notWritten(output, e);
        } catch (java.io.UncheckedIOException e) {
            throw OutputDirectory.notWritten(output, e.getCause());
        }
        return Main.EXIT_OK;
    }

    @SuppressWarnings("unchecked")
    private void summary(ImportResult r, IntegerModel im, Map<String, Object> report) {
        java.io.PrintWriter o = out();
        boolean trained = org.tfq.passes.quant.PlanFromTraining.isTrained(r.graph());
        o.printf(java.util.Locale.ROOT, "%s -> %s: %s quantization, %s, %d-bit forecast%n", model.getFileName(), output,
                trained ? "trained" : "post-training", Accuracy.widths(im), im.output().bits());
        o.printf(java.util.Locale.ROOT, "  %d integer ops, %,d multiply-accumulates per inference, %,d parameters%n",
                im.graph().nodes().size(), im.graph().macs(), im.graph().parameters());
        if (!im.scaleOrigins().isEmpty()) o.println("  " + ScaleOriginsText.line(im.scaleOrigins()));
        Map<String, Object> a = (Map<String, Object>) report.get("accuracy");
        if (a != null && a.get("rmse_int") != null) {
            o.printf(java.util.Locale.ROOT, "  rmse float %.4f, integer %.4f (%+.2f%%), integer vs float %.4f on %d samples%n",
                    (Double) a.get("rmse_float"), (Double) a.get("rmse_int"), 100 * (Double) a.get("rmse_relative_increase"),
                    (Double) a.get("rmse_int_vs_float"), (Integer) a.get("samples"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> hw = (Map<String, Object>) report.get("hardware");
        if (hw != null) {
            double mhz = report.get("clock_mhz") instanceof Number n ? n.doubleValue() : 100.0;
            o.printf(java.util.Locale.ROOT, "  engine: %d lanes, %,d cycles per inference (%.1f us at %s MHz), MAC-lane utilization %.0f%%%n",
                    (Integer) hw.get("lanes"), (Long) hw.get("predicted_cycles"), (Long) hw.get("predicted_cycles") / mhz,
                    mhz == Math.rint(mhz) ? Long.toString((long) mhz) : Double.toString(mhz), 100 * (Double) hw.get("mac_lane_utilization"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> rm = (Map<String, Object>) report.get("resource_model");
        if (rm != null) {
            o.printf(java.util.Locale.ROOT, "  resource model (%s): %,d LUT (%.0f%%), %,d FF, %d DSP48E1, %s BRAM36 on %s; %s%n",
                    "auto".equals(rm.get("lanes_chosen_by")) ? "lanes chosen by --lanes auto" : "lanes from --lanes",
                    ((Number) rm.get("lut")).intValue(), ((Number) rm.get("lut_percent")).doubleValue(), ((Number) rm.get("ff")).intValue(),
                    ((Number) rm.get("dsp")).intValue(), rm.get("bram_tiles"), report.get("part"),
                    Boolean.TRUE.equals(rm.get("fits")) ? "fits" : "DOES NOT FIT");
        }
        o.println("  wrote " + output.resolve("ir.txt") + ", " + output.resolve("report.json") + ", " + output.resolve("rtl")
                + "/, " + output.resolve("sim") + "/");
        o.flush();
    }

    static EngineGenerator.Activations activations(String s) {
        return switch (s) {
            case "bram" -> EngineGenerator.Activations.BRAM;
            case "lutram" -> EngineGenerator.Activations.LUTRAM;
            case "auto" -> EngineGenerator.Activations.AUTO;
            default -> throw new CliException("--activations " + s + ": use bram, lutram or auto");
        };
    }

    private static Map<String, Object> quantizationJson(IntType t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bits", t.bits());
        m.put("signed", t.signed());
        m.put("scale", t.scale());
        m.put("zero_point", t.zeroPoint());
        return m;
    }

    private static List<Object> layers(IntegerModel im) {
        List<Object> rows = new ArrayList<>();
        for (Node n : im.graph().nodes()) {
            IntOp op = (IntOp) n.op();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n.name());
            row.put("op", op.mnemonic());
            row.put("value", n.output().name());
            row.put("shape", n.output().type().shape().toString());
            row.put("inputs", n.inputs().stream().map(Value::name).toList());
            row.put("output_quantization", quantizationJson(n.output().type().intType()));
            row.put("datapath_bits", op.datapathBits());
            row.put("macs", op.macs(n.inputs().stream().map(Value::type).toList()));
            row.put("attributes", new LinkedHashMap<>(op.attributes()));
            if (op instanceof IntLinear lin) {
                row.put("weight_bits", lin.weightBits());
                row.put("accumulator_bits", lin.accBits());
                row.put("multipliers", lin.requant().stream().map(Requantizer::multiplier).toList());
                row.put("shifts", lin.requant().stream().map(Requantizer::shift).toList());
            }
            rows.add(row);
        }
        return rows;
    }
}
