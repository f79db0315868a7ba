package org.tfq.passes.quant;

import org.tfq.ir.IrException;

/** Quantization cannot proceed as asked; the message says what to pass or change. */
public class QuantizationException extends IrException {
    public QuantizationException(String message) {
        super(message);
    }
}
