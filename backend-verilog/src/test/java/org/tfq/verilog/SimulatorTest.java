package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The simulator drivers on small fixtures: a pass, a mismatch, a build error, a hang. */
class SimulatorTest {

    static List<Simulator> simulators() {
        return Simulator.all();
    }

    @ParameterizedTest
    @MethodSource("simulators")
    void runsASelfCheckingTestbench(Simulator sim) throws Exception {
        assertTrue(sim.isAvailable(), sim.name() + " is not installed: run scripts/install-tools.sh");
        Path dir = Bench.workDir("sim-pass-" + sim.name());
        Path tb = Fixtures.copy("sim_pass.v", dir);
        new VectorFile(64, 64).add(1, 2).add(-1, 0).add(41, 42).write(dir.resolve("fixture.txt"));
        SimResult r = sim.run(dir, List.of(tb), "sim_pass", Duration.ofMinutes(2));
        assertTrue(r.passed(), r::describe);
        assertEquals(new SimResult.Summary(3, 0), r.summary().orElseThrow());
        assertTrue(Files.isDirectory(dir.resolve(sim.name())), "build products under workDir/" + sim.name());

        new VectorFile(64, 64).add(1, 2).add(5, 7).write(dir.resolve("fixture.txt"));
        SimResult bad = sim.run(dir, List.of(tb), "sim_pass", Duration.ofMinutes(2));
        assertFalse(bad.passed());
        assertEquals(new SimResult.Summary(2, 1), bad.summary().orElseThrow(), bad::describe);
        assertEquals("MISMATCH vector 1: a=0000000000000005 b=0000000000000007", bad.firstMismatch().orElseThrow());
    }

    @ParameterizedTest
    @MethodSource("simulators")
    void reportsABuildError(Simulator sim) {
        Path dir = Bench.workDir("sim-broken-" + sim.name());
        Path tb = Fixtures.copy("sim_broken.v", dir);
        SimResult r = sim.run(dir, List.of(tb), "sim_broken", Duration.ofMinutes(2));
        assertFalse(r.built());
        assertFalse(r.timedOut());
        assertFalse(r.passed());
        assertTrue(r.buildLog().contains("sim_broken.v:5"), r.buildLog());
        assertTrue(r.describe().contains("build failed"), r.describe());
    }

    @ParameterizedTest
    @MethodSource("simulators")
    void killsARunThatDoesNotEnd(Simulator sim) throws Exception {
        Path dir = Bench.workDir("sim-hang-" + sim.name());
        Path tb = Fixtures.copy("sim_hang.v", dir);
        // first a run that ends, to build; then the same build (reused) runs forever
        Files.writeString(dir.resolve("mode.txt"), "0\n");
        SimResult built = sim.run(dir, List.of(tb), "sim_hang", Duration.ofMinutes(2));
        assertTrue(built.passed(), built::describe);
        Files.writeString(dir.resolve("mode.txt"), "1\n");
        long t0 = System.nanoTime();
        SimResult r = sim.run(dir, List.of(tb), "sim_hang", Duration.ofSeconds(3));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(r.built(), r::describe);
        assertTrue(r.timedOut(), r::describe);
        assertEquals(-1, r.exitCode());
        assertTrue(r.describe().contains("timed out"), r.describe());
        assertTrue(seconds < 10, "returned after " + seconds + " s");
    }

    @Test
    void aBuildThatRunsOutOfTimeIsATimeout() {
        Path dir = Bench.workDir("sim-build-timeout");
        Path tb = Fixtures.copy("sim_hang.v", dir);
        // no Verilator build (verilate, then g++) finishes in 50 ms
        SimResult r = new Verilator(null).run(dir, List.of(tb), "sim_hang", Duration.ofMillis(50));
        assertFalse(r.built());
        assertTrue(r.timedOut(), r::describe);
    }

    @Test
    void missingToolsSayHowToInstallThem() {
        String nowhere = Bench.workDir("sim-no-tools").toString();
        Path dir = Bench.workDir("sim-none");
        Icarus icarus = new Icarus(nowhere);
        assertFalse(icarus.isAvailable());
        SimulatorNotFoundException e = assertThrows(SimulatorNotFoundException.class,
                () -> icarus.run(dir, List.of(dir.resolve("tb.v")), "tb", Duration.ofSeconds(5)));
        assertTrue(e.getMessage().startsWith("iverilog (needed by icarus) not found on the PATH"), e.getMessage());
        assertTrue(e.getMessage().contains("scripts/install-tools.sh"), e.getMessage());
        assertTrue(e.getMessage().endsWith("apt-get install iverilog"), e.getMessage());

        Verilator verilator = new Verilator(null, nowhere);
        assertFalse(verilator.isAvailable());
        e = assertThrows(SimulatorNotFoundException.class,
                () -> verilator.run(dir, List.of(dir.resolve("tb.v")), "tb", Duration.ofSeconds(5)));
        assertTrue(e.getMessage().endsWith("apt-get install verilator g++ make"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new Icarus().run(dir, List.of(), "x", Duration.ofSeconds(1)));
    }
}
