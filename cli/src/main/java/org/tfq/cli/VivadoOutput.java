package org.tfq.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tfq.verilog.EngineGenerator;
import org.tfq.vivado.PartDatabase;
import org.tfq.vivado.VivadoDesign;
import org.tfq.vivado.VivadoFlow;
import org.tfq.vivado.VivadoOptions;
import picocli.CommandLine.Option;

/**
 * The target half of {@code tfq compile}, as a picocli mixin: the FPGA part, the clock, the
 * user's XDC; and what goes into OUTDIR for Vivado: {@code vivado/build.tcl},
 * {@code vivado/constraints.xdc}, {@code vivado/user.xdc} (a copy of {@code --xdc}),
 * {@code Makefile}, plus {@code "part"} and {@code "clock_mhz"} in report.json.
 *
 * <p>Paths: the RTL reads its memory images as {@code MEM_DIR = "rtl/"}, relative to the
 * current directory; {@code build.tcl} changes into OUTDIR before synthesis, the Makefile runs
 * every recipe there, and {@code tfq estimate} runs Yosys there, so all three agree.
 */
final class VivadoOutput {

    /** The top module and its clock, as the engine template names them. */
    static final String TOP = EngineGenerator.TOP;
    static final String CLOCK = "clk";
    /** Where compile writes the RTL and memory images, relative to OUTDIR. */
    static final String RTL_DIR = "rtl/";

    @Option(names = "--part", paramLabel = "PART", defaultValue = PartDatabase.DEFAULT_PART,
            description = "FPGA part for Vivado and for fitting the design, a full Vivado part name (default: ${DEFAULT-VALUE}).")
    String part = PartDatabase.DEFAULT_PART;

    @Option(names = "--clock-mhz", paramLabel = "MHZ", defaultValue = "100",
            description = "Clock the design is constrained to in vivado/constraints.xdc, in MHz (default: ${DEFAULT-VALUE}).")
    double clockMhz = VivadoOptions.DEFAULT_CLOCK_MHZ;

    @Option(names = "--xdc", paramLabel = "FILE",
            description = "Your own constraints (pins, I/O standards), copied to vivado/user.xdc and read after the clock.")
    Path xdc;

    @Option(names = "--allow-timing-violation",
            description = "make bitstream writes the bitstream even when the routed design misses the clock.")
    boolean allowTimingViolation;

    private VivadoOptions options;

    /**
     * The Vivado options, checked: an unknown part, a clock that is not a positive frequency, an
     * XDC file that is not there are each a one-line error (exit 1). Call it before any work.
     */
    VivadoOptions options() {
        if (options == null) {
            options = new VivadoOptions(part, clockMhz, xdc, allowTimingViolation);
        }
        return options;
    }

    /**
     * Writes the Vivado flow for the compiled design into {@code out}, and the part and clock
     * into {@code report}: call before report.json is written.
     */
    @SuppressWarnings("unchecked")
    void write(OutputDirectory out, Map<String, Object> report, HardwareOutput.Written hw) throws IOException {
        VivadoOptions o = options();
        // the top module and the Verilog files as the hardware report lists them (--interface spi adds its top level)
        Object top = hw.report().get("top");
        Object files = hw.report().get("rtl");
        List<String> rtl = new ArrayList<>();
        for (String f : files instanceof List<?> l ? (List<String>) l : hw.files().verilog()) rtl.add(RTL_DIR + f);
        List<String> mems = new ArrayList<>();
        for (String f : hw.files().memories()) mems.add(RTL_DIR + f);
        VivadoDesign d = new VivadoDesign(top instanceof String t ? t : TOP, CLOCK, rtl, mems, hw.program().predictedCycles());
        for (Map.Entry<String, String> f : VivadoFlow.files(d, o).entrySet()) out.write(f.getKey(), f.getValue());
        report.put("part", o.part());
        report.put("clock_mhz", o.clockMhz());
    }
}
