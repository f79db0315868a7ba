package org.tfq.vivado;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tfq.verilog.Templates;

/**
 * The files that take a generated design to an iCE40 bitstream with the open tools, in place of
 * {@link VivadoFlow}'s: {@code ice40/synth.ys} (Yosys), {@code ice40/pins.pcf} (generated pins) or
 * {@code ice40/user.pcf} (a copy of the user's), and the {@code Makefile} whose {@code make
 * bitstream} runs Yosys, nextpnr-ice40 and icepack into {@code build/TOP.bin}, and fails with one
 * line when the routed design misses the clock.
 *
 * <p>The Yosys script is {@code synth_ice40 -dsp} with one pass left out: {@code ice40_dsp}, which
 * folds registers and adders into the SB_MAC16s, crashes Yosys 0.23 (a segmentation fault) on the
 * engine's softmax product. The multipliers still map onto SB_MAC16 ({@code mul2dsp},
 * {@code dsp_map.v}); their registers stay in the fabric.
 */
public final class Ice40Flow {

    private Ice40Flow() {}

    private static final Templates TEMPLATES = new Templates("/org/tfq/vivado/ice40");

    /** The Yosys script, relative to OUTDIR; {@code tfq estimate} runs it too. */
    public static final String SYNTH = "ice40/synth.ys";

    /** Where the script writes Yosys' cell counts ({@code stat -json}). */
    public static final String YOSYS_STAT = "reports/yosys_stat.json";

    /** Where nextpnr's report goes, which {@code tfq report} reads. */
    public static final String REPORT = "reports/nextpnr.json";

    /** Relative path in OUTDIR to file content, sorted by path; the caller writes them. */
    public static Map<String, String> files(VivadoDesign d, VivadoOptions o, List<Ice40Pins.Port> ports) {
        Part part = PartDatabase.lookup(o.part());
        String pkg = part.nextpnrPackage(o.part());
        Map<String, Object> m = new HashMap<>(); // FreeMarker looks names up; the order never reaches a file
        m.put("top", d.topModule());
        m.put("part", o.part());
        m.put("package", pkg);
        m.put("clockMhz", VivadoFlow.ns(o.clockMhz()));
        m.put("verilogFiles", d.verilogFiles());
        m.put("systemVerilogFiles", d.systemVerilogFiles());
        String pcf = o.userPcf() != null ? "ice40/user.pcf" : "ice40/pins.pcf";
        m.put("pcf", pcf);
        List<String> inputs = new java.util.ArrayList<>(d.rtlFiles());
        inputs.addAll(d.memFiles());
        inputs.add(pcf);
        m.put("inputs", inputs);
        m.put("allowTimingViolation", o.allowTimingViolation());
        Map<String, String> files = new TreeMap<>();
        files.put(SYNTH, TEMPLATES.render("synth.ys.ftl", m));
        files.put(pcf, o.userPcf() != null ? readUserPcf(o) : Ice40Pins.pcf(o.part(), pkg, d.clockPort(), ports));
        files.put("Makefile", TEMPLATES.render("Makefile.ftl", m));
        return files;
    }

    private static String readUserPcf(VivadoOptions o) {
        try {
            return Files.readString(o.userPcf(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VivadoException(o.userPcf() + ": cannot read the user PCF: " + e.getMessage());
        }
    }
}
