package org.tfq.compiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tfq.ir.Graph;
import org.tfq.ir.TextDump;
import org.tfq.ir.pass.IrObserver;

/**
 * The IR after every pass, in the order the passes ran (MLIR's print-ir-after-all): for
 * {@code tfq compile --dump-ir}, one file per pass named {@code NN-pass.txt}, and an index.
 */
public final class IrSnapshots implements IrObserver {

    /** The file that lists the others, one line per pass. */
    public static final String INDEX = "index.txt";

    private record Snapshot(String pass, int nodes, String text) {}

    private final List<Snapshot> snapshots = new ArrayList<>();

    @Override
    public synchronized void after(String pass, Graph g) {
        snapshots.add(new Snapshot(pass, g.nodes().size(), TextDump.of(g)));
    }

    /** Whether no pass has run yet. */
    public synchronized boolean isEmpty() {
        return snapshots.isEmpty();
    }

    /** File name to text, in pass order, then {@link #INDEX}. */
    public synchronized Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < snapshots.size(); i++) {
            Snapshot s = snapshots.get(i);
            String name = String.format(Locale.ROOT, "%02d-%s.txt", i + 1, s.pass());
            files.put(name, s.text());
            index.append(String.format(Locale.ROOT, "%s: the IR after %s, %d nodes\n", name, s.pass(), s.nodes()));
        }
        files.put(INDEX, index.toString());
        return files;
    }
}
