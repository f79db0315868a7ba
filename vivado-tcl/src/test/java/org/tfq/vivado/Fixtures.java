package org.tfq.vivado;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Test inputs: a small design, generated output folders, the report fixtures. */
final class Fixtures {
    private Fixtures() {}

    static VivadoDesign design() {
        return new VivadoDesign("tfq_top", "clk", List.of("rtl/tfq_top.v", "rtl/tfq_layers.v"),
                List.of("rtl/weights_l0.mem", "rtl/weights_l1.mem"), 133_000);
    }

    /** Writes {@code files} under {@code outdir} plus empty stand-ins for the design's RTL and memory files. */
    static Path writeOutdir(Path outdir, VivadoDesign d, Map<String, String> files) {
        try {
            for (Map.Entry<String, String> e : files.entrySet()) write(outdir.resolve(e.getKey()), e.getValue());
            for (String f : d.rtlFiles()) write(outdir.resolve(f), "// stand-in\n");
            for (String f : d.memFiles()) write(outdir.resolve(f), "00\n");
            return outdir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    /** A test resource under org/tfq/vivado/ as a file. */
    static Path resource(String name) {
        URL u = Fixtures.class.getResource("/org/tfq/vivado/" + name);
        if (u == null) throw new AssertionError("missing test resource " + name);
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** An OUTDIR whose reports/ holds the fixture set {@code set} (met, violated, old, garbage). */
    static Path outdirWithReports(Path tmp, String set) {
        try {
            Path out = tmp.resolve("out-" + set);
            Files.createDirectories(out.resolve("reports"));
            try (var s = Files.list(resource("reports/" + set))) {
                for (Path f : s.toList()) Files.copy(f, out.resolve("reports").resolve(f.getFileName()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
