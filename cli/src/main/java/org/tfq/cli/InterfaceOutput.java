package org.tfq.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.verilog.DesignReadme;
import org.tfq.verilog.EngineGenerator;
import org.tfq.verilog.SpiWrapper;

/**
 * The top level of {@code tfq compile --interface axis|spi} and the output folder's
 * {@code README.md}: with {@code spi}, {@code rtl/tfq_spi_slave.v}, {@code rtl/tfq_spi_top.v}
 * ({@link SpiWrapper}) and the SPI testbench {@code sim/tb_tfq_spi.v}; in either case the
 * hardware report names the interface, the top module for synthesis and every Verilog file, and
 * {@link DesignReadme} documents the design.
 */
final class InterfaceOutput {
    private InterfaceOutput() {}

    static final List<String> KINDS = List.of("axis", "spi");

    /** Refuses an unknown {@code --interface}. */
    static void check(String iface) {
        if (!KINDS.contains(iface)) throw new CliException("--interface " + iface + ": use axis or spi");
    }

    /**
     * Writes the SPI top level and testbench when {@code iface} is {@code spi}, adds
     * {@code interface}, {@code top} and the full {@code rtl} list to {@code hw.report()}, and writes
     * {@code README.md}, which describes the Vivado flow compile writes with {@code vivado}
     * (vivado/, Makefile).
     */
    static void write(String iface, HardwareOutput.Written hw, IntegerModel im, Path model, OutputDirectory out, String version,
            org.tfq.vivado.VivadoOptions vivado) throws IOException {
        check(iface);
        boolean spi = iface.equals("spi");
        List<String> rtl = new ArrayList<>(hw.files().verilog());
        if (spi) {
            rtl.addAll(SpiWrapper.write(out.file("rtl"), hw.program(), version));
            SpiWrapper.writeTestbench(out.file("sim"), SpiWrapper.Ports.of(hw.program()), hw.vectors(), hw.program().predictedCycles(),
                    im.graph().outputs().get(0).name(), version);
        }
        Map<String, Object> report = hw.report();
        report.put("interface", iface);
        report.put("top", spi ? SpiWrapper.TOP : EngineGenerator.TOP);
        report.put("rtl", rtl);
        out.write(DesignReadme.FILE, DesignReadme.of(hw.program(), im).model(model.getFileName().toString()).version(version)
                .files(rtl, hw.files().memories()).spi(spi).vivado(true, vivado.part(), true).clockMhz(vivado.clockMhz()).render());
    }
}
