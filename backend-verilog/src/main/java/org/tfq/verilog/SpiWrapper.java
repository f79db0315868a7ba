package org.tfq.verilog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tfq.ir.io.SafeText;
import org.tfq.passes.schedule.Program;

/**
 * {@code --interface spi}: the SPI-slave top level {@code tfq_spi_top} for a microcontroller host.
 * It wraps the generated {@code tfq_top} with {@link RtlModule#SPI_SLAVE} ({@code tfq_spi_slave.v},
 * which documents the byte protocol and the SCK limit of clk/4), and only needs the sizes of
 * {@code tfq_top}'s stream interface ({@link Ports}); {@code rtl/tfq_spi_top.v} is rendered from
 * {@code spi/tfq_spi_top.v.ftl} with them. Its ports: {@code clk}, {@code rst}, {@code spi_sck},
 * {@code spi_cs_n}, {@code spi_mosi}, {@code spi_miso}, {@code irq}, {@code busy}, {@code done};
 * parameter {@code MEM_DIR} as {@code tfq_top}'s.
 *
 * <p>Also the self-checking SPI testbench {@code sim/tb_tfq_spi.v}: it drives the wrapper as an SPI
 * master with the vectors of {@code sim/inputs.mem} and compares the codes it reads back with
 * {@code sim/expected.mem}, the files {@link EngineTestbench} writes.
 */
public final class SpiWrapper {
    private SpiWrapper() {}

    /** The top module with the SPI interface, for synthesis ({@code synth_design -top}). */
    public static final String TOP = "tfq_spi_top";
    public static final String FILE = TOP + ".v";
    public static final String TB_TOP = "tb_tfq_spi";
    public static final String TB_FILE = TB_TOP + ".v";
    /** SCK half periods of the testbench, one per vector in turn, in units of a tenth of the clk period. */
    public static final List<Integer> TB_HALF_PERIODS = List.of(21, 37, 51, 80);

    /**
     * The sizes of {@code tfq_top}'s stream interface.
     *
     * @param nIn   input codes (s_axis beats) per inference
     * @param nOut  output codes (m_axis beats) per inference
     * @param inTw  s_axis_tdata width, a multiple of 8
     * @param outTw m_axis_tdata width, a multiple of 8
     */
    public record Ports(int nIn, int nOut, int inTw, int outTw) {
        public Ports {
            if (nIn < 1 || nOut < 1) throw new IllegalArgumentException("at least one input and one output code, got " + nIn + " and " + nOut);
            if (inTw < 8 || inTw % 8 != 0 || inTw > 64) throw new IllegalArgumentException("input TDATA width " + inTw + " is not 8, 16, ..., 64");
            if (outTw < 8 || outTw % 8 != 0 || outTw > 64) throw new IllegalArgumentException("output TDATA width " + outTw + " is not 8, 16, ..., 64");
        }

        /** The sizes {@link EngineGenerator} gives {@code tfq_top} for {@code p}. */
        public static Ports of(Program p) {
            int inBits = p.inputType().bits() + (p.inputType().signed() ? 0 : 1);
            return new Ports(p.inputCount(), p.outputCount(), 8 * ((inBits + 7) / 8), 8 * ((p.widths().out() + 7) / 8));
        }

        /** Bytes per input code on SPI. */
        public int inBytes() {
            return inTw / 8;
        }

        /** Bytes per output code on SPI. */
        public int outBytes() {
            return outTw / 8;
        }

        /** Puts the sizes into a template model: nIn, nOut, inTw, outTw, inBytes, outBytes. */
        void putInto(Map<String, Object> m) {
            m.put("nIn", nIn);
            m.put("nOut", nOut);
            m.put("inTw", inTw);
            m.put("outTw", outTw);
            m.put("inBytes", inBytes());
            m.put("outBytes", outBytes());
        }
    }

    /**
     * Writes {@code rtl/tfq_spi_slave.v} and {@code rtl/tfq_spi_top.v} into {@code rtlDir} (next to
     * the {@code tfq_top.v} they wrap) and returns their file names, instantiated module first.
     */
    public static List<String> write(Path rtlDir, int nIn, int nOut, int inTw, int outTw) {
        return write(rtlDir, new Ports(nIn, nOut, inTw, outTw), "");
    }

    /** As {@link #write(Path, int, int, int, int)} with the sizes of {@code p}; {@code version} goes into the header. */
    public static List<String> write(Path rtlDir, Program p, String version) {
        return write(rtlDir, Ports.of(p), version);
    }

    /** As {@link #write(Path, int, int, int, int)}; {@code version} goes into the header. */
    public static List<String> write(Path rtlDir, Ports ports, String version) {
        List<String> files = new ArrayList<>();
        for (Path f : RtlModule.SPI_SLAVE.write(rtlDir)) files.add(f.getFileName().toString());
        Map<String, Object> m = model(ports, version);
        Templates.standard().render("spi/tfq_spi_top.v.ftl", m, rtlDir.resolve(FILE));
        files.add(FILE);
        return files;
    }

    /**
     * Writes the SPI testbench {@code tb_tfq_spi.v} into {@code simDir}, for the {@code vectors}
     * vectors of {@code inputs.mem} and {@code expected.mem} there. {@code predictedCycles} bounds
     * the wait for each result; {@code outputName} names the output in mismatch messages.
     */
    public static Path writeTestbench(Path simDir, Ports ports, int vectors, long predictedCycles, String outputName, String version) {
        if (vectors < 1) throw new IllegalArgumentException("at least one vector");
        Map<String, Object> m = model(ports, version);
        m.put("vectors", vectors);
        m.put("predictedCycles", predictedCycles);
        m.put("outputName", SafeText.verilogString(outputName));
        // it runs in sim/spi/ (its own build folder next to sim/verilator/ of tb_tfq)
        m.put("memDir", "../../rtl/");
        m.put("vectorDir", "../");
        m.put("halfPeriods", TB_HALF_PERIODS);
        m.put("halfPeriodsText", TB_HALF_PERIODS.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        return Templates.standard().render("spi/tb_tfq_spi.v.ftl", m, simDir.resolve(TB_FILE));
    }

    /**
     * Builds and runs {@code sim/tb_tfq_spi.v} of the output folder {@code outDir} in
     * {@code simulator}, in {@code sim/spi/} (build products in {@code sim/spi/<simulator>/}) with the Verilog files
     * {@code rtlFiles} of {@code rtl/} (tfq_top's and {@link #write}'s). Passed means every code read
     * back over SPI equals the golden model's and every protocol check held.
     */
    public static SimResult run(Path outDir, List<String> rtlFiles, Simulator simulator, Duration timeout) {
        Path sim = outDir.resolve("sim").toAbsolutePath();
        List<Path> sources = new ArrayList<>();
        for (String f : rtlFiles) sources.add(outDir.resolve("rtl").resolve(f).toAbsolutePath());
        sources.add(sim.resolve(TB_FILE));
        return simulator.run(sim.resolve("spi"), sources, TB_TOP, timeout);
    }

    private static Map<String, Object> model(Ports ports, String version) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version == null || version.isEmpty() ? "" : version);
        ports.putInto(m);
        return m;
    }
}
