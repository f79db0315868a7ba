package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tfq explore killed over an earlier explore folder (issue 19, item 9): by SIGINT (Ctrl-C, the
 * shutdown hook runs) and by SIGKILL (nothing runs), once the new sweep has started. The earlier
 * folder must stay byte for byte (it lost its plots and pareto/ and kept a header-only
 * explore.csv), and the next run removes what the killed one left. A real tfq process: signals
 * cannot be sent to a run inside the test's JVM.
 */
class ExploreInterruptTest {

    @TempDir
    Path tmp;

    static final String M = "ref_n12_d16_m3";

    /**
     * A process started in the background of a non-interactive shell ignores SIGINT, and its
     * children inherit that (a JVM then never sees Ctrl-C): the run is given SIGINT's default
     * action back when env can do so (GNU coreutils 8.31 and later).
     */
    private static final List<String> DEFAULT_SIGINT = defaultSigint();

    private static List<String> defaultSigint() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? List.of("env", "--default-signal=INT") : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private List<String> command(Path dir) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> c = new ArrayList<>(DEFAULT_SIGINT);
        c.addAll(List.of(java.toString(), "-cp", System.getProperty("java.class.path"), "org.tfq.cli.Main"));
        c.addAll(args(dir));
        return c;
    }

    private List<String> args(Path dir) {
        return List.of("explore", Cli.model(M + ".onnx").toString(), "--inputs", Cli.model(M + ".inputs.npy").toString(),
                "--targets", Cli.model(M + ".targets.npy").toString(), "--calibration", Cli.model(M + ".calibration.npy").toString(),
                "--bits", "4,8", "--lanes", "4,8", "--activations", "bram", "--vectors", "2", "--emit-pareto", "--threads", "1",
                "-o", dir.toString());
    }

    private Process start(Path dir, Path log) throws IOException {
        return new ProcessBuilder(command(dir)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until the sweep has begun: its table in the folder it builds beside DIR, or (before atomic explore) in DIR, saying running. */
    private void awaitSweep(Path dir, Process p) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Stream<Path> s = Files.list(tmp)) {
                if (s.anyMatch(f -> f.getFileName().toString().startsWith("." + dir.getFileName() + ".tmp-")
                        && Files.isRegularFile(f.resolve("explore.json")))) return;
            }
            Path json = dir.resolve("explore.json");
            if (Files.isRegularFile(json) && Files.readString(json).contains("\"running\"")) return;
            Thread.sleep(5);
        }
        throw new AssertionError("the sweep did not start, or ended before it could be interrupted");
    }

    @Test
    void anInterruptedOrKilledExploreLeavesTheEarlierFolderAsItWas() throws Exception {
        Path dir = tmp.resolve("ex");
        Path log = tmp.resolve("log.txt");
        Process first = start(dir, log);
        assertTrue(first.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue(), Files.readString(log));
        SortedMap<String, String> before = Cli.files(dir);
        assertTrue(before.containsKey("plots/rmse-latency.svg") && before.keySet().stream().anyMatch(f -> f.startsWith("pareto/")), before.keySet().toString());

        // Ctrl-C: the hook runs, and says the earlier sweep is kept. On a loaded machine the signal
        // can arrive after the sweep is done (it takes 3 s): that says nothing about Ctrl-C during a
        // sweep, so it is tried again (over the folder a finished run left).
        String said = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Process interrupted = start(dir, log);
            awaitSweep(dir, interrupted);
            new ProcessBuilder("kill", "-INT", Long.toString(interrupted.pid())).start().waitFor();
            assertTrue(interrupted.waitFor(60, TimeUnit.SECONDS));
            said = Files.readString(log, StandardCharsets.UTF_8);
            if (said.contains("explore interrupted")) break;
            // too late: the sweep was done (its hook gone) and the run either finished or stopped while compiling candidates
            if (interrupted.exitValue() == 0) before = Cli.files(dir);
        }
        assertEquals(before, Cli.files(dir), "the earlier explore folder changed after SIGINT: " + said);
        assertTrue(said.contains("explore interrupted: " + dir + " keeps the earlier sweep's results"), said);
        assertFalse(said.contains("internal error"), said);
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".ex.tmp-")), "Ctrl-C left its temporary folder");
        }

        // SIGKILL: nothing runs; the earlier folder is still whole
        Process killed = start(dir, log);
        awaitSweep(dir, killed);
        killed.destroyForcibly();
        assertTrue(killed.waitFor(60, TimeUnit.SECONDS));
        assertEquals(before, Cli.files(dir), "the earlier explore folder changed after SIGKILL");

        // the next sweep removes the killed one's folder and says so, then replaces DIR whole
        Cli next = Cli.run(args(dir).toArray(String[]::new));
        assertEquals(0, next.exit(), next.err());
        assertTrue(next.err().contains("left by an interrupted tfq"), next.err());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(".ex.lock", "ex", "log.txt"), s.map(f -> f.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> s = Files.walk(dir)) {
            assertFalse(s.anyMatch(f -> f.getFileName().toString().contains(".tmp-")), "a temporary file left in " + dir);
        }
    }
}
