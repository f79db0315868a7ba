package org.tfq.compiler;

import org.tfq.onnx.ImportResult;
import org.tfq.passes.quant.IntegerModel;

/** The quantize stage's result: the imported model and its integer model (the golden model). */
public record Quantized(ImportResult imported, IntegerModel model) {}
