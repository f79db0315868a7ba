package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The generated folder's README.md: the numbers the host needs, the protocol, the files, and a C snippet that compiles. */
class DesignReadmeTest {

    static final DesignReadme.Quant IN = new DesignReadme.Quant(8, true, 0.02282074853485706, -5, -128, 127);
    static final DesignReadme.Quant OUT = new DesignReadme.Quant(16, true, 6.021084679594627E-5, -7729, -32768, 32767);

    static DesignReadme ref() {
        return DesignReadme.of(new SpiWrapper.Ports(36, 1, 8, 16), 4172, 16, IN, OUT)
                .model("ref_n12_d16_m3.onnx").version("0.1.0-SNAPSHOT")
                .input("input", new int[] {1, 12, 3}).output("output", new int[] {1, 1})
                .files(List.of("tfq_agu.v", "tfq_post.v", "tfq_top.v"), List.of("tfq_weights.mem", "tfq_params.mem"));
    }

    @Test
    void axisDesign() {
        String r = ref().render();
        assertTrue(r.startsWith("# ref_n12_d16_m3\n"), r);
        assertTrue(r.contains("| input | `input` [1, 12, 3]: 36 codes of 8 bits (signed) per inference |"), r);
        assertTrue(r.contains("| cycles per inference | 4,172 "), r);
        assertTrue(r.contains("| latency at 100 MHz | 41.72 us |"), r);
        assertTrue(r.contains("q = clamp(round(x / S) + Z, -128, 127)     S = 0.02282074853485706, Z = -5"), r);
        assertTrue(r.contains("y = S_out * (q - Z_out)                              S_out = 6.021084679594627E-5, Z_out = -7729"), r);
        assertTrue(r.contains("`input[i0][i1][i2]` is code i1*3 + i2"), r);
        assertTrue(r.contains("static int8_t tfq_quantize(float x)"), r);
        assertTrue(r.contains("static float tfq_dequantize(int16_t q)"), r);
        assertFalse(r.contains("sign-extended to the byte-aligned"), r);
        assertTrue(r.contains("| `rtl/tfq_top.v` | the accelerator"), r);
        assertTrue(r.contains("| `rtl/tfq_weights.mem` | ROM image"), r);
        assertTrue(r.contains("tfq simulate ."), r);
        assertTrue(r.contains("tfq estimate ."), r);
        assertFalse(r.contains("tfq_spi_top"), r);
        assertFalse(r.contains("make bitstream"), r);
        assertFalse(r.contains("${"), r);
    }

    @Test
    void spiDesignWithVivado() {
        String r = ref().files(List.of("tfq_agu.v", "tfq_top.v", "tfq_spi_slave.v", "tfq_spi_top.v"), List.of())
                .spi(true).vivado(true, "xc7s15ftgb196-1", true).render();
        assertTrue(r.contains("Top level: `tfq_spi_top`"), r);
        assertTrue(r.contains("## SPI interface (`tfq_spi_top`)"), r);
        assertTrue(r.contains("| 0x01 write | the 36 input codes: 36 bytes |"), r);
        assertTrue(r.contains("| 0x03 read | 2 dummy bytes | status, then the 1 output code (2 bytes), then 0x00; clears `irq` |"), r);
        assertTrue(r.contains("SCK must be slower than `clk`/4 (25 MHz at 100 MHz)"), r);
        assertTrue(r.contains("296 SCK cycles to write (23.7 us at 12.5 MHz)"), r);
        assertTrue(r.contains("iverilog -g2001 -s tb_tfq_spi -o tb_tfq_spi.vvp ../../rtl/tfq_agu.v ../../rtl/tfq_top.v"
                + " ../../rtl/tfq_spi_slave.v ../../rtl/tfq_spi_top.v ../tb_tfq_spi.v"), r);
        assertTrue(r.contains("| target | xc7s15ftgb196-1 |"), r);
        assertTrue(r.contains("make bitstream"), r);
        assertTrue(r.contains("The Vivado top module is `tfq_spi_top`."), r);
        assertTrue(r.contains("| `Makefile` |"), r);
    }

    @Test
    void unsignedWideCodesAndOtherClock() {
        DesignReadme.Quant u = new DesignReadme.Quant(8, false, 0.5, 128, 0, 255);
        String r = DesignReadme.of(new SpiWrapper.Ports(4, 2, 16, 24), 1000, 4, u, DesignReadme.Quant.of(new org.tfq.ir.IntType(20, true, 1e-3, 0)))
                .input("x", new int[] {4}).output("y", new int[] {1, 2}).clockMhz(50).render();
        assertTrue(r.contains("static uint8_t tfq_quantize(float x)"), r);
        assertTrue(r.contains("static float tfq_dequantize(int32_t q)"), r);
        assertTrue(r.contains("(8 bits in 16, 20 bits in 24)"), r);
        assertTrue(r.contains("| latency at 50 MHz | 20.00 us |"), r);
        assertTrue(r.contains("`x[i0]` is code i0"), r);
        assertTrue(r.contains("2 codes of 20 bits"), r);
    }

    @Test
    void rejectsAShapeOfAnotherSize() {
        assertThrows(IllegalArgumentException.class, () -> ref().input("input", new int[] {1, 12, 4}));
    }

    /** The C snippet compiles, and quantizes and dequantizes like tfq's QuantSpec (float division, rint, clamp). */
    @Test
    void cSnippetCompilesAndAgrees(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        assumeTrue(ProcessRunner.onPath("cc") != null, "no C compiler");
        Matcher m = Pattern.compile("(?s)```c\n(.*?)```").matcher(ref().render());
        assertTrue(m.find());
        String main = "#include <stdio.h>\nint main(void) {\n"
                + "    float xs[] = {-3.5f, -0.1f, 0.0f, 0.0114f, 0.2f, 2.9f, 10.0f};\n"
                + "    for (int i = 0; i < 7; i++) printf(\"%d\\n\", tfq_quantize(xs[i]));\n"
                + "    printf(\"%.9e\\n\", tfq_dequantize(-7000));\n    return 0;\n}\n";
        Files.writeString(dir.resolve("t.c"), m.group(1) + main);
        ProcessRunner.Outcome c = ProcessRunner.run(List.of("cc", "-std=c99", "-Wall", "-Werror", "-o", "t", "t.c", "-lm"), dir,
                Duration.ofMinutes(1), dir.resolve("cc.out"), dir.resolve("cc.err"));
        assertEquals(0, c.exitCode(), c.stderr());
        ProcessRunner.Outcome run = ProcessRunner.run(List.of(dir.resolve("t").toString()), dir, Duration.ofMinutes(1),
                dir.resolve("run.out"), dir.resolve("run.err"));
        assertEquals(0, run.exitCode(), run.stderr());
        org.tfq.ir.QuantSpec in = org.tfq.ir.QuantSpec.fromRange(new double[] {IN.scale()}, new long[] {IN.zeroPoint()}, -1, -128, 127);
        StringBuilder want = new StringBuilder();
        for (float x : new float[] {-3.5f, -0.1f, 0.0f, 0.0114f, 0.2f, 2.9f, 10.0f}) want.append(in.quantize(x, 0)).append('\n');
        org.tfq.ir.QuantSpec out = org.tfq.ir.QuantSpec.fromRange(new double[] {OUT.scale()}, new long[] {OUT.zeroPoint()}, -1, -32768, 32767);
        want.append(String.format(java.util.Locale.ROOT, "%.9e", out.dequantize(-7000, 0))).append('\n');
        assertEquals(want.toString(), run.stdout());
    }
}
