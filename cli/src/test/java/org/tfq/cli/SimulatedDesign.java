package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tfq.ir.io.Json;
import org.tfq.verilog.EngineTestbench;
import org.tfq.verilog.Icarus;
import org.tfq.verilog.Lint;
import org.tfq.verilog.Simulator;
import org.tfq.verilog.Verilator;

/**
 * A design compiled by {@code tfq compile} with testbench vectors, and the end-to-end checks the
 * simulation tests make on it: every vector (and, with {@code --check-layers}, every layer)
 * bit-exact in a simulator, measured cycles equal to the scheduler's prediction on every vector,
 * and the RTL clean under {@code verilator --lint-only -Wall}.
 *
 * @param out the output directory
 * @param rtl the RTL files under {@code out/rtl}, as sim/sim.json lists them
 * @param predicted the scheduler's cycles per inference
 */
record SimulatedDesign(Path out, List<String> rtl, long predicted) {

    /** Runs {@code tfq compile -o out} with {@code args} (the model and options), asserts it succeeds, and reads sim/sim.json. */
    static SimulatedDesign compile(Path out, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("compile", "-o", out.toString()));
        all.addAll(args);
        Cli c = Cli.run(all.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        Map<?, ?> sim = (Map<?, ?>) Json.read(Files.readString(out.resolve("sim/sim.json")));
        @SuppressWarnings("unchecked")
        List<String> rtl = (List<String>) sim.get("rtl");
        return new SimulatedDesign(out, rtl, ((Number) sim.get("predicted_cycles")).longValue());
    }

    /** "icarus" or "verilator". */
    static Simulator simulator(String name) {
        return name.equals("icarus") ? new Icarus() : new Verilator();
    }

    /**
     * Runs the testbench in {@code s}: it passes, ran {@code vectors} inferences, and each took the
     * predicted cycles. {@code who} prefixes the failure messages (empty, or which simulator).
     */
    void assertBitExactAndOnTime(Simulator s, int vectors, Duration timeout, String who) throws IOException {
        EngineTestbench.Result r = EngineTestbench.run(out, rtl, s, timeout);
        assertTrue(r.sim().passed(), who + r.sim().describe());
        assertEquals(vectors, r.vectors());
        assertEquals(predicted, r.cyclesMin(), who + "fastest inference vs prediction");
        assertEquals(predicted, r.cyclesMax(), who + "slowest inference vs prediction");
    }

    void assertLintClean() {
        List<Path> sources = rtl.stream().map(f -> out.resolve("rtl").resolve(f)).toList();
        List<String> warnings = new java.util.ArrayList<>(Lint.verilatorLintWall(sources, "tfq_top", Map.of()));
        warnings.addAll(Lint.icarusStrict(sources, "tfq_top"));
        for (Path f : sources) warnings.addAll(Lint.usesBeforeDeclaration(f));
        assertTrue(warnings.isEmpty(), String.join("\n", warnings));
    }
}
