package org.tfq.passes.schedule;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A MAC instruction followed by another that reads nothing it writes need not wait for its
 * last tile to drain: the next one's first outputs reach the output unit only after its
 * first tile ({@code K'} slots), and the drain keeps its own copy of what it needs. The
 * tail then only has to keep the two drains apart.
 */
final class OverlapDrains {
    private OverlapDrains() {}

    /**
     * Shortens the tails of {@code program} in place and moves the layer checks behind the drains
     * still running.
     *
     * @param readsOf per instruction index, the stored values (and B-buffer regions) it reads
     * @param writesOf the same for what it writes
     */
    static void run(List<Instruction> program, Map<Integer, Set<String>> readsOf, Map<Integer, Set<String>> writesOf,
            List<Program.Check> checks) {
        Set<Integer> overlapped = new HashSet<>();
        for (int i = 0; i + 1 < program.size(); i++) {
            Instruction cur = program.get(i), next = program.get(i + 1);
            if (cur.kind() != Instruction.Kind.MAC || next.kind() != Instruction.Kind.MAC) continue;
            Set<String> written = writesOf.getOrDefault(i, Set.of());
            boolean independent = true;
            for (String r : readsOf.getOrDefault(i + 1, Set.of())) independent &= !written.contains(r);
            if (!independent) continue;
            int slack = cur.counts()[3] - cur.kcount();
            // the last capture (3 cycles after the last slot) latches this instruction's constants, so
            // the next fetch may not come before it
            int tail = Math.max(Math.max(1, 2 - slack), cur.lanesLast() - next.kcount() - slack);
            if (tail < cur.tail()) {
                program.set(i, cur.withTail(tail));
                overlapped.add(i);
            }
        }
        // a value is complete only once no drain behind it is still running
        for (int c = 0; c < checks.size(); c++) {
            Program.Check k = checks.get(c);
            int pc = k.pc();
            while (overlapped.contains(pc - 1)) pc++;
            checks.set(c, new Program.Check(pc, k.value(), k.node(), k.base(), k.count(), k.output()));
        }
    }
}
