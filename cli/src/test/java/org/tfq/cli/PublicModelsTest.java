package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.io.Json;

/**
 * The exports of public model code (TinyTransformer4TS, PatchTST, Time-Series-Library's
 * Transformer and iTransformer; testdata/export_public_models.py), as a user brings them: every
 * node supported, tfq's float IR equal to ONNX Runtime within 1e-5, the float RMSE the one
 * PyTorch measured at export, and 8-bit post-training quantization within 5% of it.
 * HardwareSimulationTest compiles and simulates each of them.
 */
class PublicModelsTest {

    /**
     * The options a model needs beyond {@code --bits 8 --calibration}: PatchTST's RevIN puts the
     * window mean, the standard deviation and the head's forecast through y * stdev + mean
     * straight into the forecast, and at 8 bits their roundings alone cost +6.4% (README, Models
     * tfq compiles).
     */
    static final Map<String, List<String>> OPTIONS = Map.of("patchtst_n24_d16_m1", List.of("--output-tail", "wide"));

    static List<String> models() {
        return PublicModels.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void importsAndQuantizesWithinFivePercent(String stem) {
        Map<String, Object> entry = PublicModels.entries().stream().filter(e -> stem.equals(e.get("name"))).findFirst().orElseThrow();
        String m = Cli.model(stem + ".onnx").toString();
        String base = m.substring(0, m.length() - ".onnx".length());

        Cli inspect = Cli.run("inspect", m);
        assertEquals(0, inspect.exit(), inspect.out() + inspect.err());
        assertTrue(inspect.out().contains("supported: yes"), inspect.out());

        List<String> args = new java.util.ArrayList<>(List.of("evaluate", m, "--inputs", base + ".inputs.npy", "--targets",
                base + ".targets.npy", "--bits", "8", "--calibration", base + ".calibration.npy", "--json"));
        args.addAll(OPTIONS.getOrDefault(stem, List.of()));
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) Json.read(c.out());
        double diff = ((Number) r.get("max_abs_diff_onnxruntime_vs_float_ir")).doubleValue();
        assertTrue(diff <= 1e-5, stem + ": max |ONNX Runtime - float IR| = " + diff);
        double torchRmse = ((Number) entry.get("test_rmse_256")).doubleValue();
        double floatRmse = ((Number) r.get("rmse_float")).doubleValue();
        assertEquals(torchRmse, floatRmse, 1e-5 * Math.max(1, torchRmse), stem + ": float RMSE vs PyTorch's at export");
        double intRmse = ((Number) r.get("rmse_int")).doubleValue();
        assertTrue(intRmse <= 1.05 * floatRmse, stem + ": 8-bit RMSE " + intRmse + " vs float " + floatRmse);
    }
}
