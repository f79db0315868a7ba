package org.tfq.ir.op;

/**
 * The positions a softmax leaves out of each row, as a closed-form rule: in the row whose index
 * along the axis just before the softmax axis is {@code i}, element {@code j} is masked when
 * {@code j >= i + diagonal} (what {@code torch.triu(ones, diagonal)} marks, the causal mask of a
 * decoder for {@code diagonal = 1}). A masked element counts as {@code -inf}: its exponential is
 * exactly 0 and its output is 0. {@link #NONE} masks nothing.
 *
 * <p>So the first {@link #valid} elements of a row are kept: a prefix whose length grows by one
 * per row, which the engine counts instead of storing a mask. {@code diagonal >= 1} keeps at least
 * one element in every row (a row with none has no softmax).
 */
public record CausalMask(int diagonal) {

    /** Nothing masked. */
    public static final CausalMask NONE = new CausalMask(Integer.MAX_VALUE);

    public CausalMask {
        if (diagonal < 1) throw new IllegalArgumentException("causal mask diagonal " + diagonal + " masks every element of row 0");
    }

    public boolean none() {
        return diagonal == Integer.MAX_VALUE;
    }

    /** Unmasked elements of line {@code line} (numbered as {@link Axis} does) of a softmax along {@code axis} of {@code s}. */
    public int valid(org.tfq.ir.Shape s, int axis, int line) {
        Axis v = Axis.of(s, axis);
        int ax = s.axis(axis);
        int queries = ax == 0 ? 1 : s.dim(ax - 1);
        return valid(line / v.inner() % queries, v.length());
    }

    /** Unmasked elements of row {@code i} (its index along the axis before the softmax axis) of a row of {@code length}. */
    public int valid(int i, int length) {
        return none() ? length : (int) Math.min(length, (long) i + diagonal);
    }
}
