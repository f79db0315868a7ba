package org.tfq.onnx;

import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;

/** tfq's float IR run over a stack of samples, laid out exactly as ONNX Runtime is fed. */
public final class FloatReference {
    private FloatReference() {}

    public static FloatTensor runSamples(ImportResult model, FloatTensor samples) {
        ModelInput in = model.inputs().get(0);
        ModelInput out = model.outputs().get(0);
        int n = Samples.count(in, samples);
        float[] stack = Samples.newStack(out, n);
        for (int from = 0; from < n; from += Samples.perRun(in)) {
            FloatTensor y = FloatInterpreter.run(model.graph(), Samples.toBound(in, samples, from));
            Samples.fromBound(out, y, stack, n, from);
        }
        return new FloatTensor(Samples.stackShape(out, n), stack);
    }
}
