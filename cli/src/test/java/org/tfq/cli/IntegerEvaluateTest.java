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

    private static Cli evaluate(String stem, String... options) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("evaluate", Cli.model(stem + ".onnx").toString(),
                "--calibration", Cli.model(stem + ".calibration.npy").toString(), "--inputs", Cli.model(stem + ".inputs.npy").toString(),
                "--targets", Cli.model(stem + ".targets.npy").toString()));
        a.addAll(java.util.List.of(options));
        return Cli.run(a.toArray(String[]::new));
    }

    /**
     * Issue 3's post-training target, 1% over the float model's RMSE, with 8-bit weights: it takes
     * 12-bit activations, GPTQ rounding and headroom for the test inputs beyond the training
     * range (8-bit activations: +5.5%; bench/accuracy has all six models).
     */
    @Test
    void eightBitWeightsWithTwelveBitActivationsAreWithinOnePercentOfFloat() {
        Cli c = evaluate("ref_n12_d16_m3", "--bits", "8", "--activation-bits", "12", "--range-margin", "5", "--weight-rounding", "gptq", "--json");
        assertEquals(0, c.exit(), c.err());
        assertEquals(8, (int) number(c.out(), "bits"));
        assertEquals(12, (int) number(c.out(), "activation_bits"));
        assertTrue(Math.abs(number(c.out(), "rmse_relative_increase")) < 0.01, c.out());
        Cli eight = evaluate("ref_n12_d16_m3", "--bits", "8", "--json");
        assertEquals(8, (int) number(eight.out(), "activation_bits"));
        assertTrue(number(c.out(), "rmse_int_vs_float") < 0.5 * number(eight.out(), "rmse_int_vs_float"), c.out() + eight.out());

        Cli text = evaluate("ref_n12_d16_m3", "--bits", "8", "--activation-bits", "12");
        assertTrue(text.out().contains("integer model: post-training quantization, 8 bits, 12-bit activations"), text.out());
    }

    @Test
    void postTrainingOptionsOutOfRangeOrForATrainedModelAreOneLineErrors() {
        evaluate("ref_n12_d16_m3", "--activation-bits", "17").assertOneLineError();
        evaluate("ref_n12_d16_m3", "--range-margin", "-5").assertOneLineError();
        Cli rounding = evaluate("ref_n12_d16_m3", "--weight-rounding", "best");
        rounding.assertOneLineError();
        assertTrue(rounding.err().contains("--weight-rounding best: use nearest or gptq"), rounding.err());
        String qat = "qat_n12_d16_m3_b8_qcdq";
        Cli c = Cli.run("evaluate", Cli.model(qat + ".onnx").toString(), "--inputs", Cli.model(qat + ".inputs.npy").toString(),
                "--activation-bits", "12");
        c.assertOneLineError();
        assertTrue(c.err().contains("--activation-bits applies to float models"), c.err());
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
