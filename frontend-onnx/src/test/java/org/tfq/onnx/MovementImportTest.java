package org.tfq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The data-movement exports of testdata/make_movement_models.py (circular and replication
 * padding, patching as a stack of slices, Conv1d, Concat/Split, Pad modes, strided Slice, Gather,
 * Tile, Expand) import, and the float IR computes what ONNX Runtime computes, to 1e-5.
 */
class MovementImportTest {

    static List<Path> models() {
        return TestdataModels.in("movement");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void floatIrMatchesOnnxRuntime(Path model) {
        TestdataModels.assertFloatIrMatchesOnnxRuntime(model, 1e-5f);
    }

    private static Map<String, Integer> ops(String file) {
        ImportResult r = OnnxImporter.load(TestdataModels.root().resolve("testdata/movement/" + file), ImportOptions.DEFAULT);
        return new TreeMap<>(r.graph().opCounts());
    }

    @Test
    void convIsALinearLayerOverAWindowView() {
        // TSLib's circular Conv1d(k=3): the wrap-around is a concat of two one-column slices and the input,
        // the convolution one linear layer over windows of 3 x 3 inputs
        Map<String, Integer> m = ops("mv_tslib_token.onnx");
        assertEquals(1, m.get("concat"));
        assertEquals(1, m.get("window"));
        assertEquals(2, m.get("linear"));
        // kernel 1 (iTransformer's feed-forward) needs no window: a linear layer between two transposes
        Map<String, Integer> c = ops("mv_conv_forms.onnx");
        assertEquals(1, c.get("window"), "only the kernel-3 conv has windows");
        assertEquals(1, c.get("pad"));
        assertEquals(5, c.get("linear"));
    }

    @Test
    void padModesAreConcatsOfViewsAndGatherRunsAreStridedSlices() {
        Map<String, Integer> p = ops("mv_pad_modes.onnx");
        assertEquals(1, p.get("pad"), "constant mode");
        assertEquals(3, p.get("concat"), "reflect, edge and circular");
        assertEquals(4, p.get("strided_slice"), "reflect (step -1) and edge (step 0) pieces");
        Map<String, Integer> g = ops("mv_index_tile.onnx");
        // h[:, ::2], h[:, 1:8:3], h[:, [1,3,5,7]] one strided slice each; h[:, [0,2,3,7]] two runs ({0,2}, {3,7}); the repeat of an
        // axis of size 1 and the expand are broadcasts, the repeat of a longer axis a broadcast between two reshapes
        assertEquals(5, g.get("strided_slice"));
        assertEquals(3, g.get("expand"));
    }
}
