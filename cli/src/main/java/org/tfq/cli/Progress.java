package org.tfq.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn in place with a carriage return; silent when stderr
 * is not a terminal (a log file or a pipe gets no control characters).
 */
final class Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private boolean drawn;

    Progress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** Whether this JVM talks to a terminal: System.console() is null when stdin or stdout is redirected. */
    static boolean terminal() {
        return System.console() != null;
    }

    synchronized void update(int done, int total) {
        if (!enabled) return;
        int filled = total <= 0 ? 0 : Math.min(WIDTH, WIDTH * done / total);
        err.printf(Locale.ROOT, "\rexplore [%s%s] %d/%d configurations, %.1f s ", "#".repeat(filled), ".".repeat(WIDTH - filled),
                done, total, seconds());
        err.flush();
        drawn = true;
    }

    /** Ends the bar's line, so what follows starts on a fresh one. */
    synchronized void finish() {
        if (!drawn) return;
        err.println();
        err.flush();
        drawn = false;
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
