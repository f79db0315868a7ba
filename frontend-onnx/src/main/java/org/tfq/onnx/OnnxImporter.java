package org.tfq.onnx;

import java.nio.file.Path;

/** Reads an ONNX file and returns its float IR. */
public final class OnnxImporter {
    private OnnxImporter() {}

    public static ImportResult load(Path model, ImportOptions options) {
        throw new UnsupportedOperationException("being written");
    }
}
