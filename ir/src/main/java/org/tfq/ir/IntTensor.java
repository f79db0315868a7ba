package org.tfq.ir;

import java.util.Arrays;

/** A dense tensor of integer codes: the integer interpreter's values and the integer constants of ops. */
public record IntTensor(Shape shape, long[] data) {

    public IntTensor {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("tensor of shape " + shape + " needs " + shape.size() + " values, got " + data.length);
        }
    }

    public static IntTensor scalar(long v) {
        return new IntTensor(Shape.of(), new long[] {v});
    }

    public IntTensor reshape(Shape s) {
        return new IntTensor(s, data);
    }

    public long min() {
        return Arrays.stream(data).min().orElse(0);
    }

    public long max() {
        return Arrays.stream(data).max().orElse(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntTensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "int" + shape;
    }
}
