package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.explore.ExploreJobs;
import org.tfq.explore.ExplorePlotTest;
import org.tfq.explore.ExploreRow;
import org.tfq.ir.io.Json;

/**
 * tfq explore on ref_n12_d16_m3 with a small sweep (4 and 8 bits, 4 and 8 lanes, block RAM):
 * the table, the fronts, the emitted candidates (each simulated bit-exact in Verilator), the
 * GitHub workflow, --collect with a Vivado summary; then the Slurm script and the bad inputs.
 */
class ExploreCommandTest {

    @TempDir
    static Path shared;

    static Path dir;
    static Cli sweep;
    static Map<?, ?> table;

    @TempDir
    Path tmp;

    static final String M = "ref_n12_d16_m3";

    static List<String> args(String... extra) {
        List<String> a = new ArrayList<>(List.of("explore", Cli.model(M + ".onnx").toString(), "--inputs", Cli.model(M + ".inputs.npy").toString(),
                "--targets", Cli.model(M + ".targets.npy").toString(), "--calibration", Cli.model(M + ".calibration.npy").toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @BeforeAll
    static void explore() throws IOException {
        dir = shared.resolve("ex");
        Files.createDirectories(shared.resolve(".git")); // --emit-jobs github: the folder is inside a repository
        sweep = Cli.run(args("--bits", "8,4", "--lanes", "4,8", "--activations", "bram", "--vectors", "4", "--emit-pareto",
                "--emit-jobs", "github", "-o", dir.toString()).toArray(String[]::new));
        assertEquals(0, sweep.exit(), sweep.out() + sweep.err());
        table = (Map<?, ?>) Json.read(Files.readString(dir.resolve("explore.json")));
    }

    static List<Map<?, ?>> rows() {
        List<Map<?, ?>> r = new ArrayList<>();
        for (Object o : (List<?>) table.get("configurations")) r.add((Map<?, ?>) o);
        return r;
    }

    static double num(Map<?, ?> row, String k) {
        return ((Number) row.get(k)).doubleValue();
    }

    @Test
    void tableHasEveryConfigurationInSweepOrder() throws IOException {
        assertEquals("", sweep.err());
        assertTrue(sweep.out().contains("4 configurations"), sweep.out());
        assertEquals("complete", table.get("status"));
        List<String> names = rows().stream().map(r -> (String) r.get("name")).toList();
        assertEquals(List.of("b4-l4-bram", "b4-l8-bram", "b8-l4-bram", "b8-l8-bram"), names);
        List<String> csv = Files.readAllLines(dir.resolve("explore.csv"));
        assertEquals(5, csv.size());
        assertTrue(csv.get(0).startsWith("name,bits,bits_for,lanes,activations,rmse_int,"), csv.get(0));
        assertTrue(csv.get(0).endsWith(",energy_source,fmax_mhz,wns_ns,pareto_rmse_latency,pareto_rmse_energy,pareto_lut_latency,pareto"), csv.get(0));
        for (Map<?, ?> r : rows()) {
            assertEquals("model", r.get("energy_source"));
            assertEquals("model", r.get("resource_source"));
            assertTrue(num(r, "cycles") > 1000 && num(r, "energy_uj") > 0 && num(r, "lut") > 500, r.toString());
            assertEquals(num(r, "cycles") / 100.0, num(r, "latency_us"), 0.01);
        }
        // the RMSE depends on the widths only, the cycles on the lanes (and barely on the widths)
        assertEquals(num(rows().get(0), "rmse_int"), num(rows().get(1), "rmse_int"));
        assertTrue(num(rows().get(2), "rmse_int") < num(rows().get(0), "rmse_int"));
        assertTrue(num(rows().get(1), "cycles") < num(rows().get(0), "cycles"));
        for (String f : List.of("rmse-latency", "rmse-energy", "lut-latency")) {
            assertTrue(Files.size(dir.resolve("plots/" + f + ".svg")) > 1000);
            assertTrue(Files.size(dir.resolve("plots/" + f + ".png")) > 1000);
        }
    }

    /** Every front: no flagged row dominated by a fitting row; every other fitting row weakly dominated by a flagged one. */
    @Test
    void frontsAreParetoOptimal() {
        String[][] fronts = {{"pareto_rmse_latency", "rmse_int", "latency_us"}, {"pareto_rmse_energy", "rmse_int", "energy_uj"},
            {"pareto_lut_latency", "lut", "latency_us"}};
        for (String[] f : fronts) {
            List<Map<?, ?>> fit = rows().stream().filter(r -> Boolean.TRUE.equals(r.get("fits"))).toList();
            assertFalse(fit.isEmpty());
            int flagged = 0;
            for (Map<?, ?> r : fit) {
                double[] p = {num(r, f[1]), num(r, f[2])};
                boolean on = Boolean.TRUE.equals(r.get(f[0]));
                if (on) {
                    flagged++;
                    for (Map<?, ?> q : fit) {
                        double[] o = {num(q, f[1]), num(q, f[2])};
                        boolean dominates = o[0] <= p[0] && o[1] <= p[1] && (o[0] < p[0] || o[1] < p[1]);
                        assertFalse(dominates, f[0] + ": " + r.get("name") + " flagged but dominated by " + q.get("name"));
                    }
                } else {
                    assertTrue(fit.stream().anyMatch(q -> Boolean.TRUE.equals(q.get(f[0])) && num(q, f[1]) <= p[0] && num(q, f[2]) <= p[1]),
                            f[0] + ": " + r.get("name") + " dropped but not dominated");
                }
            }
            assertTrue(flagged > 0, f[0]);
        }
    }

    /** --emit-pareto: one tfq compile folder per candidate, and each simulates bit-exact with the predicted cycles. */
    @Test
    void paretoCandidatesSimulateBitExact() throws IOException {
        Set<String> candidates = new TreeSet<>();
        for (Object o : (List<?>) table.get("pareto_candidates")) candidates.add((String) o);
        assertFalse(candidates.isEmpty());
        Set<String> folders = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir.resolve("pareto"))) {
            s.forEach(p -> folders.add(p.getFileName().toString()));
        }
        assertEquals(candidates, folders);
        for (String c : candidates) {
            Path out = dir.resolve("pareto").resolve(c);
            assertTrue(Files.readString(out.resolve("Makefile")).contains("sim:"), c);
            Cli sim = Cli.run("simulate", out.toString());
            assertEquals(0, sim.exit(), c + ":\n" + sim.out() + sim.err());
            assertTrue(sim.out().contains("bit-exact, cycles as predicted"), sim.out());
            Map<?, ?> report = (Map<?, ?>) Json.read(Files.readString(out.resolve("report.json")));
            Map<?, ?> row = rows().stream().filter(r -> r.get("name").equals(c)).findFirst().orElseThrow();
            assertEquals(num(row, "cycles"), num(report, "cycles_per_inference"), c);
            Map<?, ?> accuracy = (Map<?, ?>) report.get("accuracy");
            assertEquals(num(row, "rmse_int"), num(accuracy, "rmse_int"), 1e-5, c + ": explore and compile measure the same RMSE");
        }
    }

    @Test
    void githubWorkflowRunsEveryCandidate() throws IOException {
        String yml = Files.readString(dir.resolve("jobs/vivado.yml"));
        for (Object c : (List<?>) table.get("pareto_candidates")) assertTrue(yml.contains("          - " + c + "\n"), "matrix entry " + c);
        assertTrue(yml.contains("make -C \"$EXPLORE/pareto/${{ matrix.candidate }}\" bitstream"), yml);
        assertTrue(yml.contains("./tfq explore --collect \"$EXPLORE\""), yml);
        assertFalse(yml.contains("\t"), "YAML has no tabs");
    }

    /** --collect: a candidate with Vivado's summary gets its numbers; the others keep the estimates. */
    @Test
    void collectReplacesEstimatesWithVivadoResults() throws IOException {
        String c = (String) ((List<?>) table.get("pareto_candidates")).get(0);
        Path copy = copyWithSummary(c, """
                {"sources": [], "utilization": {"lut": 1234, "ff": 999, "lutram": 12, "dsp": 3, "bram36": 1.5, "ramb18": 1},
                 "timing": {"wns_ns": 1.25, "fmax_mhz": 114.3}, "power": {"total_w": 0.071, "static_w": 0.03, "dynamic_w": 0.041},
                 "cycles_per_inference": null, "latency_ms": null, "energy_per_inference_mj": null, "notes": []}
                """);
        Map<?, ?> after = collect(copy);
        for (Object o : (List<?>) after.get("configurations")) {
            Map<?, ?> row = (Map<?, ?>) o;
            if (row.get("name").equals(c)) {
                assertEquals("vivado", row.get("resource_source"));
                assertEquals("vivado", row.get("energy_source"));
                assertEquals(1234.0, num(row, "lut"));
                assertEquals(1.5, num(row, "bram_tiles"));
                assertEquals(0.071, num(row, "power_w"));
                assertEquals(0.071 * num(row, "latency_us"), num(row, "energy_uj"), 1e-3);
                assertEquals(114.3, num(row, "fmax_mhz"));
            } else {
                assertEquals("model", row.get("energy_source"));
            }
        }
        assertTrue(Files.readAllLines(copy.resolve("explore.csv")).stream().anyMatch(l -> l.startsWith(c + ",") && l.contains(",vivado,")));
        assertTrue(Files.readString(copy.resolve("plots/rmse-energy.svg")).contains("Vivado results"));
    }

    /** --collect with Vivado's resources over the part (XC7S15: 20 DSPs, 10 block RAM tiles): the row no longer fits and leaves every front. */
    @Test
    void collectJudgesFitFromVivadoResources() throws IOException {
        String c = (String) ((List<?>) table.get("pareto_candidates")).get(0);
        Map<?, ?> after = collect(copyWithSummary(c, """
                {"utilization": {"lut": 1234, "ff": 999, "lutram": 12, "dsp": 30, "bram36": 12.5, "ramb18": 1},
                 "timing": {"wns_ns": 1.25, "fmax_mhz": 114.3}, "power": {"total_w": 0.071}}
                """));
        Map<?, ?> row = ((List<?>) after.get("configurations")).stream().map(o -> (Map<?, ?>) o).filter(o -> o.get("name").equals(c))
                .findFirst().orElseThrow();
        assertEquals(true, rows().stream().filter(o -> o.get("name").equals(c)).findFirst().orElseThrow().get("fits"), "fit by the model");
        assertEquals(false, row.get("fits"), row.toString());
        for (String f : List.of("pareto_rmse_latency", "pareto_rmse_energy", "pareto_lut_latency", "pareto")) assertEquals(false, row.get(f), f);
        assertFalse(((List<?>) after.get("pareto_candidates")).contains(c), after.get("pareto_candidates").toString());
    }

    @Test
    void slurmArrayScriptParsesAndListsEveryCandidate() throws Exception {
        Files.writeString(tmp.resolve("explore.json"), "{\"model\": \"m.onnx\", \"configurations\": []}");
        List<ExploreRow> rows = ExplorePlotTest.table().subList(0, 3);
        Path script = ExploreJobs.write("slurm", tmp, rows).file();
        String text = Files.readString(script);
        assertTrue(text.contains("#SBATCH --array=0-2\n"), text);
        for (ExploreRow r : rows) assertTrue(text.contains("\n  " + r.name() + "\n"), r.name());
        assertTrue(text.contains("tfq explore --collect ."), text);
        assertEquals(tmp.toAbsolutePath().normalize().toString(), explore(script));
    }

    /** A folder name with a space, quotes, $ and a backtick: the script still parses, EXPLORE is the exact path, the comments stay comments. */
    @Test
    void slurmAndGithubJobsQuoteTheFolder() throws Exception {
        Path odd = Files.createDirectories(tmp.resolve("my run 'a' \"b\" $HOME `x`; y"));
        Files.createDirectories(tmp.resolve(".git"));
        Files.writeString(odd.resolve("explore.json"), "{\"model\": \"m\\n#SBATCH --mem=1T.onnx\", \"configurations\": []}");
        List<ExploreRow> rows = ExplorePlotTest.table().subList(0, 2);
        Path script = ExploreJobs.write("slurm", odd, rows).file();
        assertEquals(odd.toAbsolutePath().normalize().toString(), explore(script));
        String text = Files.readString(script);
        assertFalse(text.contains("\n#SBATCH --mem=1T"), text);
        assertTrue(text.contains("#SBATCH --output=jobs/logs/"), text);
        Path yml = ExploreJobs.write("github", odd, rows).file();
        String line = Files.readAllLines(yml).stream().filter(l -> l.startsWith("  EXPLORE: ")).findFirst().orElseThrow();
        String expected = ExploreJobs.relative(odd);
        assertEquals("  EXPLORE: \"" + expected.replace("\\", "\\\\").replace("\"", "\\\"") + "\"", line);
    }

    /** Checks the script with bash -n, then runs its EXPLORE= line in bash and returns the value. */
    private static String explore(Path script) throws Exception {
        Process n = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertTrue(n.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, n.exitValue(), new String(n.getInputStream().readAllBytes()));
        String assign = Files.readAllLines(script).stream().filter(l -> l.startsWith("EXPLORE=")).findFirst().orElseThrow();
        Process p = new ProcessBuilder("bash", "-c", assign + "\nprintf %s \"$EXPLORE\"").redirectErrorStream(true).start();
        String value = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), value);
        return value;
    }

    @Test
    void badInputsAreOneLineErrors() throws IOException {
        String out = tmp.resolve("o").toString();
        Cli.run(args("--emit-jobs", "lsf", "-o", out).toArray(String[]::new)).assertOneLineError();
        Cli.run(args("--bits", "9", "-o", out).toArray(String[]::new)).assertOneLineError();
        Cli.run(args("--calibration-method", "magic", "-o", out).toArray(String[]::new)).assertOneLineError();
        Cli.run(args("--output-bits", "0", "-o", out).toArray(String[]::new)).assertOneLineError();
        Cli.run(args("--lanes", "0", "-o", out).toArray(String[]::new)).assertOneLineError();
        Cli lanes = Cli.run(args("--lanes", "4,1000000", "-o", out).toArray(String[]::new));
        lanes.assertOneLineError();
        assertTrue(lanes.err().contains("give 1 to 4096 lanes"), lanes.err());
        for (String v : List.of("0", "100000000")) {
            Cli vectors = Cli.run(args("--vectors", v, "-o", out).toArray(String[]::new));
            vectors.assertOneLineError();
            assertTrue(vectors.err().contains("give 1 to 65536 test vectors"), vectors.err());
        }
        assertFalse(Files.exists(tmp.resolve("o")), "nothing written for bad options");
        Cli.run(args("--activations", "sram", "-o", out).toArray(String[]::new)).assertOneLineError();
        Cli.run(args("--max-rmse-increase", "-5", "-o", out).toArray(String[]::new)).assertOneLineError();
        Path foreign = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        Cli r = Cli.run(args("-o", foreign.toString()).toArray(String[]::new));
        r.assertOneLineError();
        assertTrue(r.err().contains("--force"), r.err());
        Cli.run("explore", "--collect", foreign.toString()).assertOneLineError();
        Cli usage = Cli.run("explore", Cli.model(M + ".onnx").toString(), "-o", out);
        assertEquals(2, usage.exit(), usage.err());
        assertNotEquals("", usage.err());
        usage.assertNoStackTrace();
    }

    /** A DIR that holds the model or its samples is refused, even with --force, and keeps them. */
    @Test
    void outputHoldingAnInputIsRefused() throws IOException {
        Path own = Files.createDirectories(tmp.resolve("own"));
        for (String f : List.of(".onnx", ".inputs.npy", ".targets.npy", ".calibration.npy")) Files.copy(Cli.model(M + f), own.resolve(M + f));
        Files.createDirectories(own.resolve("pareto/x"));
        Files.writeString(own.resolve("pareto/x/keep.txt"), "mine");
        Files.writeString(own.resolve("explore.json"), "{}");
        for (String in : List.of(".onnx", ".inputs.npy", ".targets.npy", ".calibration.npy")) {
            List<String> a = args("-o", own.toString(), "--force");
            a.set(a.indexOf(Cli.model(M + in).toString()), own.resolve(M + in).toString());
            Cli r = Cli.run(a.toArray(String[]::new));
            r.assertOneLineError();
            assertTrue(r.err().contains("holds " + own.resolve(M + in) + ", an input of this explore"), r.err());
        }
        for (String f : List.of(".onnx", ".inputs.npy", ".targets.npy", ".calibration.npy")) assertTrue(Files.isRegularFile(own.resolve(M + f)), f);
        assertEquals("mine", Files.readString(own.resolve("pareto/x/keep.txt")));
        assertEquals("{}", Files.readString(own.resolve("explore.json")));
    }

    /** A rerun into a DIR whose candidates have Vivado results not yet collected is refused without --force, and keeps them. */
    @Test
    void rerunKeepsUncollectedVivadoResults() throws IOException {
        String c = (String) ((List<?>) table.get("pareto_candidates")).get(0);
        Path copy = copyWithSummary(c, "{\"utilization\": {\"lut\": 1}}");
        Path summary = copy.resolve("pareto/" + c + "/reports/summary.json");
        String before = Files.readString(copy.resolve("explore.json"));
        Cli r = Cli.run(args("--bits", "4", "--lanes", "4", "--activations", "bram", "-o", copy.toString()).toArray(String[]::new));
        r.assertOneLineError();
        assertTrue(r.err().contains("1 Pareto candidate has Vivado results"), r.err());
        assertTrue(r.err().contains("tfq explore --collect " + copy) && r.err().contains("--force"), r.err());
        assertEquals("{\"utilization\": {\"lut\": 1}}", Files.readString(summary));
        assertEquals(before, Files.readString(copy.resolve("explore.json")));
        for (String f : List.of("plots/rmse-latency.svg", "jobs/vivado.yml", "pareto/" + c + "/Makefile")) assertTrue(Files.isRegularFile(copy.resolve(f)), f);
    }

    /**
     * A copy of the sweep in tmp/ex with {@code summary} as candidate {@code c}'s Vivado summary
     * (what make report writes) and no other reports/ (paretoCandidatesSimulateBitExact may have
     * written simulation reports into the shared sweep).
     */
    private Path copyWithSummary(String c, String summary) throws IOException {
        Path copy = tmp.resolve("ex");
        copyTree(dir, copy);
        try (Stream<Path> s = Files.list(copy.resolve("pareto"))) {
            for (Path candidate : s.toList()) OutputDirectory.delete(candidate.resolve("reports"));
        }
        Path file = copy.resolve("pareto/" + c + "/reports/summary.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, summary);
        return copy;
    }

    /** Runs tfq explore --collect on {@code copy} (one candidate has a summary) and returns its explore.json. */
    private static Map<?, ?> collect(Path copy) throws IOException {
        Cli r = Cli.run("explore", "--collect", copy.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("collected Vivado results of 1 configurations"), r.out());
        return (Map<?, ?>) Json.read(Files.readString(copy.resolve("explore.json")));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
    }
}
