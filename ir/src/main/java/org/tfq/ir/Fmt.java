package org.tfq.ir;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/** Number formatting for the text dump: locale-independent and stable across runs. */
public final class Fmt {
    private Fmt() {}

    public static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.6g", v);
    }

    /**
     * The shortest decimal that reads back as exactly {@code v} (the nearest of each length tried):
     * computed from the exact binary value, not from {@link Double#toString}, whose digits changed
     * between JDKs, so the text is the same on every JDK. {@code nan}, {@code inf}, {@code -inf}
     * and {@code -0.0} as such.
     */
    public static String exact(double v) {
        if (!Double.isFinite(v) || v == 0) return special(v);
        BigDecimal x = new BigDecimal(v);
        return decimal(shortest(x, 17, r -> Double.parseDouble(r.toString()) == v));
    }

    /** As {@link #exact(double)}, the shortest decimal that reads back as the float {@code v}. */
    public static String exact(float v) {
        if (!Float.isFinite(v) || v == 0) return special(v);
        BigDecimal x = new BigDecimal(v);
        return decimal(shortest(x, 9, r -> Float.parseFloat(r.toString()) == v));
    }

    /**
     * {@code x} rounded to the fewest digits that {@code readsBack}, {@code max} always do. If p
     * digits read back, so do p + 1 (the nearest p + 1 digits are no farther), hence the bisection.
     */
    private static BigDecimal shortest(BigDecimal x, int max, java.util.function.Predicate<BigDecimal> readsBack) {
        int lo = 1, hi = max;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (readsBack.test(x.round(new MathContext(mid, RoundingMode.HALF_EVEN)))) hi = mid;
            else lo = mid + 1;
        }
        return x.round(new MathContext(hi, RoundingMode.HALF_EVEN));
    }

    /** Reads what {@link #exact(double)} writes; null if {@code s} is not such a number. */
    public static Double parseExact(String s) {
        return wellFormed(s) ? Double.valueOf(special(s) ? Double.parseDouble(javaSpelling(s)) : Double.parseDouble(s)) : null;
    }

    /** Reads what {@link #exact(float)} writes, rounding the decimal once, to float; null if it is not such a number. */
    public static Float parseExactFloat(String s) {
        return wellFormed(s) ? Float.valueOf(special(s) ? Float.parseFloat(javaSpelling(s)) : Float.parseFloat(s)) : null;
    }

    // digits, one point, an exponent: nothing else Double.parseDouble would take (hex, a 'd' suffix, "Infinity")
    private static boolean wellFormed(String s) {
        return special(s) || s.matches("-?[0-9]+\\.[0-9]+(e-?[0-9]+)?");
    }

    private static boolean special(String s) {
        return s.equals("nan") || s.equals("inf") || s.equals("-inf");
    }

    private static String javaSpelling(String s) {
        return s.equals("nan") ? "NaN" : s.equals("inf") ? "Infinity" : "-Infinity";
    }

    private static String special(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return 1 / v < 0 ? "-0.0" : "0.0";
    }

    /** Plain digits from 1e-4 to below 1e9, else one digit before the point and an exponent; always a point. */
    private static String decimal(BigDecimal r) {
        r = r.stripTrailingZeros();
        int exponent = r.precision() - 1 - r.scale();
        if (exponent >= -4 && exponent < 9) {
            String s = r.toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
        String digits = r.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits + ".0" : digits.charAt(0) + "." + digits.substring(1);
        return (r.signum() < 0 ? "-" : "") + mantissa + "e" + exponent;
    }
}
