package org.tfq.cli;

import org.tfq.ir.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.tfq.compiler.Accuracy;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.Generated;
import org.tfq.compiler.IrSnapshots;
import org.tfq.compiler.Quantized;
import org.tfq.compiler.ReportJson;
import org.tfq.compiler.SampleFiles;
import org.tfq.compiler.ScaleOriginsText;
import org.tfq.compiler.Scheduled;
import org.tfq.compiler.Testbench;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.TextDump;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.Resources;
import org.tfq.verilog.DesignReadme;
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
            + " start/busy/done; default) or spi (also rtl/tfq_spi_top.v, an SPI slave for a microcontroller host).")
    String iface;

    @Option(names = "--dump-ir", paramLabel = "DIR", description = "Also write the IR after every pass into DIR: one file per pass,"
            + " numbered in the order the passes ran, and index.txt; the last file equals OUTDIR/ir.txt. DIR follows OUTDIR's rules"
            + " (--force replaces a folder tfq did not write).")
    Path dumpIr;

    /** The top levels of --interface: the AXI4-Stream engine alone, or with an SPI slave around it. */
    static final java.util.List<String> INTERFACES = java.util.List.of("axis", "spi");

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
        if (!INTERFACES.contains(iface)) throw new CliException("--interface " + iface + ": use axis or spi");
        vivado.options(); // an unknown part, a bad clock or a missing XDC fails before any work
        if (!"auto".equals(lanes)) VivadoOutput.laneCount(lanes); // so does a bad --lanes
        EngineGenerator.Activations memory = activations(activations);
        requireFile(model, "the model");
        if (inputs != null) requireFile(inputs, "--inputs");
        if (targets != null) {
            requireFile(targets, "--targets");
            if (inputs == null) throw new CliException("--targets needs --inputs");
        }
        java.util.List<Path> given = java.util.Arrays.asList(model, inputs, targets, quantization.calibration, vivado.xdc);
        if (dumpIr != null) refuseOverlap(output, dumpIr);
        // refuse a foreign output folder before any work
        try (OutputDirectory out = OutputDirectory.open(output, force, given, err(), true);
                OutputDirectory dump = dumpIr == null ? null : OutputDirectory.open(dumpIr, force, given, err(), true, "--dump-ir")) {
            IrSnapshots passes = new IrSnapshots();
            // the text of every pass's graph only when it is to be written
            Compiler compiler = new Compiler(dump == null ? org.tfq.ir.pass.IrObserver.NONE : passes);
            ImportResult r;
            Quantized q;
            try {
                r = compiler.importModel(model, new ImportOptions(batch));
                q = quantization.quantize(compiler, r);
            } catch (IrException e) {
                // the IR up to the pass that failed is what --dump-ir is for: written, then the error
                if (dump == null || passes.isEmpty()) throw e;
                writeDump(dump, passes);
                throw new CliException(message(e) + " (the IR after each pass that ran is in " + dumpIr + ")");
            }
            IntegerModel im = q.model();
            // the only thing that differs between two compiles of the same input, and only when asked for
            String when = stamp ? java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString() : null;
            String version = when == null ? Main.Version.version() : Main.Version.version() + ", " + when;
            FloatTensor samples = null;
            Accuracy accuracy = null;
            float[] t = null;
            if (inputs != null) {
                FloatTensor x = SampleFiles.inputs(Npy.read(inputs), r.inputs().get(0), inputs);
                samples = x;
                t = targets == null ? null : SampleFiles.targets(Npy.read(targets), x.shape().dim(0), r.outputs().get(0), targets);
                accuracy = Accuracy.measure(r, im, x);
            }
            if (samples == null && quantization.calibration != null) {
                samples = SampleFiles.inputs(Npy.read(quantization.calibration), r.inputs().get(0), quantization.calibration);
            }
            Scheduled s = vivado.schedule(compiler, q, lanes, memory);
            Generated g = compiler.generate(s, new Testbench(samples, vectors, checkLayers, iface.equals("spi"), version), out.file("rtl"),
                    out.file("sim"));
            out.write(DesignReadme.FILE, g.readme());
            for (Map.Entry<String, String> f : g.vivado().entrySet()) out.write(f.getKey(), f.getValue());
            out.write("sim/sim.json", Json.write(ReportJson.sim(g)));
            out.write("ir.txt", TextDump.of(im.graph()));
            out.write("float-ir.txt", TextDump.of(r.graph()));
            out.write("report.json", Json.write(ReportJson.report(g, accuracy, t, Main.Version.version(), when)));
            // the dump first: if putting it in place fails, OUTDIR is still as it was
            if (dump != null) writeDump(dump, passes);
            out.commit();
            summary(s, accuracy, t);
        } catch (IOException e) {
            throw OutputDirectory.notWritten(output, e);
        } catch (java.io.UncheckedIOException e) {
            throw OutputDirectory.notWritten(output, e.getCause());
        }
        return Main.EXIT_OK;
    }

    /** Writes the IR of every pass that ran into the --dump-ir folder and puts it in place. */
    private void writeDump(OutputDirectory dump, IrSnapshots passes) {
        try {
            for (Map.Entry<String, String> f : passes.files().entrySet()) dump.write(f.getKey(), f.getValue());
            dump.commit();
        } catch (IOException e) {
            throw new CliException(OutputDirectory.notWritten(dumpIr, e).getMessage()); // names DIR, not OUTDIR
        }
    }

    /** --dump-ir inside OUTDIR (or OUTDIR inside it) would be swept away when the other is put in place. */
    private static void refuseOverlap(Path output, Path dumpIr) {
        // through every link on the way, not only the last: a linked parent can put one inside the other
        Path o = OutputDirectory.real(output), d = OutputDirectory.real(dumpIr);
        if (o.startsWith(d) || d.startsWith(o)) {
            throw new CliException("--dump-ir " + dumpIr + ": give a folder outside " + output + " (and not holding it)");
        }
    }

    private void summary(Scheduled s, Accuracy a, float[] targets) {
        java.io.PrintWriter o = out();
        ImportResult r = s.quantized().imported();
        IntegerModel im = s.quantized().model();
        boolean trained = org.tfq.passes.quant.PlanFromTraining.isTrained(r.graph());
        o.printf(java.util.Locale.ROOT, "%s -> %s: %s quantization, %s, %d-bit forecast%n", model.getFileName(), output,
                trained ? "trained" : "post-training", Accuracy.widths(im), im.output().bits());
        o.printf(java.util.Locale.ROOT, "  %d integer ops, %,d multiply-accumulates per inference, %,d parameters%n",
                im.graph().nodes().size(), im.graph().macs(), im.graph().parameters());
        if (!im.scaleOrigins().isEmpty()) o.println("  " + ScaleOriginsText.line(im.scaleOrigins()));
        if (a != null && targets != null) {
            Accuracy.Errors e = a.errors(targets);
            o.printf(java.util.Locale.ROOT, "  rmse float %.4f, integer %.4f (%+.2f%%), integer vs float %.4f on %d samples%n",
                    e.rmseFloat(), e.rmseInt(), 100 * e.relativeIncrease(), e.intVsFloat(), a.samples());
        }
        double mhz = s.target().vivado().clockMhz();
        long cycles = s.program().predictedCycles();
        o.printf(java.util.Locale.ROOT, "  engine: %d lanes, %,d cycles per inference (%.1f us at %s MHz), MAC-lane utilization %.0f%%%n",
                s.program().lanes(), cycles, cycles / mhz, mhz == Math.rint(mhz) ? Long.toString((long) mhz) : Double.toString(mhz),
                100 * s.macLaneUtilization());
        Capacity cap = s.target().capacity();
        Resources total = s.estimate().total();
        // the percentage as report.json rounds it
        double lutPercent = ((Number) total.json(cap).get("lut_percent")).doubleValue();
        if (cap.ice40()) {
            o.printf(java.util.Locale.ROOT, "  resource model (%s): %,d LUT4 (%.0f%%), %,d FF, %d SB_MAC16, %d EBR on %s; %s%n",
                    s.choice().auto() ? "lanes chosen by --lanes auto" : "lanes from --lanes", total.lut(), lutPercent, total.ff(), total.dsp(),
                    total.ebr(), s.target().vivado().part(), s.fits() ? "fits" : "DOES NOT FIT");
        } else {
            o.printf(java.util.Locale.ROOT, "  resource model (%s): %,d LUT (%.0f%%), %,d FF, %d DSP48E1, %s BRAM36 on %s; %s%n",
                    s.choice().auto() ? "lanes chosen by --lanes auto" : "lanes from --lanes", total.lut(), lutPercent, total.ff(), total.dsp(),
                    Double.toString(total.bram36Tiles()), s.target().vivado().part(), s.fits() ? "fits" : "DOES NOT FIT");
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
}
