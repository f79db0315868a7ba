package org.tfq.onnx;

import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;

/**
 * Moves between a stack of samples, {@code [N, ...sampleShape]} as .npy files hold them, and a
 * model's bound shape, whose batch axis (any position, e.g. 1 for seq-first {@code [T, B, F]})
 * holds {@link #perRun} samples. Shared by the ONNX Runtime runner and the float IR evaluation so
 * that both see exactly the same tensors.
 */
public final class Samples {
    private Samples() {}

    /** How many samples one run of the bound model takes: the batch axis size, or 1 without one. */
    public static int perRun(ModelInput m) {
        return m.batchAxis() < 0 ? 1 : m.shape().dim(m.batchAxis());
    }

    /** Number of samples in a stack, after checking that its per-sample shape is {@code m}'s. */
    public static int count(ModelInput m, FloatTensor stack) {
        Shape s = stack.shape();
        if (s.rank() < 1 || !s.without(0).equals(m.sampleShape())) {
            throw new IrException("samples of shape " + s + " do not fit '" + m.name() + "': expected "
                    + stackText(m));
        }
        return s.dim(0);
    }

    /**
     * Samples {@code from .. from + perRun(m) - 1} of the stack in {@code m}'s bound shape. Past the
     * end of the stack the last sample is repeated, so a partial last run still has a full batch;
     * callers drop those results.
     */
    public static FloatTensor toBound(ModelInput m, FloatTensor stack, int from) {
        int n = count(m, stack);
        int b = perRun(m);
        Layout l = new Layout(m);
        float[] src = stack.data();
        float[] dst = new float[Math.toIntExact(m.shape().size())];
        for (int i = 0; i < b; i++) {
            int sample = Math.min(from + i, n - 1);
            long base = (long) sample * l.outer * l.inner;
            for (int p = 0; p < l.outer; p++) {
                System.arraycopy(src, Math.toIntExact(base + (long) p * l.inner), dst,
                        (p * b + i) * l.inner, l.inner);
            }
        }
        return new FloatTensor(m.shape(), dst);
    }

    /**
     * Copies the samples of a bound tensor (shape {@code m.shape()}) into a stack's data at sample
     * {@code from}, dropping those that would fall past its {@code n} samples.
     */
    public static void fromBound(ModelInput m, FloatTensor bound, float[] stack, int n, int from) {
        if (!bound.shape().equals(m.shape())) {
            throw new IrException("'" + m.name() + "' has shape " + bound.shape() + ", expected " + m.shape());
        }
        int b = perRun(m);
        Layout l = new Layout(m);
        float[] src = bound.data();
        for (int i = 0; i < b && from + i < n; i++) {
            long base = (long) (from + i) * l.outer * l.inner;
            for (int p = 0; p < l.outer; p++) {
                System.arraycopy(src, (p * b + i) * l.inner, stack, Math.toIntExact(base + (long) p * l.inner), l.inner);
            }
        }
    }

    /** An empty stack for {@code n} samples of {@code m}, as {@code float[]} to fill with {@link #fromBound}. */
    public static float[] newStack(ModelInput m, int n) {
        return new float[Math.toIntExact(n * m.sampleShape().size())];
    }

    /** The shape {@code [n, ...m.sampleShape()]}. */
    public static Shape stackShape(ModelInput m, int n) {
        int[] s = m.sampleShape().dims();
        int[] d = new int[s.length + 1];
        d[0] = n;
        System.arraycopy(s, 0, d, 1, s.length);
        return new Shape(d);
    }

    /** The expected stack shape with a symbolic sample count, e.g. {@code [N,12,7]}. */
    public static String stackText(ModelInput m) {
        String sample = m.sampleShape().toString();
        return sample.equals("[]") ? "[N]" : "[N," + sample.substring(1);
    }

    /** Elements before the batch axis ({@code outer}) and after it ({@code inner}). */
    private static final class Layout {
        final int outer;
        final int inner;

        Layout(ModelInput m) {
            int[] d = m.shape().dims();
            int axis = m.batchAxis() < 0 ? d.length : m.batchAxis();
            int o = 1;
            int in = 1;
            for (int i = 0; i < axis; i++) o *= d[i];
            for (int i = axis + 1; i < d.length; i++) in *= d[i];
            if (m.batchAxis() < 0) {
                // no batch axis: a sample is the whole tensor
                in = o;
                o = 1;
            }
            outer = o;
            inner = in;
        }
    }
}
