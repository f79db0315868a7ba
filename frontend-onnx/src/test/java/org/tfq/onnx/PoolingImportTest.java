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
 * The pooling exports of testdata/make_pooling_models.py (amax/amin/max over dims, max_pool1d,
 * adaptive_max_pool1d, GlobalMaxPool, sliding AvgPool1d with and without padding, Autoformer's
 * moving average) import, and the float IR computes what ONNX Runtime computes, to 1e-5.
 */
class PoolingImportTest {

    static List<Path> models() {
        return TestdataModels.in("pooling");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void floatIrMatchesOnnxRuntime(Path model) {
        TestdataModels.assertFloatIrMatchesOnnxRuntime(model, 1e-5f);
    }

    private static Map<String, Integer> ops(String file) {
        ImportResult r = OnnxImporter.load(TestdataModels.root().resolve("testdata/pooling/" + file), ImportOptions.DEFAULT);
        return new TreeMap<>(r.graph().opCounts());
    }

    @Test
    void reductionsArePoolsOnePerAxis() {
        // amax over time, max over features, amin over features, amin over both (two pools)
        Map<String, Integer> m = ops("pl_max_min.onnx");
        assertEquals(2, m.get("max_pool"));
        assertEquals(3, m.get("min_pool"));
    }

    @Test
    void slidingPoolsAreWindowViews() {
        // max_pool1d (edge-padded), adaptive_max_pool1d (one window over the axis)
        Map<String, Integer> mx = ops("pl_max_pools.onnx");
        assertEquals(2, mx.get("window"));
        assertEquals(2, mx.get("max_pool"));
        assertEquals(2, mx.get("concat"), "the edge padding (two strided slices around the input) and the head's");
        // three AvgPool1d: no padding, padding counted, padding not counted (a divisor per position)
        Map<String, Integer> av = ops("pl_avg_pools.onnx");
        assertEquals(3, av.get("window"));
        assertEquals(3, av.get("mean_pool"));
        assertEquals(2, av.get("pad"));
        assertEquals(1, av.get("mul_const"));
        // Autoformer's moving average: repeat + cat, then one window and one mean
        Map<String, Integer> sd = ops("pl_series_decomp.onnx");
        assertEquals(1, sd.get("window"));
        assertEquals(1, sd.get("mean_pool"));
    }
}
