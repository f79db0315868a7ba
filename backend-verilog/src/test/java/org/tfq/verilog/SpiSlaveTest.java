package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SPI wrapper ({@link SpiWrapper}, {@code tfq_spi_slave.v}) around a stand-in {@code tfq_top}
 * ({@code tb/tfq_top_stub.v.ftl}: tfq_top's ports and protocol, a known function of the inputs) at
 * sizes the testdata models do not have: several output codes, 2-, 3- and 8-byte codes, a single
 * input code. The generated SPI testbench ({@code spi/tb_tfq_spi.v.ftl}) runs in Verilator and
 * Icarus and compares every code read back with the function. Also {@code verilator -Wall} at
 * edge sizes and a Yosys synthesis for the 7 series.
 */
class SpiSlaveTest {

    static final int VECTORS = 4;

    @ParameterizedTest(name = "N_IN {0}, N_OUT {1}, IN_TW {2}, OUT_TW {3}, {4} cycles")
    @CsvSource({"5, 3, 16, 32, 3000", "1, 1, 8, 8, 40", "7, 2, 24, 64, 2000"})
    void bitExactAroundAStandIn(int nIn, int nOut, int inTw, int outTw, int delay) throws IOException {
        SpiWrapper.Ports ports = new SpiWrapper.Ports(nIn, nOut, inTw, outTw);
        Path dir = Bench.workDir("spi-" + nIn + "-" + nOut + "-" + inTw + "-" + outTw);
        List<String> rtl = new ArrayList<>(SpiWrapper.write(dir.resolve("rtl"), ports, "test"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nIn", nIn);
        m.put("nOut", nOut);
        m.put("inTw", inTw);
        m.put("outTw", outTw);
        m.put("delay", delay);
        Templates.standard().render("tb/tfq_top_stub.v.ftl", m, dir.resolve("rtl/tfq_top.v"));
        rtl.add("tfq_top.v");

        SplittableRandom rnd = new SplittableRandom(nIn * 1000L + outTw);
        StringBuilder in = new StringBuilder(), expected = new StringBuilder();
        for (int v = 0; v < VECTORS; v++) {
            long[] codes = new long[nIn];
            for (int i = 0; i < nIn; i++) {
                codes[i] = rnd.nextLong() & mask(inTw);
                in.append(Long.toHexString(codes[i])).append('\n');
            }
            for (int k = 0; k < nOut; k++) {
                long y = (codes[k % nIn] * (k + 1) + 7) & mask(outTw);
                expected.append(Long.toHexString(y)).append('\n');
            }
        }
        Files.createDirectories(dir.resolve("sim"));
        Files.writeString(dir.resolve("sim/inputs.mem"), in, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("sim/expected.mem"), expected, StandardCharsets.UTF_8);
        long predicted = 1 + nIn + delay + 2L * nOut;
        SpiWrapper.writeTestbench(dir.resolve("sim"), ports, VECTORS, predicted, "stub", "test");

        CompletableFuture<SimResult> icarus = CompletableFuture.supplyAsync(() -> SpiWrapper.run(dir, rtl, new Icarus(), Bench.TIMEOUT));
        SimResult verilator = SpiWrapper.run(dir, rtl, new Verilator(), Bench.TIMEOUT);
        for (SimResult r : List.of(verilator, icarus.join())) Bench.assertPassed(r, VECTORS);
    }

    @Test
    void detectsAWrongCode() throws IOException {
        SpiWrapper.Ports ports = new SpiWrapper.Ports(2, 2, 8, 16);
        Path dir = Bench.workDir("spi-wrong");
        List<String> rtl = new ArrayList<>(SpiWrapper.write(dir.resolve("rtl"), ports, "test"));
        Templates.standard().render("tb/tfq_top_stub.v.ftl", Map.of("nIn", 2, "nOut", 2, "inTw", 8, "outTw", 16, "delay", 10),
                dir.resolve("rtl/tfq_top.v"));
        rtl.add("tfq_top.v");
        Files.createDirectories(dir.resolve("sim"));
        Files.writeString(dir.resolve("sim/inputs.mem"), "3\nfe\n");
        // out[0] = 3 + 7 = a, out[1] = 0xfe * 2 + 7 = 203; the second is given wrong
        Files.writeString(dir.resolve("sim/expected.mem"), "a\n204\n");
        SpiWrapper.writeTestbench(dir.resolve("sim"), ports, 1, 20, "stub", "test");
        SimResult r = SpiWrapper.run(dir, rtl, new Icarus(), Bench.TIMEOUT);
        assertEquals(1, r.summary().orElseThrow().mismatches(), r::describe);
        assertEquals("MISMATCH vector 0 output 1 (stub) expected 204 actual 203", r.firstMismatch().orElseThrow(), r::describe);
    }

    @Test
    void lintCleanAtEdgeSizes() {
        Path dir = Bench.workDir("spi-lint");
        List<Path> files = RtlModule.SPI_SLAVE.write(dir);
        int[][] sizes = {{1, 1, 8, 8}, {2, 2, 8, 8}, {36, 1, 8, 16}, {168, 12, 16, 32}, {3, 5, 64, 64}, {64, 64, 24, 8},
            {65, 1, 8, 16}};
        for (int[] s : sizes) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("N_IN", s[0]);
            g.put("N_OUT", s[1]);
            g.put("IN_TW", s[2]);
            g.put("OUT_TW", s[3]);
            assertEquals(List.of(), Lint.verilatorLintWall(files, "tfq_spi_slave", g), g.toString());
        }
    }

    @Test
    void synthesizesForTheSevenSeries() {
        Path dir = Bench.workDir("spi-yosys");
        List<Path> files = RtlModule.SPI_SLAVE.write(dir.resolve("rtl"));
        YosysEstimate e = new YosysEstimator().estimate(files, "tfq_spi_slave", dir, dir.resolve("logs"));
        System.out.println("tfq_spi_slave (36 x 8-bit in, 1 x 16-bit out): " + e.lut() + " LUTs (" + e.lutram() + " LUTRAM), "
                + e.ff() + " FFs, " + e.dsp() + " DSPs");
        assertTrue(e.lut() > 20 && e.lut() < 400, "LUTs: " + e.lut());
        assertTrue(e.lutram() > 0, "the buffers are distributed RAM");
        assertEquals(0, e.dsp());
    }

    @Test
    void rejectsImpossibleSizes() {
        assertThrows(IllegalArgumentException.class, () -> new SpiWrapper.Ports(0, 1, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> new SpiWrapper.Ports(1, 1, 12, 8));
        assertThrows(IllegalArgumentException.class, () -> new SpiWrapper.Ports(1, 1, 8, 72));
    }

    private static long mask(int bits) {
        return bits >= 64 ? -1L : (1L << bits) - 1;
    }
}
