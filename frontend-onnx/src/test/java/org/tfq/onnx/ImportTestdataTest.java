package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.io.Npy;

/**
 * Every float model PyTorch exported into testdata imports, and tfq's float IR computes what
 * ONNX Runtime computes on the original file, to 1e-4, on the model's test inputs.
 */
class ImportTestdataTest {

    static List<Path> floatModels() {
        List<Path> m = TestdataModels.models(false);
        assertFalse(m.isEmpty(), "no models in testdata/models");
        return m;
    }

    static List<Path> allModels() {
        return TestdataModels.models(true);
    }

    /**
     * ONNX Runtime cannot load QONNX's Quant: a QONNX export is checked against ONNX Runtime on
     * its QCDQ twin, the same trained network in standard ops.
     */
    private static Path onnxRuntimeModel(Path model) {
        String name = model.getFileName().toString();
        return name.endsWith("_qonnx.onnx") ? model.resolveSibling(name.replace("_qonnx.onnx", "_qcdq.onnx")) : model;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allModels")
    void floatIrMatchesOnnxRuntime(Path model) {
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        FloatTensor x = Npy.read(TestdataModels.sibling(model, ".inputs.npy"));
        FloatTensor ort = OnnxRuntimeRunner.runSamples(onnxRuntimeModel(model), r.inputs().get(0), r.outputs().get(0), x);
        FloatTensor ours = FloatReference.runSamples(r, x);
        float diff = ort.maxAbsDiff(ours);
        assertTrue(diff <= 1e-4f, model.getFileName() + ": max |ORT - float IR| = " + diff);
        // the reference itself is the model PyTorch trained: ORT must agree with torch's outputs
        FloatTensor torch = Npy.read(TestdataModels.sibling(model, ".torch_outputs.npy"));
        assertEquals(ort.shape().size(), torch.shape().size());
        assertTrue(ort.reshape(torch.shape()).maxAbsDiff(torch) <= 1e-4f, model.getFileName() + ": ORT vs torch");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("floatModels")
    void importIsReducedToTheIrOpSet(Path model) {
        ImportResult r = OnnxImporter.load(model, ImportOptions.DEFAULT);
        int onnxNodes = r.onnxOpCounts().values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(r.graph().nodes().size() < onnxNodes, "import should fold shape arithmetic and fuse idioms");
        assertTrue(r.graph().macs() > 0);
    }
}
