package org.tfq.passes.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Value;
import org.tfq.passes.layout.ResolveViews;

/**
 * Places every stored tensor in the activation memory so that tensors alive at the same time
 * never share an element, and tensors that are not reuse it: the memory is as large as the
 * largest set of simultaneously live tensors packs, not the sum of all of them. A tensor is live
 * from the step that writes it to the last step that reads it or any view of it; the graph input
 * from step 0, the output to the end.
 */
public final class AllocateActivations {
    private AllocateActivations() {}

    /** A stored tensor: {@code size} elements at {@code offset}, written at step {@code from}, last read at {@code to}. */
    public record Buffer(String value, int offset, int size, int from, int to) {
        boolean overlapsInTime(Buffer o) {
            return from <= o.to && o.from <= to;
        }

        boolean overlapsInSpace(Buffer o) {
            return offset < o.offset + o.size && o.offset < offset + size;
        }
    }

    public record Allocation(Map<String, Buffer> buffers, int size) {}

    public static Allocation run(Graph g, ResolveViews.Result views) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Map<String, int[]> live = new LinkedHashMap<>();
        List<Node> nodes = g.nodes();
        for (Value in : g.inputs()) {
            sizes.put(in.name(), Math.toIntExact(in.type().shape().size()));
            live.put(in.name(), new int[] {0, 0});
        }
        Map<String, Integer> writeStep = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Value out = nodes.get(i).output();
            ResolveViews.Placement p = views.placements().get(out.name());
            if (p.base().equals(out.name())) {
                sizes.put(out.name(), Math.toIntExact(out.type().shape().size()));
                live.put(out.name(), new int[] {i + 1, i + 1});
                writeStep.put(out.name(), i + 1);
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            for (Value in : nodes.get(i).inputs()) {
                String base = views.placements().get(in.name()).base();
                live.get(base)[1] = Math.max(live.get(base)[1], i + 1);
            }
        }
        for (Value out : g.outputs()) live.get(views.placements().get(out.name()).base())[1] = nodes.size() + 1;

        // largest first, then by birth: first fit packs close to the live maximum on chains like these
        List<String> order = new ArrayList<>(sizes.keySet());
        order.sort(Comparator.comparingInt((String v) -> -sizes.get(v)).thenComparingInt(v -> live.get(v)[0]));
        // the placed buffers alive at each step: a tensor conflicts only with those alive while it is,
        // so a long chain costs its length times the few tensors alive at once, not its length squared
        List<List<Buffer>> aliveAt = new ArrayList<>();
        for (int t = 0; t <= nodes.size() + 1; t++) aliveAt.add(new ArrayList<>());
        Map<String, Buffer> placed = new HashMap<>();
        int total = 0;
        for (String v : order) {
            int size = sizes.get(v);
            int[] l = live.get(v);
            java.util.Set<Buffer> overlapping = new java.util.LinkedHashSet<>();
            for (int t = l[0]; t <= l[1]; t++) overlapping.addAll(aliveAt.get(t));
            List<Buffer> conflicts = new ArrayList<>(overlapping);
            conflicts.sort(Comparator.comparingInt(Buffer::offset));
            int offset = 0;
            for (Buffer b : conflicts) {
                if (offset + size <= b.offset()) break;
                offset = Math.max(offset, b.offset() + b.size());
            }
            Buffer b = new Buffer(v, offset, size, l[0], l[1]);
            placed.put(v, b);
            for (int t = l[0]; t <= l[1]; t++) aliveAt.get(t).add(b);
            total = Math.max(total, offset + size);
        }
        Map<String, Buffer> byValue = new LinkedHashMap<>();
        for (String v : sizes.keySet()) byValue.put(v, placed.get(v));
        return new Allocation(byValue, total);
    }
}
