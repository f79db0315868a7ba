package org.tfq.passes.quant;

import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.QuantSpec;

/**
 * An integer-only graph plus how the host turns sensor readings into input codes and output
 * codes into a forecast: the accelerator sees only integers.
 */
public record IntegerModel(Graph graph, QuantSpec input, QuantSpec output, ScaleOrigins scaleOrigins) {

    public IntegerModel(Graph graph, QuantSpec input, QuantSpec output) {
        this(graph, input, output, ScaleOrigins.NONE);
    }

    public IntegerModel withScaleOrigins(ScaleOrigins o) {
        return new IntegerModel(graph, input, output, o);
    }

    public IntTensor quantizeInput(FloatTensor x) {
        long[] q = new long[x.data().length];
        for (int i = 0; i < q.length; i++) q[i] = input.quantize(x.data()[i], 0);
        return new IntTensor(x.shape(), q);
    }

    public FloatTensor dequantizeOutput(IntTensor y) {
        float[] f = new float[y.data().length];
        for (int i = 0; i < f.length; i++) f[i] = output.dequantize(y.data()[i], 0);
        return new FloatTensor(y.shape(), f);
    }

    /** Host quantization, the golden integer model, host dequantization. */
    public FloatTensor run(FloatTensor boundInput) {
        return dequantizeOutput(IntInterpreter.run(graph, quantizeInput(boundInput)));
    }
}
