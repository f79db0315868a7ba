package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;

/**
 * The same model and options give byte-identical output folders: no timestamps, no absolute
 * paths, no hash or thread order in any generated file; {@code --stamp} adds the time, and only
 * where it says.
 */
class DeterminismTest {

    @TempDir
    Path tmp;

    /** Compiles {@code model} into {@code parent/out} and returns every file it wrote. */
    private SortedMap<String, String> compile(String parent, String model, String... extra) throws IOException {
        Path out = tmp.resolve(parent).resolve("out");
        List<String> args = new ArrayList<>(List.of("compile", Cli.model(model + ".onnx").toString(), "-o", out.toString()));
        for (String e : extra) args.add(e.endsWith(".npy") ? Cli.model(model + e).toString() : e);
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        return Cli.files(out);
    }

    @Test
    void sameModelAndOptionsGiveByteIdenticalOutput() throws IOException {
        // post-training with accuracy and --lanes auto; a multi-head encoder; a trained model with the SPI top and layer checks
        String[][] cases = {
            {"ref_n12_d16_m1", "--calibration", ".calibration.npy", "--inputs", ".inputs.npy", "--targets", ".targets.npy"},
            {"enc_d16_m3_h4_l2_sf_pre_relu_o13", "--calibration", ".calibration.npy", "--lanes", "8", "--vectors", "2"},
            {"qat_n12_d16_m3_b6_qcdq", "--interface", "spi", "--check-layers", "--lanes", "4", "--vectors", "2"},
        };
        for (String[] c : cases) {
            String[] options = java.util.Arrays.copyOfRange(c, 1, c.length);
            // the same OUTDIR name under two parents: an absolute path in any file would differ
            SortedMap<String, String> a = compile(c[0] + "-a", c[0], options);
            SortedMap<String, String> b = compile(c[0] + "-b", c[0], options);
            assertEquals(a.keySet(), b.keySet(), c[0]);
            for (String f : a.keySet()) assertEquals(a.get(f), b.get(f), c[0] + ": " + f + " differs between two compiles");
            for (Map.Entry<String, String> f : a.entrySet()) {
                assertFalse(f.getValue().contains(tmp.toString()), c[0] + ": " + f.getKey() + " holds an absolute path");
                // nor where the inputs are: the same model compiled from another checkout must give the same files
                String models = Cli.model(c[0] + ".onnx").toAbsolutePath().getParent().toString();
                assertFalse(f.getValue().contains(models), c[0] + ": " + f.getKey() + " holds the absolute path of the inputs");
            }
            assertFalse(a.get("report.json").contains("stamp"), "report.json is stamped without --stamp");
        }
    }

    @Test
    void stampAddsTheTimeAndNothingElse() throws IOException {
        String[] options = {"--lanes", "4", "--vectors", "1"};
        SortedMap<String, String> plain = compile("plain", "qat_n12_d16_m3_b4_qcdq", options);
        List<String> withStamp = new ArrayList<>(List.of(options));
        withStamp.add("--stamp");
        SortedMap<String, String> stamped = compile("stamped", "qat_n12_d16_m3_b4_qcdq", withStamp.toArray(String[]::new));
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.read(stamped.get("report.json"));
        String stamp = (String) report.get("stamp");
        assertTrue(stamp != null && stamp.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), "stamp: " + stamp);
        assertTrue(stamped.get("rtl/tfq_top.v").lines().findFirst().orElseThrow().contains(stamp), "tfq_top.v's header has no stamp");
        assertNotEquals(plain.get("rtl/tfq_top.v"), stamped.get("rtl/tfq_top.v"));
        assertEquals(plain.keySet(), stamped.keySet());
        for (String f : plain.keySet()) {
            String s = f.equals("report.json") ? stamped.get(f).replaceFirst("\\n\\s*\"stamp\": \"[^\"]*\",", "") : stamped.get(f).replace(", " + stamp, "");
            assertEquals(plain.get(f), s, f + " differs by more than the stamp");
        }
    }
}
