package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;
import org.tfq.verilog.Icarus;
import org.tfq.vivado.Ice40Flow;

/**
 * The reference design's n=12, d=16, m=1 model at 8 bits on the iCE40UP5K (sg48), from ONNX to a
 * real bitstream: the iCE40 RTL is bit-exact and on time in Icarus; {@code make bitstream} runs
 * Yosys, nextpnr-ice40 and icepack and leaves build/tfq_top.bin; nextpnr meets the default clock
 * (24 MHz); the SB_MAC16 and EBR nextpnr placed are the resource model's, and Yosys' LUT4 count is
 * within 15% of it. Two lanes, the smallest engine that still uses every kind of memory, to keep
 * the place and route short (about two minutes in all on two cores). Needs yosys, nextpnr-ice40
 * and icepack on PATH (scripts/install-tools.sh).
 */
class Ice40BitstreamTest {

    @Test
    void refModelToBitstream(@TempDir Path dir) throws Exception {
        Path model = Cli.model("ref_n12_d16_m1.onnx");
        Path out = dir.resolve("out");
        SimulatedDesign d = SimulatedDesign.compile(out, List.of(model.toString(), "--bits", "8", "--calibration",
                model.resolveSibling("ref_n12_d16_m1.calibration.npy").toString(), "--part", "ice40up5k-sg48", "--lanes", "2",
                "--vectors", "2"));
        d.assertBitExactAndOnTime(new Icarus(), 2, Duration.ofMinutes(10), "icarus: ");

        Process make = new ProcessBuilder("make", "bitstream").directory(out.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("make.log").toFile()).start();
        // tfq estimate runs the same synthesis while make does: each writes its own files
        Cli estimate = Cli.run("estimate", out.toString(), "--json");
        assertTrue(make.waitFor(20, TimeUnit.MINUTES), "make bitstream took over 20 minutes");
        assertEquals(0, make.exitValue(), Files.readString(dir.resolve("make.log")));
        assertEquals(0, estimate.exit(), estimate.err());
        Map<?, ?> estimated = (Map<?, ?>) Json.read(estimate.out());
        assertEquals("reports/estimate/yosys.log", estimated.get("log"));
        byte[] bin = Files.readAllBytes(out.resolve("build/tfq_top.bin"));
        assertTrue(contains(bin, new byte[] {0x7e, (byte) 0xaa, (byte) 0x99, 0x7e}), "no iCE40 bitstream preamble in build/tfq_top.bin");

        Cli report = Cli.run("report", out.toString(), "--json");
        assertEquals(0, report.exit(), report.err());
        Map<?, ?> summary = (Map<?, ?>) Json.read(report.out());
        Map<?, ?> timing = (Map<?, ?>) summary.get("timing");
        assertEquals(Boolean.TRUE, timing.get("met"), "nextpnr: " + timing);
        assertTrue(((Number) timing.get("fmax_mhz")).doubleValue() >= 24.0, timing.toString());
        Map<?, ?> used = (Map<?, ?>) summary.get("utilization");
        Map<?, ?> predicted = (Map<?, ?>) ((Map<?, ?>) Json.read(Files.readString(out.resolve("report.json")))).get("resource_model");
        assertEquals(number(predicted, "dsp"), number(used, "dsp"), "SB_MAC16: nextpnr vs the resource model");
        assertEquals(number(predicted, "ebr"), number(used, "ebr"), "EBR: nextpnr vs the resource model");
        assertTrue(number(used, "lut") <= number(used, "lut_available"), used.toString());
        Map<?, ?> stat = (Map<?, ?>) ((Map<?, ?>) Json.read(Files.readString(out.resolve(Ice40Flow.YOSYS_STAT)))).get("design");
        int lut4 = number((Map<?, ?>) stat.get("num_cells_by_type"), "SB_LUT4");
        assertEquals(lut4, number(estimated, "lut"), "tfq estimate's Yosys run and make bitstream's map the same netlist");
        assertEquals(number(predicted, "ebr"), number(estimated, "ebr"));
        double error = Math.abs(number(predicted, "lut") - lut4) / lut4;
        assertTrue(error <= 0.15, "LUT4: Yosys " + lut4 + ", resource model " + number(predicted, "lut"));
    }

    private static int number(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).intValue();
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }
}
