package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.verilog.Verilator;

/**
 * tfq simulate under OUTDIR's lock, building in a folder of its own (issue 19, item 8): two
 * simulates of one OUTDIR at once, as two processes, both pass side by side (they built into the
 * same sim/verilator/ and failed with "Text file busy"), and a compile started while a simulate
 * runs waits for it, so the simulation's report never lands in the new output.
 */
class SimulateLockTest {

    @TempDir
    Path tmp;


    private static Process simulateProcess(Path out, Path log) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> c = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"), "org.tfq.cli.Main",
                "simulate", out.toString()));
        return new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void simulatesRunSideBySideAndACompileWaitsForThem() throws Exception {
        Assumptions.assumeTrue(new Verilator().isAvailable(), "Verilator is not installed");
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(OutputFolderTest.compileArgs(out)).exit());

        Process a = simulateProcess(out, tmp.resolve("a.log"));
        Process b = simulateProcess(out, tmp.resolve("b.log"));
        assertTrue(a.waitFor(300, TimeUnit.SECONDS) && b.waitFor(300, TimeUnit.SECONDS));
        String said = Files.readString(tmp.resolve("a.log"), StandardCharsets.UTF_8) + Files.readString(tmp.resolve("b.log"), StandardCharsets.UTF_8);
        assertEquals(0, a.exitValue(), said);
        assertEquals(0, b.exitValue(), said);
        assertFalse(said.contains("waiting for another tfq"), "the simulations waited for each other: " + said);
        assertTrue(Files.isRegularFile(out.resolve("sim/verilator/run.stdout.log")), "no build logs in sim/verilator/");
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tfq-sim-")), "a private build folder was left");
        }
        try (Stream<Path> s = Files.list(out.resolve("sim"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".verilator.old-")), "an earlier sim/verilator/ was left");
        }

        // a simulate holds the lock while it builds in its folder; a compile of another design waits, and its output has no stale report
        CompletableFuture<Cli> sim = CompletableFuture.supplyAsync(() -> Cli.run("simulate", out.toString()), Cli.THREADS);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.anyMatch(p -> p.getFileName().toString().startsWith(".tfq-sim-"))) break;
            }
            Thread.sleep(20);
        }
        Cli compile = Cli.run(OutputFolderTest.compileArgs(out, "--clock-mhz", "50"));
        assertEquals(0, compile.exit(), compile.err());
        assertEquals(0, sim.get().exit(), sim.get().err());
        assertTrue(compile.err().contains("waiting for another tfq working on " + out), compile.err());
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"clock_mhz\": 50"), "not the new design");
        assertFalse(Files.exists(out.resolve(SimulateCommand.REPORT)), "the old design's simulation report is in the new output");
    }

    /** A killed simulate leaves its private folder; the next tfq on the folder, alone there, removes it and says so. */
    @Test
    void aKilledSimulatesFolderIsRemovedNextTime() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(OutputFolderTest.compileArgs(out)).exit());
        Path left = Files.createDirectories(out.resolve(".tfq-sim-verilator-123/verilator"));
        Cli s = Cli.run("simulate", out.toString(), "--timeout", "0.001"); // fails at once; the recovery comes first
        assertTrue(s.err().contains("removed " + left.getParent() + ", left by an interrupted tfq simulate"), s.err());
        assertFalse(Files.exists(left.getParent()));
    }
}
