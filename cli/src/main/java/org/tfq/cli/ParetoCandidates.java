package org.tfq.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tfq.explore.ExploreRow;
import org.tfq.explore.ExploreTable;
import picocli.CommandLine;

/**
 * {@code tfq explore --emit-pareto}: each Pareto candidate compiled into
 * {@code DIR/pareto/<configuration>/} by {@code tfq compile} itself, run in-process with the
 * candidate's options, so a candidate is exactly what a user's own compile would give (RTL,
 * testbench, Makefile with make sim, Vivado flow).
 */
final class ParetoCandidates {
    private ParetoCandidates() {}

    /**
     * Compiles the candidates on {@code threads} threads into {@code work} (explore's folder
     * while it is built; {@code dir} once in place, as printed); returns 0, or 1 when any
     * compile failed (each failure printed).
     */
    static int compile(ExploreCommand explore, Path work, Path dir, List<ExploreRow> candidates, int threads, PrintWriter out, PrintWriter err)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<String>> done = new ArrayList<>();
        for (ExploreRow r : candidates) {
            Path target = work.resolve(ExploreTable.PARETO).resolve(r.name());
            List<String> args = explore.compileArgs(r, target);
            done.add(pool.submit(() -> {
                StringWriter o = new StringWriter(), e = new StringWriter();
                CommandLine cmd = new CommandLine(new Main());
                cmd.setOut(new PrintWriter(o, true));
                cmd.setErr(new PrintWriter(e, true));
                int exit = cmd.execute(args.toArray(String[]::new));
                return exit == 0 ? null : "tfq: error: --emit-pareto: tfq compile of " + r.name() + " failed (exit " + exit + "): "
                        + e.toString().strip().replace("\n", "\n  ");
            }));
        }
        pool.shutdown();
        int exit = Main.EXIT_OK;
        for (int i = 0; i < done.size(); i++) {
            String failure;
            try {
                failure = done.get(i).get();
            } catch (java.util.concurrent.ExecutionException e) {
                failure = "tfq: error: --emit-pareto: compile of " + candidates.get(i).name() + ": " + e.getCause();
            }
            if (failure != null) {
                err.println(failure);
                exit = Main.EXIT_ERROR;
            }
        }
        err.flush();
        // each compile locked its folder with a file beside it; explore holds the lock of the whole folder, so they go
        for (ExploreRow r : candidates) {
            try {
                java.nio.file.Files.deleteIfExists(OutputLock.lockFile(work.resolve(ExploreTable.PARETO).resolve(r.name()), false));
            } catch (java.io.IOException e) {
                // an empty lock file left is harmless
            }
        }
        out.println("  compiled " + (candidates.size() - (exit == 0 ? 0 : countFailures(done))) + " of " + candidates.size()
                + " Pareto candidates into " + dir.resolve(ExploreTable.PARETO) + "/<configuration>/ (make -C <folder> sim simulates one)");
        out.flush();
        return exit;
    }

    private static int countFailures(List<Future<String>> done) {
        int n = 0;
        for (Future<String> f : done) {
            try {
                if (f.get() != null) n++;
            } catch (Exception e) {
                n++;
            }
        }
        return n;
    }
}
