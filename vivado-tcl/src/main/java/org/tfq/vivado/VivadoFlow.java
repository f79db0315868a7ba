package org.tfq.vivado;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tfq.verilog.Templates;

/**
 * The files that take a generated design through Vivado: {@code vivado/build.tcl} (non-project
 * flow), {@code vivado/constraints.xdc} (the clock), {@code Makefile} (sim, estimate, bitstream,
 * report, clean) and, when the user gave one, {@code vivado/user.xdc} (a copy of their XDC).
 *
 * <p>Identical inputs give byte-identical files: no dates, no host names, nothing from hash order.
 */
public final class VivadoFlow {

    private VivadoFlow() {}

    private static final Templates TEMPLATES = new Templates("/org/tfq/vivado");

    /** Relative path in OUTDIR to file content, sorted by path; the caller writes them. */
    public static Map<String, String> files(VivadoDesign d, VivadoOptions o) {
        Map<String, Object> model = model(d, o);
        Map<String, String> files = new TreeMap<>();
        files.put("vivado/build.tcl", TEMPLATES.render("build.tcl.ftl", model));
        files.put("vivado/constraints.xdc", TEMPLATES.render("constraints.xdc.ftl", model));
        files.put("Makefile", TEMPLATES.render("Makefile.ftl", model));
        if (o.userXdc() != null) files.put("vivado/user.xdc", readUserXdc(o));
        return files;
    }

    /** Periods and frequencies to the picosecond / kHz Vivado itself prints, never in the locale's format. */
    static String ns(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static Map<String, Object> model(VivadoDesign d, VivadoOptions o) {
        Map<String, Object> m = new HashMap<>(); // FreeMarker looks names up; the order never reaches a file
        m.put("top", d.topModule());
        m.put("clockPort", d.clockPort());
        m.put("part", o.part());
        m.put("clockMhz", ns(o.clockMhz()));
        m.put("periodNs", ns(o.periodNs()));
        m.put("halfPeriodNs", ns(o.periodNs() / 2));
        m.put("verilogFiles", d.verilogFiles());
        m.put("systemVerilogFiles", d.systemVerilogFiles());
        m.put("memFiles", d.memFiles());
        List<String> inputs = new ArrayList<>(d.rtlFiles());
        inputs.addAll(d.memFiles());
        inputs.add("vivado/constraints.xdc");
        if (o.userXdc() != null) inputs.add("vivado/user.xdc");
        m.put("inputs", inputs);
        m.put("userXdc", o.userXdc() != null);
        // without the user's pins, write_bitstream's I/O checks would stop every run
        m.put("relaxIoChecks", o.userXdc() == null);
        m.put("allowTimingViolation", o.allowTimingViolation());
        if (d.cyclesPerInference() > 0) m.put("cyclesPerInference", Long.toString(d.cyclesPerInference()));
        return m;
    }

    private static String readUserXdc(VivadoOptions o) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(o.userXdc()))).toString();
        } catch (CharacterCodingException e) {
            throw new VivadoException(o.userXdc() + ": not a text file in UTF-8 (user XDC)");
        } catch (IOException e) {
            throw new VivadoException(o.userXdc() + ": cannot read the user XDC: " + e.getMessage());
        }
    }
}
