package org.tfq.verilog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The fixed, parameterised Verilog modules of the datapath: plain {@code .v} resources under
 * {@code org/tfq/verilog/rtl/}, because nothing about them depends on the model except their
 * parameters. Each is a bit-exact implementation of a golden function of {@code org.tfq.ir}.
 */
public enum RtlModule {
    /** {@code IntMath.isqrt(v, bits)}. {@link IsqrtUnit#cycles()} cycles. */
    ISQRT("tfq_isqrt"),
    /** The output stage clamp(z + roundShift(a m1 + b m2 + c, sh), lo, hi). {@link PostUnit#LATENCY} cycles. */
    POST("tfq_post"),
    /** {@code IntMath.divRound}, pipelined: one division per cycle. {@link DivRoundPipeUnit#latency()} cycles. */
    DIVROUND_PIPE("tfq_divround_pipe"),
    /** One address stream of the engine: base plus four strided loop counters, incrementally. */
    AGU("tfq_agu"),
    /** The SPI slave of {@code --interface spi} ({@link SpiWrapper}): byte protocol, input and output buffers. */
    SPI_SLAVE("tfq_spi_slave");

    private final String moduleName;
    private final List<RtlModule> uses;

    RtlModule(String moduleName, RtlModule... uses) {
        this.moduleName = moduleName;
        this.uses = List.of(uses);
    }

    /** The Verilog module name. */
    public String moduleName() {
        return moduleName;
    }

    /** The file name, {@code <module>.v}. */
    public String fileName() {
        return moduleName + ".v";
    }

    /** The modules this one instantiates. */
    public List<RtlModule> uses() {
        return uses;
    }

    /** The Verilog source text. */
    public String source() {
        String res = "rtl/" + fileName();
        try (InputStream in = RtlModule.class.getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException("resource " + res + " missing from the tfq-backend-verilog jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + res, e);
        }
    }

    /** This module and everything it instantiates, instantiated modules first. */
    public List<RtlModule> withDependencies() {
        Set<RtlModule> out = new LinkedHashSet<>();
        collect(this, out);
        return List.copyOf(out);
    }

    private static void collect(RtlModule m, Set<RtlModule> out) {
        for (RtlModule u : m.uses) collect(u, out);
        out.add(m);
    }

    /**
     * Writes the modules and their dependencies (each once) to {@code dir} and returns the files,
     * instantiated modules first, ready to hand to a simulator or to synthesis.
     */
    public static List<Path> write(Path dir, List<RtlModule> modules) {
        Set<RtlModule> all = new LinkedHashSet<>();
        for (RtlModule m : modules) all.addAll(m.withDependencies());
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (RtlModule m : all) {
                Path f = dir.resolve(m.fileName());
                Files.writeString(f, m.source(), StandardCharsets.UTF_8);
                files.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Verilog to " + dir, e);
        }
        return files;
    }

    /** {@link #write(Path, List)} of one module. */
    public List<Path> write(Path dir) {
        return write(dir, List.of(this));
    }
}
