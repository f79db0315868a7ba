package org.tfq.ir;

import java.util.Arrays;

/** A dense float32 tensor: weights, constants and the float interpreter's values. */
public record FloatTensor(Shape shape, float[] data) {

    public FloatTensor {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("tensor of shape " + shape + " needs " + shape.size()
                    + " values, got " + data.length);
        }
    }

    public static FloatTensor zeros(Shape shape) {
        return new FloatTensor(shape, new float[Math.toIntExact(shape.size())]);
    }

    public static FloatTensor scalar(float v) {
        return new FloatTensor(Shape.of(), new float[] {v});
    }

    public float get(int i) {
        return data[i];
    }

    public FloatTensor reshape(Shape s) {
        return new FloatTensor(s, data);
    }

    public float maxAbsDiff(FloatTensor other) {
        if (!shape.equals(other.shape)) {
            throw new IllegalArgumentException("shape " + shape + " vs " + other.shape);
        }
        float m = 0;
        for (int i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i] - other.data[i]));
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "f32" + shape;
    }
}
