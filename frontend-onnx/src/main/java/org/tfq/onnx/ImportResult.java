package org.tfq.onnx;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tfq.ir.Graph;

/**
 * The float IR of a model plus what the user wants to know about the source: its declared
 * inputs/outputs, opsets and the ONNX op counts before import.
 */
public record ImportResult(Path source, Graph graph, List<ModelInput> inputs, List<ModelInput> outputs,
        Map<String, Long> opsets, Map<String, Integer> onnxOpCounts, String producer) {}
