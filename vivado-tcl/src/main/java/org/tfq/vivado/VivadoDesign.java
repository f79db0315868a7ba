package org.tfq.vivado;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What the Vivado flow needs to know about a generated design. Paths are relative to OUTDIR, with
 * forward slashes ({@code rtl/tfq_top.v}, {@code rtl/weights_l0.mem}).
 *
 * <p>Names and paths are restricted to characters that mean nothing to Tcl, XDC and make (letters,
 * digits, {@code _ . / -}), so they can go into the generated files as they are, without quoting
 * rules that differ between the three.
 *
 * @param topModule          the Verilog top module, given to {@code synth_design -top}
 * @param clockPort          the top module's clock input, which {@code create_clock} constrains
 * @param rtlFiles           Verilog ({@code .v}) and SystemVerilog ({@code .sv}) sources
 * @param memFiles           files the RTL reads with {@code $readmemh}/{@code $readmemb}
 * @param cyclesPerInference clock cycles from input to output, 0 when not known
 */
public record VivadoDesign(String topModule, String clockPort, List<String> rtlFiles, List<String> memFiles, long cyclesPerInference) {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9_.-]+");

    public VivadoDesign {
        requireIdentifier(topModule, "top module");
        requireIdentifier(clockPort, "clock port");
        rtlFiles = List.copyOf(rtlFiles);
        memFiles = List.copyOf(memFiles);
        if (rtlFiles.isEmpty()) throw new VivadoException("the design has no RTL files");
        for (String f : rtlFiles) {
            requireRelativePath(f, "RTL file");
            if (!f.endsWith(".v") && !f.endsWith(".sv")) {
                throw new VivadoException("RTL file '" + f + "' is neither Verilog (.v) nor SystemVerilog (.sv)");
            }
        }
        for (String f : memFiles) requireRelativePath(f, "memory file");
        if (cyclesPerInference < 0) throw new VivadoException("cycles per inference must be at least 0, got " + cyclesPerInference);
    }

    /** The RTL files read with plain {@code read_verilog}. */
    public List<String> verilogFiles() {
        return rtlFiles.stream().filter(f -> f.endsWith(".v")).toList();
    }

    /** The RTL files read with {@code read_verilog -sv}. */
    public List<String> systemVerilogFiles() {
        return rtlFiles.stream().filter(f -> f.endsWith(".sv")).toList();
    }

    private static void requireIdentifier(String s, String what) {
        if (s == null || !IDENTIFIER.matcher(s).matches()) {
            throw new VivadoException("the " + what + " must be a plain Verilog identifier (letters, digits, _), got '" + s + "'");
        }
    }

    /** Relative, inside OUTDIR, and made only of characters Tcl, XDC and make take literally. */
    private static void requireRelativePath(String path, String what) {
        if (path == null || path.isEmpty() || path.startsWith("/")) {
            throw new VivadoException(what + " '" + path + "' must be a path relative to the output folder");
        }
        for (String seg : path.split("/", -1)) {
            if (seg.equals(".") || seg.equals("..") || !PATH_SEGMENT.matcher(seg).matches()) {
                throw new VivadoException(what + " '" + path + "' must stay inside the output folder and use only letters, digits, _ . - and /");
            }
        }
    }
}
