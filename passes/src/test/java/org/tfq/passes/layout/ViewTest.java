package org.tfq.passes.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.Shape;
import org.tfq.ir.op.LayoutOp;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Select;
import org.tfq.ir.op.Slice;
import org.tfq.ir.op.Transpose;

/** A view must address exactly the elements the chain of layout ops would copy, in the same order. */
class ViewTest {

    /** What the ops themselves say: compose their source offsets. */
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

    private static LayoutOp randomOp(Shape s, Random r) {
        int rank = s.rank();
        switch (r.nextInt(4)) {
            case 0: {
                List<Integer> p = new ArrayList<>();
                for (int i = 0; i < rank; i++) p.add(i);
                java.util.Collections.shuffle(p, r);
                return new Transpose(p.stream().mapToInt(Integer::intValue).toArray());
            }
            case 1: {
                int a = r.nextInt(rank);
                int d = s.dim(a);
                int start = r.nextInt(d), end = start + 1 + r.nextInt(d - start);
                return new Slice(a, start, end);
            }
            case 2: {
                if (rank > 1) {
                    int a = r.nextInt(rank);
                    return new Select(a, r.nextInt(s.dim(a)));
                }
                return new Reshape(Shape.of(1, (int) s.size()));
            }
            default: {
                // split or merge to a random factorisation of the size
                long n = s.size();
                List<Integer> dims = new ArrayList<>();
                for (int f = 2; f <= n; ) {
                    if (n % f == 0 && r.nextBoolean()) {
                        dims.add(f);
                        n /= f;
                    } else f++;
                }
                if (n > 1) dims.add((int) n);
                if (dims.isEmpty()) dims.add(1);
                if (r.nextInt(4) == 0) dims.add(r.nextInt(dims.size() + 1), 1);
                return new Reshape(new Shape(dims.stream().mapToInt(Integer::intValue).toArray()));
            }
        }
    }

    @Test
    void viewsAddressWhatTheOpsCopy() {
        Random r = new Random(11);
        int viewed = 0, copies = 0;
        for (int trial = 0; trial < 3000; trial++) {
            Shape s = Shape.of(1 + r.nextInt(4), 1 + r.nextInt(6), 1 + r.nextInt(8));
            List<LayoutOp> ops = new ArrayList<>();
            View v = View.contiguous(s);
            Shape cur = s;
            for (int k = 0; k < 1 + r.nextInt(5) && v != null; k++) {
                LayoutOp op = randomOp(cur, r);
                ops.add(op);
                v = v.then(op);
                cur = op.outShape(cur);
            }
            if (v == null) {
                copies++;
                continue;
            }
            viewed++;
            assertEquals(cur, v.shape());
            assertArrayEquals(byOps(s, ops), v.offsets(), ops.toString());
        }
        assertTrue(viewed > 2000, viewed + " chains had a view");
        assertTrue(copies > 0, "some reshapes of transposed data must need a copy");
    }

    @Test
    void attentionHeadSplitIsAView() {
        // [12,1,48] in-projection -> slice K -> reshape [12,2,8] -> transpose [2,8,12] (K^T per head)
        Shape s = Shape.of(12, 1, 48);
        View v = View.contiguous(s).then(new Slice(2, 16, 32)).then(new Reshape(Shape.of(12, 2, 8))).then(new Transpose(new int[] {1, 2, 0}));
        assertNotNull(v);
        assertEquals(Shape.of(2, 8, 12), v.shape());
        assertEquals(16, v.offset());
        assertArrayEquals(new int[] {8, 1, 48}, v.strides());
    }

    @Test
    void mergingTransposedAxesNeedsACopy() {
        View v = View.contiguous(Shape.of(4, 6)).then(new Transpose(new int[] {1, 0}));
        assertNull(v.then(new Reshape(Shape.of(24))));
        assertNotNull(v.then(new Reshape(Shape.of(6, 2, 2))));
    }
}
