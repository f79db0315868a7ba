package org.tfq.onnx;

/** How to bind what the model leaves open: symbolic dimensions become {@code batch}. */
public record ImportOptions(int batch) {
    public static final ImportOptions DEFAULT = new ImportOptions(1);

    public ImportOptions {
        if (batch < 1) throw new IllegalArgumentException("the batch size must be at least 1, got " + batch);
    }
}
