package org.tfq.passes.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfq.ir.Shape;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Slice;
import org.tfq.ir.op.StridedView;
import org.tfq.ir.op.Transpose;

/** Windows, broadcasts, strided slices and stacks of slices as address patterns, checked element by element. */
class MovementViewTest {

    /** The stored offsets the ops select, composed from their own source offsets (not from View). */
    private static int[] byOps(Shape s, List<LayoutOp> ops) {
        int[] src = new int[Math.toIntExact(s.size())];
        for (int i = 0; i < src.length; i++) src[i] = i;
        Shape cur = s;
        for (LayoutOp op : ops) {
            int[] step = op.sourceOffsets(cur);
            int[] next = new int[step.length];
            for (int i = 0; i < step.length; i++) next[i] = src[step[i]];
            src = next;
            cur = op.outShape(cur);
        }
        return src;
    }

    private static View chain(Shape s, List<LayoutOp> ops) {
        View v = View.contiguous(s);
        for (LayoutOp op : ops) {
            v = v.then(op);
            if (v == null) return null;
        }
        return v;
    }

    @Test
    void convWindowOverAChannelsLastTensorIsOneContiguousRunPerOutput() {
        // [B=1, L=14, C=3] stored, seen as [1, 3, 14] (TSLib's permute) and back: windows of 3 taps, stride 1
        Shape stored = Shape.of(1, 14, 3);
        List<LayoutOp> ops = new ArrayList<>(List.of(new Transpose(new int[] {0, 2, 1}), new Transpose(new int[] {0, 2, 1})));
        StridedView w = StridedView.window(Shape.of(1, 14, 3), 1, 3, 1, 1);
        ops.add(w);
        ops.add(new Reshape(Shape.of(1, 12, 9)));
        View v = chain(stored, ops);
        assertNotNull(v, "im2col of a channels-last tensor is a view");
        assertArrayEquals(new int[] {0, 3, 1}, v.strides(), "row r starts at 3 r, its 9 inputs are consecutive");
        assertArrayEquals(byOps(stored, ops), v.offsets());
    }

    @Test
    void convWindowOverAChannelsFirstTensorIsCopiedOnce() {
        // [1, C=3, L=12] stored channels-first: taps of one channel are 1 apart, channels 12 apart, no single stride
        Shape stored = Shape.of(1, 3, 12);
        List<LayoutOp> ops = List.of(new Transpose(new int[] {0, 2, 1}), StridedView.window(Shape.of(1, 12, 3), 1, 3, 2, 2));
        View v = chain(stored, ops);
        assertArrayEquals(new int[] {2, 2, 12}, java.util.Arrays.copyOfRange(v.strides(), 1, 4), "[1, windows, taps, channels]: stride 2, dilation 2");
        assertArrayEquals(byOps(stored, ops), v.offsets());
        assertNull(v.then(new Reshape(Shape.of(1, 4, 9))), "flattening taps x channels needs a copy");
    }

    @Test
    void broadcastsAndStepsAreStrides() {
        Shape s = Shape.of(2, 1, 5);
        List<LayoutOp> ops = List.of(StridedView.expand(s, Shape.of(3, 2, 4, 5)));
        View v = chain(s, ops);
        assertArrayEquals(new int[] {0, 5, 0, 1}, v.strides());
        assertArrayEquals(byOps(s, ops), v.offsets());
        Shape t = Shape.of(4, 7);
        for (int[] p : new int[][] {{1, 2, 3}, {5, -1, 4}, {6, -3, 3}, {0, 0, 2}, {6, 0, 3}}) {
            List<LayoutOp> o = List.of(new Transpose(new int[] {1, 0}), StridedView.stridedSlice(Shape.of(7, 4), 0, p[0], p[1], p[2]));
            View w = chain(t, o);
            assertEquals(p[1], w.strides()[0], "a step of " + p[1] + " rows of the transposed view");
            assertArrayEquals(byOps(t, o), w.offsets());
        }
    }

    @Test
    void aStackOfEquallySpacedSlicesIsAWindowView() {
        // PatchTST: torch.stack([z[..., i*4 : i*4+8] for i in range(4)], dim=-2) on z [1, 2, 20]
        View z = View.contiguous(Shape.of(1, 2, 20));
        List<View> patches = new ArrayList<>();
        for (int i = 0; i < 4; i++) patches.add(z.then(new Slice(2, 4 * i, 4 * i + 8)).then(new Reshape(Shape.of(1, 2, 1, 8))));
        View stacked = View.concat(patches, 2);
        View window = z.then(StridedView.window(Shape.of(1, 2, 20), 2, 8, 4, 1));
        assertEquals(window.shape(), stacked.shape());
        assertArrayEquals(window.offsets(), stacked.offsets());
        // consecutive pieces of one axis are that axis again; out of order, they are not
        View x = View.contiguous(Shape.of(3, 10));
        assertEquals(x.then(new Slice(1, 0, 8)), View.concat(List.of(x.then(new Slice(1, 0, 4)), x.then(new Slice(1, 4, 8))), 1));
        assertNull(View.concat(List.of(x.then(new Slice(1, 4, 8)), x.then(new Slice(1, 0, 4))), 1));
        assertNull(View.concat(List.of(x.then(new Slice(1, 9, 10)), x, x.then(new Slice(1, 0, 1))), 1), "circular padding is copied");
    }

    @Test
    void storageFollowsTheInputsLayout() {
        View channelsLast = View.contiguous(Shape.of(1, 12, 3)).then(new Transpose(new int[] {0, 2, 1}));
        View padded = channelsLast.storedAlike(Shape.of(1, 3, 14));
        assertArrayEquals(new int[] {42, 1, 3}, padded.strides(), "[1, 3, 14] stored as [1, 14, 3]");
        assertArrayEquals(new int[] {42, 14, 1}, View.contiguous(Shape.of(1, 3, 12)).storedAlike(Shape.of(1, 3, 14)).strides());
    }
}
