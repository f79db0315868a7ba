package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/**
 * NaN in a weight or a bias is refused like an infinity (issue 19: NaN weights compiled with
 * exit 0 to an all-zero ROM); calibration data that is one sample or constant is warned about.
 */
class NanWeightsAndCalibrationTest {

    @TempDir
    Path dir;

    private static final String MODEL = "ref_n12_d16_m1";

    @Test
    void nanWeightsAndBiasesAreRefusedNamingTheInitializerAndItsNode() throws IOException {
        String[][] cases = {
            // initializer, how much NaN, what the message says
            {"onnx::MatMul_68", "all", "all 256 values"},
            {"onnx::MatMul_68", "half", "128 of 256 values"},
            {"out.weight", "one", "1 of 16 values"},
            {"inp.bias", "one", "1 of 16 values"},
        };
        for (String[] c : cases) {
            Path model = withValues(c[0], c[1], Float.NaN);
            Cli r = Cli.run("compile", model.toString(), "--calibration", Cli.model(MODEL + ".inputs.npy").toString(),
                    "-o", dir.resolve("out").toString());
            r.assertOneLineError();
            assertTrue(r.err().startsWith("tfq: error: " + model + ": initializer '" + c[0] + "' (read by node '"), r.err());
            assertTrue(r.err().contains("holds NaN in " + c[2]), r.err());
            assertFalse(Files.exists(dir.resolve("out")));
        }
        // an infinity in a weight the same way; in a bias it is left to the quantizer (no finite scale holds it)
        Path infWeight = withValues("onnx::MatMul_68", "one", Float.POSITIVE_INFINITY);
        Cli inf = Cli.run("compile", infWeight.toString(), "--calibration", Cli.model(MODEL + ".inputs.npy").toString(),
                "-o", dir.resolve("out").toString());
        inf.assertOneLineError();
        assertTrue(inf.err().startsWith("tfq: error: " + infWeight + ": initializer 'onnx::MatMul_68' (read by node '/q/MatMul', MatMul)"
                + " holds an infinity in 1 of 256 values"), inf.err());
        inf = Cli.run("compile", withValues("inp.bias", "one", Float.NEGATIVE_INFINITY).toString(),
                "--calibration", Cli.model(MODEL + ".inputs.npy").toString(), "-o", dir.resolve("out").toString());
        inf.assertOneLineError();
        assertTrue(inf.err().contains("cannot quantize"), inf.err());
        assertTrue(inf.err().contains("its output reaches -Infinity on the calibration samples"), inf.err());
    }

    @Test
    void calibrationFromOneSampleOrConstantDataIsWarnedAbout() throws IOException {
        FloatTensor x = Npy.read(Cli.model(MODEL + ".inputs.npy"));
        int per = (int) (x.shape().size() / x.shape().dim(0));
        int[] one = x.shape().dims();
        one[0] = 1;
        Path single = dir.resolve("one.npy");
        Npy.write(single, new FloatTensor(new Shape(one), Arrays.copyOf(x.data(), per)));
        float[] flat = new float[x.data().length];
        Arrays.fill(flat, 0.5f);
        Path constant = dir.resolve("constant.npy");
        Npy.write(constant, new FloatTensor(x.shape(), flat));

        String inputs = Cli.model(MODEL + ".inputs.npy").toString();
        Cli r = Cli.run("evaluate", Cli.model(MODEL + ".onnx").toString(), "--inputs", inputs, "--calibration", single.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("tfq: warning: --calibration " + single + ": it holds one sample; the ranges it gives fit no other input:"
                + " calibrate on typical windows (a few hundred)", r.err().strip());
        r = Cli.run("evaluate", Cli.model(MODEL + ".onnx").toString(), "--inputs", inputs, "--calibration", constant.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith("tfq: warning: --calibration " + constant + ": every value is 0.5;"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        // typical data: no warning
        r = Cli.run("evaluate", Cli.model(MODEL + ".onnx").toString(), "--inputs", inputs, "--calibration", inputs);
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
    }

    /** The reference model with {@code how} ("all", "half" or "one") of initializer {@code name}'s values set to {@code v}. */
    private Path withValues(String name, String how, float v) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(Cli.model(MODEL + ".onnx")));
        GraphProto.Builder g = m.getGraph().toBuilder();
        int at = -1;
        for (int i = 0; i < g.getInitializerCount(); i++) if (g.getInitializer(i).getName().equals(name)) at = i;
        TensorProto t = g.getInitializer(at);
        ByteBuffer b = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.capacity() / 4;
        int count = how.equals("all") ? n : how.equals("half") ? n / 2 : 1;
        for (int k = 0; k < count; k++) b.putFloat(4 * k, v);
        g.setInitializer(at, t.toBuilder().setRawData(com.google.protobuf.ByteString.copyFrom(b.array())));
        Path p = dir.resolve(name.replaceAll("\\W", "_") + "-" + how + "-" + v + ".onnx");
        Files.write(p, m.toBuilder().setGraph(g).build().toByteArray());
        return p;
    }
}
