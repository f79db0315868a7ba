package org.tfq.onnx;

import org.tfq.ir.Shape;

/**
 * A graph input or output as the ONNX file declares it, after binding: its name, bound shape,
 * and which axis is the batch (-1 where there is none, e.g. a 1-D output).
 */
public record ModelInput(String name, Shape shape, int batchAxis, boolean dynamicBatch) {

    /** The shape of one sample: the bound shape without its batch axis. */
    public Shape sampleShape() {
        return batchAxis < 0 ? shape : shape.without(batchAxis);
    }
}
