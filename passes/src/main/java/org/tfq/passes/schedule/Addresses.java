package org.tfq.passes.schedule;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.passes.layout.ResolveViews;
import org.tfq.passes.layout.View;
import org.tfq.passes.memory.AllocateActivations;
import org.tfq.passes.schedule.ScheduleProgram.ScheduleException;

/**
 * Where the engine finds each value: its view (layout ops folded into strides) over the stored
 * tensor, placed in the activation memory, or the output memory for the values written there.
 */
final class Addresses {
    final ResolveViews.Result views;
    private final AllocateActivations.Allocation alloc;
    /** Values written straight to the output memory. */
    private final Set<String> toOutput;

    Addresses(ResolveViews.Result views, AllocateActivations.Allocation alloc, Set<String> toOutput) {
        this.views = views;
        this.alloc = alloc;
        this.toOutput = toOutput;
    }

    /** A value as the engine reads it: element address base + sum idx * stride over dims. */
    record Access(long base, int[] dims, long[] strides) {
        /** Right-aligned to {@code s}'s rank (leading axes of size 1, stride 0), broadcast axes get stride 0. */
        Access broadcastTo(Shape s, int keepLast) {
            int r = s.rank(), off = r - dims.length;
            if (off < 0) throw new ScheduleException("cannot broadcast " + Arrays.toString(dims) + " to " + s);
            int[] d = new int[r];
            long[] st = new long[r];
            for (int i = 0; i < r; i++) {
                int src = i - off;
                boolean bcast = i < r - keepLast && (src < 0 || dims[src] == 1);
                d[i] = i < r - keepLast ? s.dim(i) : dims[src];
                st[i] = bcast ? 0 : strides[src];
            }
            return new Access(base, d, st);
        }
    }

    /** Where a result goes: an activation-memory base, or the output memory (base 0). */
    record Out(long base, boolean toOutput) {}

    Access access(Value v) {
        ResolveViews.Placement p = views.placements().get(v.name());
        View view = p.view();
        int[] s = view.strides();
        long[] st = new long[s.length];
        for (int i = 0; i < s.length; i++) st[i] = s[i];
        return new Access(base(p.base()) + view.offset(), view.shape().dims(), st);
    }

    /** From now on, {@code value} is written to the output memory. */
    void writeToOutput(String value) {
        toOutput.add(value);
    }

    boolean toOutput(String value) {
        return toOutput.contains(value);
    }

    Out out(Value v) {
        if (toOutput.contains(v.name())) return new Out(0, true);
        return new Out(base(v.name()), false);
    }

    long base(String stored) {
        AllocateActivations.Buffer b = alloc.buffers().get(stored);
        if (b == null) throw new ScheduleException("value " + stored + " has no place in the activation memory");
        return b.offset();
    }

    /** The strides {@code v} is stored with. */
    long[] storedStrides(Value v) {
        int[] s = views.placements().get(v.name()).view().strides();
        long[] st = new long[s.length];
        for (int i = 0; i < s.length; i++) st[i] = s[i];
        return st;
    }

    /** The rows of an op over {@code dims} as two loops walking the input and the output. */
    static Loops.Nest rows(int[] dims, long[] inStrides, long[] outStrides) {
        Loops.Nest nest = Loops.collapse(dims, List.of(inStrides, outStrides), 2);
        if (nest == null) throw new ScheduleException("rows of " + Arrays.toString(dims) + " need more than two loops");
        return Loops.pad(nest, 2);
    }

    static Stream stream(long base, Loops.Nest nest, int which) {
        long[] s = nest.strides().get(which);
        return Stream.of(base, s[0], s[1], s[2], s[3]);
    }

    static int size(Value v) {
        return Math.toIntExact(v.type().shape().size());
    }

    static long[] rowMajor(int[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    static long[] rowMajorRows(int[] rowDims, int inner) {
        long[] s = new long[rowDims.length];
        long acc = inner;
        for (int i = rowDims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= rowDims[i];
        }
        return s;
    }

    static int[] without(int[] a, int i) {
        int[] r = new int[a.length - 1];
        for (int k = 0, j = 0; k < a.length; k++) if (k != i) r[j++] = a[k];
        return r;
    }

    static long[] without(long[] a, int i) {
        long[] r = new long[a.length - 1];
        for (int k = 0, j = 0; k < a.length; k++) if (k != i) r[j++] = a[k];
        return r;
    }
}
