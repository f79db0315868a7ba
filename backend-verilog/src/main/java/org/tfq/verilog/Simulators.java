package org.tfq.verilog;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The simulators by the names a user types: {@code verilator}, and {@code iverilog} (or
 * {@code icarus}, its {@link Simulator#name()}) for Icarus Verilog.
 */
public final class Simulators {
    private Simulators() {}

    /** The names {@link #named} accepts, as shown to the user (aliases not listed). */
    public static final List<String> NAMES = List.of("verilator", "iverilog");

    /** The simulator called {@code name} (case-insensitive), with its tools from the PATH; empty if unknown. */
    public static Optional<Simulator> named(String name) {
        return named(name, null);
    }

    /**
     * The simulator called {@code name}, with its tools looked up in the directories of
     * {@code searchPath} (a PATH string; null: this process' PATH). A Verilator with its own
     * search path builds without the shared runtime cache.
     */
    public static Optional<Simulator> named(String name, String searchPath) {
        if (name == null) return Optional.empty();
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "verilator" -> Optional.of(searchPath == null ? new Verilator() : new Verilator(null, searchPath));
            case "iverilog", "icarus" -> Optional.of(searchPath == null ? new Icarus() : new Icarus(searchPath));
            default -> Optional.empty();
        };
    }
}
