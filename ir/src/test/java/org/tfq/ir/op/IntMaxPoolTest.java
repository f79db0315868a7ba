package org.tfq.ir.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;

/** Maxima and minima of codes (the quantization passes through), and a sliding mean over a window view, by hand. */
class IntMaxPoolTest {

    private static final IntType T = new IntType(8, true, 0.5, 3);

    @Test
    void maximaAndMinimaOfCodesKeepTheirQuantization() {
        // [2, 3]: rows {5, -7, 2} and {-1, -4, 0}
        IntTensor x = new IntTensor(Shape.of(2, 3), new long[] {5, -7, 2, -1, -4, 0});
        IntMaxPool rowMax = new IntMaxPool(1, false, false, T);
        assertEquals(new TensorType(Shape.of(2), T), rowMax.resultType(List.of(new TensorType(Shape.of(2, 3), T))));
        assertArrayEquals(new long[] {5, 0}, rowMax.applyInt(List.of(x)).data());
        IntMaxPool columnMin = new IntMaxPool(0, true, true, T);
        IntTensor m = columnMin.applyInt(List.of(x));
        assertEquals(Shape.of(1, 3), m.shape());
        assertArrayEquals(new long[] {-1, -7, 0}, m.data());
        // the extremes of the type: -128 is a minimum, 127 a maximum, nothing saturates
        IntTensor e = new IntTensor(Shape.of(1, 2), new long[] {-128, 127});
        assertArrayEquals(new long[] {127}, rowMax.applyInt(List.of(e)).data());
        assertArrayEquals(new long[] {-128}, new IntMaxPool(1, false, true, T).applyInt(List.of(e)).data());
    }

    @Test
    void slidingMeanIsAMeanOverAWindowView() {
        // codes 0, 4, 8, 2, 6, 10 (zero point 2), windows of 3 every step: centred sums 6, 8, 10, 12;
        // M = 0.5 / (3 x 0.5) = 1/3, rounded half up: 2, 3, 3, 4; plus the output zero point 2
        IntType t = new IntType(8, true, 0.5, 2);
        IntTensor x = new IntTensor(Shape.of(1, 1, 6), new long[] {0, 4, 8, 2, 6, 10});
        StridedView w = StridedView.window(x.shape(), 2, 3, 1, 1);
        IntTensor windows = w.applyInt(List.of(x));
        assertEquals(Shape.of(1, 1, 4, 3), windows.shape());
        IntTensor y = IntMeanPool.of(3, false, t, 3, t).applyInt(List.of(windows));
        assertArrayEquals(new long[] {4, 5, 5, 6}, y.data());
        // the same windows' maxima: 8, 8, 8, 10; stride 2: windows {0, 4, 8}, {8, 2, 6}: 8, 8
        assertArrayEquals(new long[] {8, 8, 8, 10}, new IntMaxPool(3, false, false, t).applyInt(List.of(windows)).data());
        IntTensor s2 = StridedView.window(x.shape(), 2, 3, 2, 1).applyInt(List.of(x));
        assertArrayEquals(new long[] {8, 8}, new IntMaxPool(3, false, false, t).applyInt(List.of(s2)).data());
    }
}
