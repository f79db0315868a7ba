package org.tfq.verilog;

import java.util.LinkedHashMap;

/**
 * The parameters of one instance of an {@link RtlModule}: decided in Java (from the IR's ops and
 * range analysis), rendered into {@code #(.NAME(value), ...)} by the templates.
 */
public interface UnitParameters {

    RtlModule module();

    /** Verilog parameter name to value, in the module's declaration order (booleans as 0/1). */
    LinkedHashMap<String, Long> parameters();

    static long flag(boolean b) {
        return b ? 1 : 0;
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new IllegalArgumentException(what);
    }
}
