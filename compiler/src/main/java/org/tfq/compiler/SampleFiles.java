package org.tfq.compiler;

import java.nio.file.Path;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.Samples;

/** Checks .npy inputs and targets against the model, with messages that say what shape was expected. */
public final class SampleFiles {
    private SampleFiles() {}

    /**
     * The input array as {@code [N, ...sampleShape]}. Also takes {@code [N, ...bound shape]} when
     * the batch axis has size 1, e.g. {@code [N,12,1,3]} for a seq-first model bound to [12,1,3].
     */
    public static FloatTensor inputs(FloatTensor x, ModelInput in, Path file) {
        Shape s = x.shape();
        String expected = Samples.stackText(in);
        boolean fullShapeOk = in.batchAxis() >= 0 && Samples.perRun(in) == 1;
        // the bound-shape form is worth naming only where it is the natural one (seq-first)
        if (fullShapeOk && in.batchAxis() > 0) expected += " or [N," + in.shape().toString().substring(1);
        if (s.rank() >= 1 && s.dim(0) > 0) {
            Shape perSample = s.without(0);
            if (perSample.equals(in.sampleShape())) return x;
            if (fullShapeOk && perSample.equals(in.shape())) return x.reshape(Samples.stackShape(in, s.dim(0)));
        }
        String found = s.rank() >= 1 && s.dim(0) == 0 ? s + " (no samples)" : s.toString();
        throw new IrException(file + ": shape " + found + " does not fit model input '" + in.name() + "' "
                + in.shape() + ": expected " + expected);
    }

    /** Targets as a flat array in output order: shape [N] or [N, ...output sample], N values each. */
    public static float[] targets(FloatTensor t, int n, ModelInput outSpec, Path file) {
        long perSample = outSpec.sampleShape().size();
        Shape s = t.shape();
        if (s.rank() < 1 || s.dim(0) != n || t.data().length != n * perSample) {
            String sample = Samples.stackShape(outSpec, n).toString();
            String expected = perSample == 1 ? "[" + n + "] or " + sample : sample;
            throw new IrException(file + ": shape " + s + " does not fit the " + n + " outputs of '"
                    + outSpec.name() + "': expected " + expected);
        }
        return t.data();
    }
}
