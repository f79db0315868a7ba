package org.tfq.compiler;

import java.util.List;
import java.util.Map;
import org.tfq.verilog.EngineGenerator;

/**
 * The generate stage's result: the engine's files ({@code rtl/} and {@code sim/} are written),
 * the top module for synthesis and every Verilog file with it, the number of test vectors, and
 * the text files left for the caller to put in place: {@code README.md} and the Vivado flow, by
 * path relative to the output folder.
 */
public record Generated(Scheduled scheduled, EngineGenerator.Files engine, String iface, String top, List<String> verilog, int vectors,
        String readme, Map<String, String> vivado) {

    public Generated {
        verilog = List.copyOf(verilog);
        vivado = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(vivado));
    }
}
