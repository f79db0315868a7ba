package org.tfq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.tfq.compiler.Accuracy;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.SampleFiles;
import org.tfq.compiler.Target;
import org.tfq.explore.ExploreCollect;
import org.tfq.explore.ExploreFront;
import org.tfq.explore.ExploreJobs;
import org.tfq.explore.ExploreRow;
import org.tfq.explore.ExploreSweep;
import org.tfq.explore.ExploreTable;
import org.tfq.explore.MixedPrecision;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.FloatReference;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.quant.PlanFromTraining;
import org.tfq.passes.resources.LaneChooser;
import org.tfq.vivado.VivadoReports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "explore",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Explores the design space of a float model in seconds, without synthesis: for every combination of"
                    + " --bits, --lanes and --activations it measures the integer golden model's test RMSE, the"
                    + " scheduler's exact cycles and latency, tfq's resource model's LUT, FF, DSP and block RAM and"
                    + " whether they fit --part, and an energy estimate per inference (docs/explore.md). Writes"
                    + " DIR/explore.csv, DIR/explore.json and the Pareto fronts RMSE vs latency, RMSE vs energy and"
                    + " LUTs vs latency as DIR/plots/*.svg and *.png; with --emit-pareto, a tfq compile output folder"
                    + " per Pareto candidate in DIR/pareto/; with --emit-jobs, the Vivado runs of those candidates as a"
                    + " GitHub Actions matrix or a Slurm array job. --collect DIR then puts Vivado's (on an iCE40,"
                    + " nextpnr's) results in place of the estimates. Ctrl-C stops and keeps the configurations that finished; over an earlier sweep, which"
                    + " is replaced only when the new one is complete, it keeps the earlier sweep."
        })
final class ExploreCommand extends TfqCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL.onnx", description = "The ONNX model (a float model).")
    Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Output folder.")
    Path output;

    @Option(names = "--force", description = "Replace DIR even if it holds files tfq did not write, or Pareto candidates"
            + " with Vivado results in their reports/ (they are deleted). A DIR holding an input is refused all the same.")
    boolean force;

    @Option(names = "--inputs", paramLabel = "X.npy", description = "Test samples the RMSE is measured on.")
    Path inputs;

    @Option(names = "--targets", paramLabel = "Y.npy", description = "Expected outputs of --inputs.")
    Path targets;

    @Option(names = "--calibration", paramLabel = "C.npy",
            description = "Typical input windows for post-training quantization, shaped like --inputs (default: --inputs).")
    Path calibration;

    @Mixin
    QuantizationOptions.Scales scales = new QuantizationOptions.Scales();

    @Option(names = "--bits", paramLabel = "B", split = ",", splitSynopsisLabel = ",", defaultValue = "4,6,8",
            description = "Widths of weights and activations to try, 2..8 (default: ${DEFAULT-VALUE}).")
    List<Integer> bits;

    @Option(names = "--lanes", paramLabel = "N|auto", split = ",", splitSynopsisLabel = ",", defaultValue = "auto",
            description = "Lane counts to try; auto: every lane count --lanes auto of tfq compile chooses from"
                    + " (1, 2, 4, 8, 16, 24, ..., 64; default: ${DEFAULT-VALUE}).")
    List<String> lanes;

    @Option(names = "--activations", paramLabel = "MEMORY", split = ",", splitSynopsisLabel = ",", defaultValue = "bram,lutram",
            description = "Activation memories to try: bram, lutram, auto (default: ${DEFAULT-VALUE}).")
    List<String> activations;

    @Option(names = "--max-rmse-increase", paramLabel = "PERCENT",
            description = "Also search per-layer widths (mixed precision, from the widest of --bits down) that keep the"
                    + " integer RMSE within PERCENT%% of the float model's; the result is swept like a --bits entry.")
    Double maxRmseIncrease;

    @Mixin
    VivadoOutput vivado = new VivadoOutput();

    @Option(names = "--emit-pareto", description = "Compile every Pareto candidate into DIR/pareto/<configuration>/ (as tfq compile).")
    boolean emitPareto;

    @Option(names = "--vectors", paramLabel = "N", defaultValue = "16",
            description = "--emit-pareto: test vectors per candidate, the first N of --inputs (default: ${DEFAULT-VALUE}).")
    int vectors;

    @Option(names = "--emit-jobs", paramLabel = "KIND",
            description = "github or slurm: the Vivado runs of the Pareto candidates (make bitstream, make report) as a"
                    + " GitHub Actions matrix workflow (DIR/jobs/vivado.yml) or a Slurm array job (DIR/jobs/vivado.slurm);"
                    + " implies --emit-pareto.")
    String emitJobs;

    @Option(names = "--collect", paramLabel = "DIR",
            description = "Instead of a sweep: the results of Vivado or nextpnr (DIR/pareto/*/reports/summary.json, from make"
                    + " report) in place of the estimates in DIR/explore.csv and explore.json, and the plots redrawn.")
    Path collect;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per core).")
    Integer threads;

    @Override
    protected int run() throws Exception {
        if (collect != null) {
            if (model != null || output != null) throw usage("--collect DIR takes no model and no -o: it updates DIR in place");
            OutputDirectory.requireFolder(collect);
            ExploreCollect.Collected c = ExploreCollect.run(collect);
            java.io.PrintWriter o = out();
            o.println("collected " + c.tool() + " results of " + c.merged().size() + " configurations into " + c.json()
                    + (c.merged().isEmpty() ? " (no " + ExploreTable.PARETO + "/*/" + VivadoReports.SUMMARY
                            + " yet: run make bitstream and make report in each candidate)" : ""));
            o.print(ExploreTable.markdown(c.rows()));
            o.flush();
            return Main.EXIT_OK;
        }
        if (model == null) throw usage("Missing required parameter: 'MODEL.onnx' (or --collect DIR)");
        if (output == null) throw usage("Missing required option: '--output=DIR'");
        if (inputs == null || targets == null) throw usage("Missing required options: '--inputs=X.npy' and '--targets=Y.npy' (the RMSE is measured on them)");
        checkOptions();
        quantization(); // a bad --bits, --calibration-method, --weights or --output-bits fails before any work
        int[] laneCounts = laneCounts();
        vivado.options();
        requireFile(model, "the model");
        requireFile(inputs, "--inputs");
        requireFile(targets, "--targets");
        if (calibration != null) requireFile(calibration, "--calibration");
        Path dir = prepare(output);
        if ("github".equals(emitJobs)) ExploreJobs.githubPath(dir); // a folder the workflow cannot name fails now, not after the sweep
        // built beside DIR and moved into place at the end, as compile does: a killed or failed sweep leaves DIR as it was
        try (OutputDirectory staging = OutputDirectory.open(dir, true, Arrays.asList(model, inputs, targets, calibration), err(), false)) {
            return sweep(dir, staging, laneCounts);
        }
    }

    private int sweep(Path dir, OutputDirectory staging, int[] laneCounts) throws Exception {
        Path work = staging.staging();
        Compiler compiler = new Compiler();
        ImportResult r = compiler.importModel(model, new ImportOptions(1));
        if (PlanFromTraining.isTrained(r.graph())) {
            throw new CliException(model + ": is quantization-aware-trained, so its widths are fixed; explore a float model"
                    + " (or compile this one with --lanes and --activations)");
        }
        FloatTensor x = SampleFiles.inputs(Npy.read(inputs), r.inputs().get(0), inputs);
        float[] t = SampleFiles.targets(Npy.read(targets), x.shape().dim(0), r.outputs().get(0), targets);
        double rmseFloat = Accuracy.rmse(FloatReference.runSamples(r, x).data(), t);
        QuantizationOptions q = quantization();
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        double bound = maxRmseIncrease == null ? Double.NaN : rmseFloat * (1 + maxRmseIncrease / 100);
        ExploreSweep.Quantizer widths = (b, bitsFor) -> q.withWidths(b, bitsFor).quantize(compiler, r);
        ExploreSweep sweep = new ExploreSweep(new ExploreSweep.Setup(compiler, r, x, t, rmseFloat, widths, Target.capacity(vivado.device()),
                vivado.maxUtilization / 100.0, vivado.options().clockMhz()), laneCounts, activations, nThreads);

        Map<String, Object> header = header(rmseFloat, x.shape().dim(0), nThreads);
        List<ExploreRow> rows = new ArrayList<>();
        Progress progress = new Progress(err(), Progress.terminal());
        Object lock = new Object();
        boolean[] finished = {false};
        // Ctrl-C: stop the sweep, and write what finished (the files are also rewritten after every row)
        Thread hook = new Thread(() -> {
            sweep.stop();
            synchronized (lock) {
                if (finished[0]) return;
                finished[0] = true;
                progress.finish();
                header.put("status", "interrupted");
                header.put("seconds", ExploreRow.sig(progress.seconds()));
                try {
                    if (Files.isRegularFile(dir.resolve(ExploreTable.JSON))) {
                        // an earlier sweep's results are worth more than part of this one
                        OutputDirectory.delete(work);
                        err().println("tfq: explore interrupted: " + dir + " keeps the earlier sweep's results; the " + rows.size()
                                + " configurations of this run are dropped");
                    } else {
                        ExploreTable.write(work, header, rows, true);
                        staging.commit();
                        err().println("tfq: explore interrupted: " + rows.size() + " configurations kept in " + dir.resolve(ExploreTable.CSV));
                    }
                } catch (IOException | RuntimeException e) {
                    err().println("tfq: explore interrupted: could not write " + dir + ": " + e.getMessage());
                }
                err().flush();
            }
        }, "tfq-explore-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        MixedPrecision.Result mixed;
        try {
            header.put("status", "running");
            synchronized (lock) {
                ExploreTable.write(work, header, rows, false);
                // the bar from the start: the first rows wait for quantization and the test-set run
                progress.update(0, laneCounts.length * activations.size() * (bits.size() + (maxRmseIncrease == null ? 0 : 1)));
            }
            mixed = sweep.run(bits, maxRmseIncrease == null ? null : bound, row -> {
                synchronized (lock) {
                    if (finished[0]) return;
                    rows.add(row);
                    try {
                        ExploreTable.write(work, header, rows, false);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    progress.update(rows.size(), sweep.expected());
                }
            });
            synchronized (lock) {
                if (finished[0]) return Main.EXIT_ERROR; // interrupted: the hook wrote the files
                finished[0] = true;
                progress.finish();
                header.put("status", "complete");
                header.put("seconds", ExploreRow.sig(progress.seconds()));
                if (mixed != null) header.put("mixed_precision", mixed.json(rmseFloat, maxRmseIncrease));
                if (!sweep.skipped().isEmpty()) header.put("skipped", sweep.skipped().stream().map(s -> s.name() + ": " + s.reason()).toList());
                ExploreTable.write(work, header, rows, true);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running
            }
        }
        summary(dir, rows, rmseFloat, x.shape().dim(0), progress.seconds(), nThreads, mixed, sweep.skipped());
        int exit = Main.EXIT_OK;
        if (emitPareto || emitJobs != null) {
            List<ExploreRow> candidates = ExploreFront.candidates(ExploreTable.sorted(rows), ExploreFront.all(ExploreTable.sorted(rows)));
            exit = ParetoCandidates.compile(this, work, dir, candidates, nThreads, out(), err());
            if (emitJobs != null) {
                ExploreJobs.Written jobs = ExploreJobs.write(emitJobs, dir, work, candidates);
                if (jobs.ignoredByGit()) {
                    out().println("  warning: " + org.tfq.ir.io.SafeText.printable(dir.toAbsolutePath().normalize().toString())
                            + " is ignored by git, so a commit leaves it out and the workflow will not find it: git add -f it, or explore"
                            + " into a folder git does not ignore");
                }
                out().println("  wrote " + jobs.file() + (jobs.github() ? " (copy to .github/workflows/)" : " (sbatch " + jobs.file() + ")"));
            }
        }
        synchronized (lock) {
            staging.commit();
        }
        out().flush();
        return exit;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private void checkOptions() {
        if (bits.isEmpty()) throw usage("--bits: give at least one width");
        bits = bits.stream().distinct().sorted().toList();
        for (String a : activations) CompileCommand.activations(a);
        activations = activations.stream().distinct().toList();
        if (emitJobs != null && !emitJobs.equals("github") && !emitJobs.equals("slurm")) {
            throw new CliException("--emit-jobs " + emitJobs + ": use github (a GitHub Actions workflow) or slurm (a Slurm array job)");
        }
        CompileCommand.checkVectors(vectors);
        if (threads != null && threads < 1) throw new CliException("--threads " + threads + ": at least 1");
        if (maxRmseIncrease != null && !(maxRmseIncrease >= 0)) {
            throw new CliException("--max-rmse-increase " + maxRmseIncrease + ": a percentage of the float model's RMSE, 0 or more");
        }
    }

    /** The quantization options every configuration shares; each of --bits checked as compile checks its --bits. */
    private QuantizationOptions quantization() {
        QuantizationOptions q = new QuantizationOptions();
        q.calibration = calibration != null ? calibration : inputs;
        q.scales = scales;
        for (int b : bits) q.withWidths(b, Map.of()).options();
        return q;
    }

    /** --lanes: numbers, or auto for every lane count LaneChooser considers. */
    private int[] laneCounts() {
        List<Integer> n = new ArrayList<>();
        for (String s : lanes) {
            if (s.strip().equals("auto")) {
                for (int c : LaneChooser.CANDIDATES) n.add(c);
                continue;
            }
            n.add(VivadoOutput.laneCount(s));
        }
        return n.stream().distinct().sorted().mapToInt(Integer::intValue).toArray();
    }

    /**
     * DIR, ready for a new sweep: created if absent; refused, even with --force, when it holds one
     * of the inputs; refused without --force when it holds files explore did not write, or
     * candidates with results under reports/ (Vivado's, not yet collected); then the previous
     * sweep is replaced whole at the end, so nothing stale is mixed with the new one.
     */
    private Path prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new CliException(dir + ": exists and is not a folder; choose another -o");
        OutputDirectory.refuseHoldingInputs(dir, Arrays.asList(model, inputs, targets, calibration), "explore");
        if (Files.isDirectory(dir) && !force && !Files.isRegularFile(dir.resolve(ExploreTable.JSON))) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new CliException(dir + ": exists and holds files tfq explore did not write; choose another -o, or pass --force");
                }
            }
        }
        long withResults = withResults(dir.resolve(ExploreTable.PARETO));
        if (withResults > 0 && !force) {
            throw new CliException(dir + ": " + withResults + (withResults == 1 ? " Pareto candidate has" : " Pareto candidates have")
                    + " Vivado results in " + ExploreTable.PARETO + "/*/reports/ that a new sweep would delete; run tfq explore --collect "
                    + dir + " first, or pass --force");
        }
        return dir;
    }

    /** How many candidate folders under {@code pareto} hold any file under their reports/. */
    private static long withResults(Path pareto) throws IOException {
        if (!Files.isDirectory(pareto)) return 0;
        long n = 0;
        try (Stream<Path> candidates = Files.list(pareto)) {
            for (Path c : candidates.toList()) {
                Path reports = c.resolve(EstimateCommand.REPORTS);
                if (!Files.isDirectory(reports)) continue;
                try (Stream<Path> s = Files.walk(reports)) {
                    if (s.anyMatch(Files::isRegularFile)) n++;
                }
            }
        }
        return n;
    }

    private Map<String, Object> header(double rmseFloat, int samples, int nThreads) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("model", model.getFileName().toString());
        h.put("tfq_version", Main.Version.version());
        h.put("inputs", inputs.toString());
        h.put("targets", targets.toString());
        h.put("calibration", (calibration != null ? calibration : inputs).toString());
        h.put("samples", samples);
        h.put("rmse_float", rmseFloat);
        h.put("part", vivado.options().part());
        h.put("clock_mhz", vivado.options().clockMhz());
        h.put("max_utilization_percent", vivado.maxUtilization);
        h.put("bits", bits);
        h.put("lanes", Arrays.stream(laneCounts()).boxed().toList());
        h.put("activations", activations);
        h.put("threads", nThreads);
        h.put("status", "running");
        h.put("energy_model", ExploreTable.energyModel(Target.capacity(vivado.device())));
        return h;
    }

    private void summary(Path dir, List<ExploreRow> rows, double rmseFloat, int samples, double seconds, int nThreads,
            MixedPrecision.Result mixed, List<ExploreSweep.Skipped> skipped) {
        java.io.PrintWriter o = out();
        long fit = rows.stream().filter(ExploreRow::fits).count();
        o.printf(Locale.ROOT, "explore %s -> %s: %s in %.1f s on %s (%s%s x %s x %s)%n",
                model.getFileName(), dir, count(rows.size(), "configuration"), seconds, count(nThreads, "thread"), count(bits.size(), "width"),
                mixed != null && !mixed.bitsFor().isEmpty() ? " + 1 mixed" : "", count(laneCounts().length, "lane count"),
                count(activations.size(), "activation memory"));
        o.printf(Locale.ROOT, "  float RMSE %.4f on %d samples; %s at %s MHz; %d of %d fit within %s%% of its LUTs%n", rmseFloat, samples,
                vivado.options().part(), plain(vivado.options().clockMhz()), fit, rows.size(), plain(vivado.maxUtilization));
        if (mixed != null) {
            o.printf(Locale.ROOT, "  mixed precision within +%s%% RMSE: %s%n", plain(maxRmseIncrease),
                    mixed.bitsFor().isEmpty() ? "no layer could be narrower than " + mixed.baseBits() + " bits"
                            : mixed.baseBits() + " bits, " + mixed.bitsFor() + String.format(Locale.ROOT, ", RMSE %.4f", mixed.rmse()));
        }
        for (ExploreSweep.Skipped s : skipped) o.println("  skipped " + s.name() + ": " + s.reason());
        o.println("  Pareto candidates (resources, power and energy are model estimates until --collect):");
        o.print(ExploreTable.markdown(rows));
        o.println("  wrote " + dir.resolve(ExploreTable.CSV) + ", " + dir.resolve(ExploreTable.JSON) + ", " + dir.resolve(ExploreTable.PLOTS)
                + "/{rmse-latency,rmse-energy,lut-latency}.{svg,png}");
        o.flush();
    }

    private static String count(int n, String what) {
        return n + " " + (n == 1 ? what : what.endsWith("y") ? what.substring(0, what.length() - 1) + "ies" : what + "s");
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** The tfq compile arguments that build configuration {@code r} into {@code out}. */
    List<String> compileArgs(ExploreRow r, Path out) {
        List<String> a = new ArrayList<>(List.of("compile", model.toString(), "-o", out.toString(), "--bits", Integer.toString(r.bits())));
        r.bitsFor().forEach((k, v) -> a.addAll(List.of("--bits-for", k + "=" + v)));
        a.addAll(List.of("--calibration", (calibration != null ? calibration : inputs).toString(), "--calibration-method", scales.method,
                "--weights", scales.weights, "--output-bits", Integer.toString(scales.outputBits), "--lanes", Integer.toString(r.lanes()),
                "--activations", r.activations(), "--inputs", inputs.toString(), "--targets", targets.toString(),
                "--part", vivado.options().part(), "--clock-mhz", Double.toString(vivado.options().clockMhz()),
                "--max-utilization", Double.toString(vivado.maxUtilization), "--vectors", Integer.toString(vectors)));
        if (scales.activationBits != null) a.addAll(List.of("--activation-bits", Integer.toString(scales.activationBits)));
        if (scales.rangeMarginPercent != 0) a.addAll(List.of("--range-margin", plain(scales.rangeMarginPercent)));
        if (!scales.weightRounding.equals("nearest")) a.addAll(List.of("--weight-rounding", scales.weightRounding));
        if (!scales.outputTail.equals("narrow")) a.addAll(List.of("--output-tail", scales.outputTail));
        if (vivado.xdc != null) a.addAll(List.of("--xdc", vivado.xdc.toString()));
        if (vivado.pcf != null) a.addAll(List.of("--pcf", vivado.pcf.toString()));
        if (vivado.allowTimingViolation) a.add("--allow-timing-violation");
        return a;
    }
}
