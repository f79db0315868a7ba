package org.tfq.passes.layout;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Value;
import org.tfq.ir.op.Concat;
import org.tfq.ir.op.IntPadConstant;
import org.tfq.ir.op.IntRelabel;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Transpose;

/**
 * For every value a layout op produces, the stored value it reads and the view into it, so the
 * scheduler can drop the layout op and give its readers an address pattern instead (an
 * {@code int_relabel} changes only the scale, so it is read in place too). A layout op
 * whose result has no view (a reshape of a non-contiguous view) must be materialised: its value
 * becomes stored, read contiguously from then on. A concat of views of one tensor that is itself
 * a view (a stack of windows) is one too; any other concat, and a constant padding, is stored,
 * with its axes in the order of its (first) input's layout ({@link View#storedAlike}), so it may
 * not be row-major.
 */
public final class ResolveViews {
    private ResolveViews() {}

    /** Where a value lives: in {@code base} (a stored value), seen through {@code view}. */
    public record Placement(String base, View view) {
        public boolean stored() {
            return view.equals(View.contiguous(view.shape()));
        }
    }

    public record Result(Map<String, Placement> placements, Map<String, Node> materialised) {}

    /**
     * Where a concat or padding stores its result: in the order its only reader, a transpose,
     * reads it (a Conv's padded input, read channels-last), else in its input's layout.
     */
    static View storage(Graph g, Value out, View input) {
        List<Node> readers = g.nodes().stream().filter(r -> r.inputs().contains(out)).toList();
        if (readers.size() == 1 && readers.get(0).op() instanceof Transpose t) return View.storedInOrder(out.type().shape(), t.perm());
        return input.storedAlike(out.type().shape());
    }

    public static Result run(Graph g) {
        Map<String, Placement> place = new LinkedHashMap<>();
        Map<String, Node> copies = new LinkedHashMap<>();
        for (Value in : g.inputs()) place.put(in.name(), new Placement(in.name(), View.contiguous(in.type().shape())));
        Map<String, Node> producer = new HashMap<>();
        for (Node n : g.nodes()) producer.put(n.output().name(), n);
        for (Node n : g.nodes()) {
            Value out = n.output();
            if (n.op() instanceof IntRelabel) { // same codes, another scale: the same storage
                place.put(out.name(), place.get(n.input(0).name()));
                continue;
            }
            if (n.op() instanceof Concat c) {
                List<Placement> parts = n.inputs().stream().map(v -> place.get(v.name())).toList();
                View v = parts.stream().allMatch(pl -> pl.base().equals(parts.get(0).base()))
                        ? View.concat(parts.stream().map(Placement::view).toList(), c.axis()) : null;
                place.put(out.name(), v != null ? new Placement(parts.get(0).base(), v)
                        : new Placement(out.name(), storage(g, out, parts.get(0).view())));
                continue;
            }
            if (n.op() instanceof IntPadConstant) {
                place.put(out.name(), new Placement(out.name(), storage(g, out, place.get(n.input(0).name()).view())));
                continue;
            }
            if (n.op() instanceof LayoutOp op) {
                Placement src = place.get(n.input(0).name());
                View v = src.view().then(op);
                if (v != null) {
                    place.put(out.name(), new Placement(src.base(), v));
                    continue;
                }
                copies.put(out.name(), n);
            }
            place.put(out.name(), new Placement(out.name(), View.contiguous(out.type().shape())));
        }
        return new Result(place, copies);
    }
}
