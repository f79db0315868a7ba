package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.verilog.Verilator;

/**
 * tfq simulate under OUTDIR's lock (issue 19, item 8): two simulates of one OUTDIR at once both
 * pass (they built into the same sim/verilator/ and failed with "Text file busy"), and a compile
 * started while a simulate runs waits for it, so the simulation's report never lands in the new
 * output.
 */
class SimulateLockTest {

    @TempDir
    Path tmp;

    /** Threads of their own: the common pool has one thread on a two-core machine, which would run the two in turn anyway. */
    static final java.util.concurrent.Executor THREADS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });

    @Test
    void simulatesAndCompilesOfOneOutdirTakeTurns() throws Exception {
        Assumptions.assumeTrue(new Verilator().isAvailable(), "Verilator is not installed");
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run(OutputFolderTest.compileArgs(out)).exit());

        CompletableFuture<Cli> a = CompletableFuture.supplyAsync(() -> Cli.run("simulate", out.toString()), THREADS);
        CompletableFuture<Cli> b = CompletableFuture.supplyAsync(() -> Cli.run("simulate", out.toString()), THREADS);
        assertEquals(0, a.get().exit(), a.get().err());
        assertEquals(0, b.get().exit(), b.get().err());
        assertTrue((a.get().err() + b.get().err()).contains("waiting for another tfq working on " + out), a.get().err() + b.get().err());

        // a simulate holds the lock once it builds; a compile of another design then waits, and its output has no stale report
        OutputDirectory.delete(out.resolve("sim/verilator"));
        CompletableFuture<Cli> sim = CompletableFuture.supplyAsync(() -> Cli.run("simulate", out.toString()), THREADS);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.isDirectory(out.resolve("sim/verilator")) && System.nanoTime() < deadline) Thread.sleep(20);
        Cli compile = Cli.run(OutputFolderTest.compileArgs(out, "--clock-mhz", "50"));
        assertEquals(0, compile.exit(), compile.err());
        assertEquals(0, sim.get().exit(), sim.get().err());
        assertTrue(compile.err().contains("waiting for another tfq working on " + out), compile.err());
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"clock_mhz\": 50"), "not the new design");
        assertFalse(Files.exists(out.resolve(SimulateCommand.REPORT)), "the old design's simulation report is in the new output");
    }
}
