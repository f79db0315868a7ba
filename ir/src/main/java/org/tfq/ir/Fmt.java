package org.tfq.ir;

import java.util.Locale;

/** Number formatting for the text dump: locale-independent and stable across runs. */
public final class Fmt {
    private Fmt() {}

    public static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
