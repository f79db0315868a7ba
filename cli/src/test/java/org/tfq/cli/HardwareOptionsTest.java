package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardware options of {@code tfq compile}: wrong values are one-line errors that leave no
 * output behind, and the lane count changes the design the way the cycle formula says.
 */
class HardwareOptionsTest {

    @TempDir
    Path tmp;

    private static final String MODEL = "ref_n12_d16_m3";

    private Cli compile(Path out, String... extra) {
        String[] base = {"compile", Cli.model(MODEL + ".onnx").toString(), "--bits", "4", "--calibration",
                Cli.model(MODEL + ".calibration.npy").toString(), "-o", out.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return Cli.run(all);
    }

    @Test
    void zeroLanesIsAnError() {
        Path out = tmp.resolve("out");
        Cli r = compile(out, "--lanes", "0");
        assertEquals(1, r.exit());
        r.assertOneLineError();
        assertTrue(r.err().contains("--lanes 0"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void unknownActivationMemoryIsAnError() {
        Cli r = compile(tmp.resolve("out"), "--activations", "sram");
        assertEquals(1, r.exit());
        r.assertOneLineError();
        assertTrue(r.err().contains("--activations sram: use bram, lutram or auto"), r.err());
    }

    @Test
    void zeroVectorsIsAnError() {
        Cli r = compile(tmp.resolve("out"), "--vectors", "0");
        assertEquals(1, r.exit());
        r.assertOneLineError();
        assertTrue(r.err().contains("--vectors 0"), r.err());
    }

    @Test
    void moreLanesFewerCyclesAndTheFilesTheSimulatorNeeds() throws IOException {
        Path four = tmp.resolve("four"), sixteen = tmp.resolve("sixteen");
        assertEquals(0, compile(four, "--lanes", "4").exit());
        assertEquals(0, compile(sixteen, "--lanes", "16").exit());
        long c4 = cycles(four), c16 = cycles(sixteen);
        assertTrue(c16 < c4 / 2, c4 + " cycles at 4 lanes, " + c16 + " at 16");
        for (String f : new String[] {"rtl/tfq_top.v", "rtl/tfq_post.v", "rtl/tfq_agu.v", "rtl/tfq_weights.mem",
                "rtl/tfq_params.mem", "sim/tb_tfq.v", "sim/inputs.mem", "sim/expected.mem", "sim/sim.json"}) {
            assertTrue(Files.isRegularFile(sixteen.resolve(f)), f);
        }
        // 16 vectors by default, one line per input code of each: 12 x 3 codes
        assertEquals(16 * 12 * 3, Files.readAllLines(sixteen.resolve("sim/inputs.mem")).size());
    }

    private static long cycles(Path out) throws IOException {
        String json = Files.readString(out.resolve("report.json"));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> m = (java.util.Map<String, Object>) org.tfq.ir.io.Json.read(json);
        return ((Number) m.get("cycles_per_inference")).longValue();
    }
}
