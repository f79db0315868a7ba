package org.tfq.onnx;

import org.tfq.ir.IrException;

/** The model cannot be imported; the message says what, where (file, node, op) and what to do. */
public class OnnxImportException extends IrException {
    public OnnxImportException(String message) {
        super(message);
    }
}
