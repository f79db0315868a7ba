package org.tfq.passes.resources;

import java.util.List;
import java.util.Locale;

/**
 * The resource model's estimate of one engine configuration, unit by unit (MAC lanes, control,
 * memories, output unit, ...). {@link #total()} is what the design as a whole is predicted to use.
 */
public record ResourceEstimate(int lanes, List<Unit> units) {

    /** One unit of the engine and what it is predicted to use; {@code detail} says how (widths, depths, mapping). */
    public record Unit(String name, Resources resources, String detail) {}

    public ResourceEstimate {
        units = List.copyOf(units);
    }

    public Resources total() {
        Resources t = Resources.NONE;
        for (Unit u : units) t = t.plus(u.resources());
        return t;
    }

    /** Whether the whole design fits {@code c} with at most {@code maxLutFraction} of its LUTs. */
    public boolean fits(Capacity c, double maxLutFraction) {
        return total().fits(c, maxLutFraction);
    }

    /** The resources that go over {@code c} (LUT against {@code maxLutFraction} of it), e.g. "LUT, DSP". */
    public List<String> over(Capacity c, double maxLutFraction) {
        Resources t = total();
        java.util.ArrayList<String> o = new java.util.ArrayList<>();
        if (t.logic(c) > maxLutFraction * c.luts()) o.add("LUT");
        if (t.ff() > c.ffs()) o.add("FF");
        if (t.dsp() > c.dsps()) o.add("DSP");
        if (t.bram36Tiles() > c.bram36()) o.add("BRAM");
        if (t.ebr() > c.ebr()) o.add("EBR");
        return o;
    }

    /** A plain-text table, one row per unit and a total row against {@code c}. */
    public String table(Capacity c) {
        if (c != null && c.ice40()) return ice40Table(c);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-22s %7s %7s %7s %4s %6s  %s%n", "unit", "LUT", "LUTRAM", "FF", "DSP", "BRAM", "how"));
        for (Unit u : units) {
            Resources r = u.resources();
            b.append(String.format(Locale.ROOT, "%-22s %7d %7d %7d %4d %6s  %s%n", u.name(), r.lut(), r.lutram(), r.ff(), r.dsp(),
                    r.tiles(), u.detail()));
        }
        Resources t = total();
        b.append(String.format(Locale.ROOT, "%-22s %7d %7d %7d %4d %6s%n", "total", t.lut(), t.lutram(), t.ff(), t.dsp(), t.tiles()));
        if (c != null) {
            b.append(String.format(Locale.ROOT, "%-22s %7d %7s %7d %4d %6d%n", c.name() + " has", c.luts(), "", c.ffs(), c.dsps(), c.bram36()));
        }
        return b.toString();
    }

    /** {@link #table} on an iCE40: LUT4, FF, SB_MAC16 and EBR columns. */
    private String ice40Table(Capacity c) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-22s %7s %7s %8s %4s  %s%n", "unit", "LUT4", "FF", "SB_MAC16", "EBR", "how"));
        for (Unit u : units) {
            Resources r = u.resources();
            b.append(String.format(Locale.ROOT, "%-22s %7d %7d %8d %4d  %s%n", u.name(), r.lut(), r.ff(), r.dsp(), r.ebr(), u.detail()));
        }
        Resources t = total();
        b.append(String.format(Locale.ROOT, "%-22s %7d %7d %8d %4d%n", "total", t.lut(), t.ff(), t.dsp(), t.ebr()));
        b.append(String.format(Locale.ROOT, "%-22s %7d %7d %8d %4d%n", c.name() + " has", c.luts(), c.ffs(), c.dsps(), c.ebr()));
        return b.toString();
    }
}
