package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Shared plumbing of the unit testbenches: work directories, template models, running both simulators. */
final class Bench {
    private Bench() {}

    static final String VECTORS = "vectors.txt";
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** A fresh {@code target/sim/<name>} (kept after the test for inspection). */
    static Path workDir(String name) {
        Path dir = Path.of("target", "sim", name).toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (var s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    static Map<String, Object> port(String port, String field, int width) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", port);
        m.put("field", field);
        m.put("width", width);
        return m;
    }

    /** A template config of one instance: its module, parameters and port wiring. */
    static Map<String, Object> config(UnitParameters unit, List<Map<String, Object>> inPorts, List<Map<String, Object>> outPorts) {
        List<Map<String, Object>> params = new ArrayList<>();
        unit.parameters().forEach((k, v) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", k);
            p.put("value", v);
            params.add(p);
        });
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("module", unit.module().moduleName());
        c.put("params", params);
        c.put("inPorts", inPorts);
        c.put("outPorts", outPorts);
        return c;
    }

    /** Writes the RTL of {@code modules} and the rendered testbench into {@code dir}; returns all sources. */
    static List<Path> sources(Path dir, List<RtlModule> modules, String template, Map<String, Object> model) {
        List<Path> files = new ArrayList<>(RtlModule.write(dir.resolve("rtl"), modules));
        files.add(Templates.standard().render(template, model, dir.resolve(model.get("top") + ".v")));
        return files;
    }

    /** Runs Verilator and Icarus at the same time (Verilator's build is the long pole). */
    static List<SimResult> runBoth(Path dir, List<Path> sources, String top) {
        CompletableFuture<SimResult> icarus = CompletableFuture.supplyAsync(() -> new Icarus().run(dir, sources, top, TIMEOUT));
        SimResult verilator = new Verilator().run(dir, sources, top, TIMEOUT);
        return List.of(verilator, icarus.join());
    }

    /** Asserts the run built, finished and checked exactly {@code vectors} vectors without a mismatch. */
    static void assertPassed(SimResult r, int vectors) {
        assertTrue(r.passed(), r::describe);
        assertEquals(vectors, r.summary().orElseThrow().vectors(), r::describe);
        System.out.println(r.describe());
    }

    /** A value's two's complement in {@code bits} bits, as the unit's port holds it. */
    static long mask(long v, int bits) {
        return bits >= 64 ? v : v & ((1L << bits) - 1);
    }
}
