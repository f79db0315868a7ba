package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IntegerEvaluateTest {

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void postTrainingQuantizationReportsAllRmses() {
        String stem = "ref_n12_d16_m1";
        Cli c = Cli.run("evaluate", Cli.model(stem + ".onnx").toString(), "--bits", "8",
                "--calibration", Cli.model(stem + ".calibration.npy").toString(),
                "--inputs", Cli.model(stem + ".inputs.npy").toString(), "--targets", Cli.model(stem + ".targets.npy").toString(), "--json");
        assertEquals(0, c.exit(), c.err());
        assertEquals(8, (int) number(c.out(), "bits"));
        assertEquals(256, (int) number(c.out(), "samples"));
        double rf = number(c.out(), "rmse_float"), ri = number(c.out(), "rmse_int");
        assertEquals(ri / rf - 1, number(c.out(), "rmse_relative_increase"), 1e-9);
        assertTrue(number(c.out(), "rmse_int_vs_float") > 0);
        assertTrue(c.out().contains("\"quantization\": \"post-training\""));
    }

    @Test
    void trainedQdqModelIsComparedWithOnnxRuntime() {
        String stem = "qat_n12_d16_m3_b8_qcdq";
        Cli c = Cli.run("evaluate", Cli.model(stem + ".onnx").toString(), "--inputs", Cli.model(stem + ".inputs.npy").toString(),
                "--targets", Cli.model(stem + ".targets.npy").toString(), "--json");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("\"quantization\": \"trained\""), c.out());
        assertEquals(8, (int) number(c.out(), "bits"));
        // 8-bit QAT: the integer model stays close to ONNX Runtime on the QDQ graph and to the
        // fake-quantized float model (QatAgreementTest states the exact bound)
        assertTrue(number(c.out(), "max_abs_diff_int_vs_onnxruntime") < 0.05, c.out());
        assertTrue(number(c.out(), "rmse_int_vs_float") < 0.01, c.out());
    }

    @Test
    void qonnxModelHasNoOnnxRuntimeReferenceButStillEvaluates() {
        String stem = "qat_n12_d16_m3_b8_qonnx";
        Cli c = Cli.run("evaluate", Cli.model(stem + ".onnx").toString(), "--inputs", Cli.model(stem + ".inputs.npy").toString(), "--json");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("\"max_abs_diff_onnxruntime_vs_float_ir\": null"), c.out());
        assertTrue(c.out().contains("\"onnxruntime_unavailable\""), c.out());
        // the same trained network as its QCDQ twin: the same integer model, to the last bit
        String twin = "qat_n12_d16_m3_b8_qcdq";
        Cli q = Cli.run("evaluate", Cli.model(twin + ".onnx").toString(), "--inputs", Cli.model(twin + ".inputs.npy").toString(), "--json");
        assertEquals(0, q.exit(), q.err());
        assertEquals(number(q.out(), "rmse_int_vs_float"), number(c.out(), "rmse_int_vs_float"));
    }
}
