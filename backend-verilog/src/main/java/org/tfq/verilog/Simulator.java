package org.tfq.verilog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A Verilog simulator that builds and runs a self-checking testbench.
 *
 * <p>Convention for testbenches: the testbench reads its stimulus and expected values from files
 * in the working directory, prints {@code MISMATCH ...} lines for the first failures and ends
 * with one summary line {@code vectors N mismatches M} before {@code $finish}
 * ({@link SimResult#summary()}). Exit codes do not carry the verdict: Verilog-2001 has no way to
 * set one ({@code $stop} aborts a Verilator binary with a core dump).
 */
public interface Simulator {

    /** Short name: {@code verilator}, {@code icarus}. */
    String name();

    /** Whether the tools this simulator needs are installed (on the PATH). */
    boolean isAvailable();

    /**
     * Builds {@code sources} with {@code top} as the top module and runs the result with
     * {@code workDir} as its working directory. Build products go under {@code workDir} (in a
     * directory named after the simulator), and so do the build and run logs. {@code timeout}
     * covers build and run together; when it expires every process of the run is killed and the
     * result says {@link SimResult#timedOut()}. A build or run that fails is a result, not an
     * exception.
     *
     * @throws SimulatorNotFoundException if {@link #isAvailable()} is false
     * @throws java.io.UncheckedIOException if the working directory cannot be written
     */
    SimResult run(Path workDir, List<Path> sources, String top, Duration timeout);

    /** Verilator, then Icarus Verilog: the two simulators tfq checks its Verilog with. */
    static List<Simulator> all() {
        return List.of(new Verilator(), new Icarus());
    }
}
