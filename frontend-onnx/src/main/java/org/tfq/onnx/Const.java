package org.tfq.onnx;

import java.util.Arrays;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;

/**
 * A tensor whose value is known at import time: an initializer, a Constant, or anything folded
 * from them. Values are held as doubles, which represent every float32 and every int64 shape
 * number PyTorch emits (the INT64_MAX used as "to the end" in Slice stays huge).
 */
public record Const(int[] dims, int dataType, double[] values) {

    public Const {
        dims = dims.clone();
        long n = 1;
        for (int d : dims) n *= d;
        if (n != values.length) throw new IllegalArgumentException("const of " + Arrays.toString(dims) + " has " + values.length + " values");
    }

    public static Const ofLongs(int[] dims, long... v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return new Const(dims, DataTypes.INT64, d);
    }

    public static Const scalar(int dataType, double v) {
        return new Const(new int[0], dataType, new double[] {v});
    }

    public int rank() {
        return dims.length;
    }

    public int size() {
        return values.length;
    }

    public Shape shape() {
        return new Shape(dims);
    }

    public double get(int i) {
        return values[i];
    }

    public long longAt(int i) {
        return (long) values[i];
    }

    public long[] longs() {
        long[] r = new long[values.length];
        for (int i = 0; i < r.length; i++) r[i] = (long) values[i];
        return r;
    }

    public boolean isFloat() {
        return DataTypes.isFloat(dataType);
    }

    public FloatTensor toFloatTensor() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return new FloatTensor(new Shape(dims), f);
    }

    public boolean allEqual(double v) {
        for (double x : values) if (x != v) return false;
        return true;
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Const c && Arrays.equals(dims, c.dims) && dataType == c.dataType && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return DataTypes.name(dataType) + Arrays.toString(dims);
    }
}
