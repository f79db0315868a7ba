package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;
import picocli.CommandLine;

/**
 * tfq simulate on a real compile: ref_n12_d16_m3 at 4 bits with 4 vectors, simulated bit-exact in
 * Verilator and in Icarus; then copies of that output with a wrong expected value, a wrong
 * prediction, broken RTL, too little time, and the bad inputs.
 */
class SimulateCommandTest {

    @TempDir
    static Path shared;

    /** The compiled design every test reads (tests that change files work on a copy). */
    static Path compiled;
    /** report.json's cycles_per_inference of {@link #compiled}. */
    static long reportCycles;

    @TempDir
    Path tmp;

    @BeforeAll
    static void compile() throws IOException {
        compiled = shared.resolve("ref4");
        String m = "ref_n12_d16_m3";
        Cli c = Cli.run("compile", Cli.model(m + ".onnx").toString(), "--bits", "4",
                "--calibration", Cli.model(m + ".calibration.npy").toString(), "--vectors", "4", "-o", compiled.toString());
        assertEquals(0, c.exit(), c.err());
        Map<?, ?> report = (Map<?, ?>) Json.read(Files.readString(compiled.resolve("report.json")));
        reportCycles = ((Double) report.get("cycles_per_inference")).longValue();
        assertTrue(reportCycles > 0);
    }

    private static Map<?, ?> json(Cli r) {
        return (Map<?, ?>) Json.read(r.out());
    }

    private static long num(Map<?, ?> j, String key) {
        Object v = j.get(key);
        assertNotNull(v, key + " missing or null in " + j);
        return ((Double) v).longValue();
    }

    /** Bit-exact, cycles as predicted, and the JSON is the file written. */
    private static void assertExact(Cli r, Path out, String simulator) throws IOException {
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("", r.err());
        assertEquals(Files.readString(out.resolve("reports/simulation.json")), r.out());
        Map<?, ?> j = json(r);
        assertEquals(simulator, j.get("simulator"));
        assertEquals(Boolean.TRUE, j.get("passed"));
        assertEquals("passed", j.get("status"));
        assertEquals(4, num(j, "vectors"));
        assertEquals(0, num(j, "mismatches"));
        assertEquals(reportCycles, num(j, "cycles_per_inference"));
        assertEquals(reportCycles, num(j, "predicted_cycles"));
        assertEquals(reportCycles, num(j, "cycles_min"));
        assertEquals(reportCycles, num(j, "cycles_max"));
        assertTrue((Double) j.get("seconds") > 0, r.out());
        assertEquals(null, j.get("error"));
        assertEquals("sim/" + simulator + "/run.stdout.log", j.get("run_log"));
    }

    @Test
    void verilatorIsBitExactAndOnTime() throws IOException {
        Cli r = Cli.run("simulate", compiled.toString(), "--json");
        assertExact(r, compiled, "verilator");
        assertTrue(Files.isRegularFile(compiled.resolve("sim/verilator/run.stdout.log")));
    }

    @Test
    void icarusIsBitExactAndOnTime() throws IOException {
        Path out = copy(compiled);
        Cli r = Cli.run("simulate", out.toString(), "--simulator", "iverilog", "--json");
        assertExact(r, out, "icarus");

        Cli text = Cli.run("simulate", "--simulator", "icarus", out.toString());
        assertEquals(0, text.exit(), text.err());
        List<String> lines = text.out().lines().toList();
        assertEquals("simulated " + out + " with icarus: bit-exact, cycles as predicted", lines.get(0), text.out());
        assertTrue(lines.contains("  vectors      4 of 4"), text.out());
        assertTrue(lines.contains("  mismatches   0"), text.out());
        String cycles = String.format(java.util.Locale.ROOT, "%,d", reportCycles);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  cycles       " + cycles + " measured, " + cycles + " predicted")),
                text.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("  time         [0-9.]+ s \\(build [0-9.]+ s, simulation [0-9.]+ s\\)")),
                text.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  logs         " + out.resolve("sim/icarus") + "/ (build: ")), text.out());
        assertEquals("wrote " + out.resolve("reports/simulation.json"), lines.get(lines.size() - 1));
    }

    @Test
    void aWrongExpectedValueIsAMismatch() throws IOException {
        Path out = copy(compiled);
        Path expected = out.resolve("sim/expected.mem");
        List<String> lines = new ArrayList<>(Files.readAllLines(expected));
        String was = lines.get(1);
        String wrong = Long.toHexString(Long.parseLong(was, 16) ^ 1);
        lines.set(1, wrong);
        Files.write(expected, lines);

        Cli r = Cli.run("simulate", "--simulator", "iverilog", "--json", out.toString());
        r.assertOneLineError();
        String m = "MISMATCH vector 1 output 0 ";
        assertTrue(r.err().startsWith("tfq: error: icarus: not bit-exact: " + m), r.err());
        assertTrue(r.err().contains(" expected " + wrong + " actual " + was + " ("), r.err());
        assertTrue(r.err().contains("the testbench stopped after 2 of 4 vectors"), r.err());
        Map<?, ?> j = json(r);
        assertEquals(Boolean.FALSE, j.get("passed"));
        assertEquals("mismatch", j.get("status"));
        assertEquals(1, num(j, "mismatches"));
        assertTrue(((String) j.get("first_mismatch")).startsWith(m), r.out());
        assertEquals(Files.readString(out.resolve("reports/simulation.json")), r.out());

        Cli text = Cli.run("simulate", "--simulator", "iverilog", out.toString());
        assertEquals(1, text.exit());
        assertTrue(text.out().contains("with icarus: NOT bit-exact"), text.out());
        assertTrue(text.out().contains("               first: " + m), text.out());
    }

    @Test
    void otherCyclesThanPredictedFail() throws IOException {
        Path out = copy(compiled);
        Path simJson = out.resolve("sim/sim.json");
        Files.writeString(simJson, Files.readString(simJson).replace("\"predicted_cycles\": " + reportCycles,
                "\"predicted_cycles\": " + (reportCycles + 1)));
        Cli r = Cli.run("simulate", "--simulator", "iverilog", "--json", out.toString());
        r.assertOneLineError();
        assertEquals(String.format(java.util.Locale.ROOT,
                "tfq: error: icarus: bit-exact, but an inference took %,d cycles, the scheduler predicted %,d", reportCycles,
                reportCycles + 1), r.err().strip());
        Map<?, ?> j = json(r);
        assertEquals("cycles", j.get("status"));
        assertEquals(0, num(j, "mismatches"));
        assertEquals(reportCycles, num(j, "cycles_per_inference"));
        assertEquals(reportCycles + 1, num(j, "predicted_cycles"));
    }

    @Test
    void aBuildFailureNamesTheLogAndTheError() throws IOException {
        Path out = copy(compiled);
        Files.writeString(out.resolve("rtl/tfq_top.v"), "this is not verilog;\n", java.nio.file.StandardOpenOption.APPEND);
        Cli r = Cli.run("simulate", "--simulator", "iverilog", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().startsWith("tfq: error: icarus: the testbench did not build: " + out.resolve("rtl/tfq_top.v")), r.err());
        assertTrue(r.err().contains("(log: " + out.resolve("sim/icarus/build.stderr.log") + ")"), r.err());
        assertTrue(r.out().contains("with icarus: build FAILED"), r.out());
    }

    @Test
    void aTimeoutFails() throws IOException {
        Path out = copy(compiled);
        Cli r = Cli.run("simulate", "--simulator", "iverilog", "--timeout", "0.05", "--json", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("did not finish within 0.05 s (raise --timeout"), r.err());
        assertEquals("timeout", json(r).get("status"));
    }

    @Test
    void missingOutdir() {
        Cli.assertMissingOutdir("simulate", tmp.resolve("absent"));
    }

    @Test
    void notAnOutputFolder() throws IOException {
        Path f = Files.writeString(tmp.resolve("file.txt"), "x");
        Cli r = Cli.run("simulate", f.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains(f + ": is not a folder"), r.err());

        Path d = Files.createDirectories(tmp.resolve("somewhere"));
        r = Cli.run("simulate", d.toString());
        r.assertOneLineError();
        assertEquals("tfq: error: " + d + ": not an output folder of tfq compile (no report.json)", r.err().strip());
    }

    @Test
    void noSimJsonSaysRunCompileFirst() throws IOException {
        Path out = copy(compiled);
        Files.delete(out.resolve("sim/sim.json"));
        Cli r = Cli.run("simulate", out.toString());
        r.assertOneLineError();
        assertEquals("tfq: error: " + out + ": no sim/sim.json, so no testbench to simulate; run tfq compile first", r.err().strip());
        assertFalse(Files.exists(out.resolve("reports/simulation.json")));

        Files.writeString(out.resolve("sim/sim.json"), "{\"top\": \"tb_tfq\", ");
        r = Cli.run("simulate", out.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("sim.json: not JSON"), r.err());
    }

    @Test
    void unknownSimulator() {
        Cli r = Cli.run("simulate", "--simulator", "modelsim", compiled.toString());
        r.assertOneLineError();
        assertEquals("tfq: error: --simulator modelsim: unknown simulator; choose verilator or iverilog", r.err().strip());
    }

    @Test
    void badTimeout() {
        Cli r = Cli.run("simulate", "--timeout", "0", compiled.toString());
        r.assertOneLineError();
        assertTrue(r.err().contains("--timeout 0: "), r.err());
    }

    @Test
    void missingSimulatorSaysHowToInstall() throws IOException {
        String nowhere = Files.createDirectories(tmp.resolve("empty-path")).toString();
        Consumer<CommandLine> noTools = c -> ((SimulateCommand) c.getSubcommands().get("simulate").getCommand()).searchPath = nowhere;
        Cli r = Cli.run(noTools, "simulate", compiled.toString());
        r.assertOneLineError();
        assertTrue(r.err().startsWith("tfq: error: verilator (needed by verilator) not found on the PATH"), r.err());
        assertTrue(r.err().contains("scripts/install-tools.sh"), r.err());
        assertTrue(r.err().strip().endsWith("apt-get install verilator g++ make"), r.err());

        r = Cli.run(noTools, "simulate", "--simulator", "iverilog", compiled.toString());
        r.assertOneLineError();
        assertTrue(r.err().startsWith("tfq: error: iverilog (needed by icarus) not found on the PATH"), r.err());
        assertTrue(r.err().strip().endsWith("apt-get install iverilog"), r.err());
    }

    @Test
    void helpSaysVectorsAreChosenAtCompileTime() {
        Cli r = Cli.run("simulate", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().replaceAll("\\s+", " ").contains("The test vectors are chosen at compile time"), r.out());
    }

    /** A copy of a compile's output (without simulator products), for a test to change. */
    private Path copy(Path from) throws IOException {
        Path to = tmp.resolve("copy-" + System.nanoTime());
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path rel = from.relativize(p);
                if (rel.startsWith("sim/verilator") || rel.startsWith("sim/icarus") || rel.startsWith("reports")) continue;
                Path q = to.resolve(rel.toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        return to;
    }
}
