package org.tfq.explore;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tfq.ir.IrException;
import org.tfq.passes.explore.PowerModel;
import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.Resources;

/**
 * One configuration of {@code tfq explore} and what it costs: the integer golden model's RMSE,
 * the scheduler's exact cycles, the resource model's (or, after {@code --collect}, Vivado's)
 * resources and the power model's (or Vivado's) power and energy per inference. {@code order}
 * is its place in the sweep, so tables come out in the same order however the threads finish.
 * {@code ebr} is the iCE40's 4 Kb block RAMs, null on a family that has none.
 */
public record ExploreRow(int order, String name, int bits, SortedMap<String, Integer> bitsFor, int lanes, String activations,
        double rmseFloat, double rmseInt, long cycles, double latencyUs, int lut, int lutram, int ff, int dsp, double bramTiles,
        double lutPercent, boolean fits, String resourceSource, double powerW, double energyUj, String energySource,
        Double fmaxMhz, Double wnsNs, Integer ebr) {

    public static final String MODEL = "model";
    public static final String VIVADO = "vivado";
    public static final String NEXTPNR = "nextpnr";

    public ExploreRow {
        bitsFor = new TreeMap<>(bitsFor);
    }

    /** A row of a family without EBR. */
    public ExploreRow(int order, String name, int bits, SortedMap<String, Integer> bitsFor, int lanes, String activations,
            double rmseFloat, double rmseInt, long cycles, double latencyUs, int lut, int lutram, int ff, int dsp, double bramTiles,
            double lutPercent, boolean fits, String resourceSource, double powerW, double energyUj, String energySource,
            Double fmaxMhz, Double wnsNs) {
        this(order, name, bits, bitsFor, lanes, activations, rmseFloat, rmseInt, cycles, latencyUs, lut, lutram, ff, dsp, bramTiles,
                lutPercent, fits, resourceSource, powerW, energyUj, energySource, fmaxMhz, wnsNs, null);
    }

    /** "b8-l16-bram", or "mix8-l16-bram" for a mixed-precision configuration with 8 bits where --bits-for says nothing. */
    public static String name(int bits, boolean mixed, int lanes, String activations) {
        return (mixed ? "mix" : "b") + bits + "-l" + lanes + "-" + activations;
    }

    public double rmseIncreasePercent() {
        return 100 * (rmseInt / rmseFloat - 1);
    }

    /** --bits-for as one CSV-safe field: "/ff1=6;/q=4" (empty for a uniform width). */
    public String bitsForText() {
        StringBuilder b = new StringBuilder();
        bitsFor.forEach((k, v) -> b.append(b.length() == 0 ? "" : ";").append(k).append('=').append(v));
        return b.toString();
    }

    public static SortedMap<String, Integer> parseBitsFor(String text) {
        SortedMap<String, Integer> m = new TreeMap<>();
        if (text == null || text.isEmpty()) return m;
        for (String kv : text.split(";")) {
            int eq = kv.lastIndexOf('=');
            m.put(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)));
        }
        return m;
    }

    /**
     * The row with the results of {@code tool} ({@link #VIVADO} or {@link #NEXTPNR}) in place of the
     * models' (null fields of the summary keep the model's). With the tool's resources, {@code fits}
     * is judged anew from them against {@code cap} as the model's are ({@link Resources#fits}), with
     * all of the part's LUTs: they are counts, not estimates that need a margin. Energy is the
     * tool's power over the row's cycles at {@code clockMhz}; nextpnr gives none, so the model's stays.
     */
    public ExploreRow withCollected(String tool, Integer vLut, Integer vLutram, Integer vFf, Integer vDsp, Double vBram, Integer vEbr,
            Capacity cap, double clockMhz, Double totalW, Double fmax, Double wns) {
        boolean res = vLut != null;
        int l = res ? vLut : lut;
        int lr = res && vLutram != null ? vLutram : lutram, f = res && vFf != null ? vFf : ff, d = res && vDsp != null ? vDsp : dsp;
        double tiles = res && vBram != null ? vBram : bramTiles;
        Integer e = res && vEbr != null ? vEbr : ebr;
        // Vivado counts block RAM in 36 Kb tiles (1.5 = one RAMB36 and one RAMB18): as RAMB18 halves
        boolean fit = res ? new Resources(l, Math.min(lr, l), f, d, 0, (int) Math.round(2 * tiles), e == null ? 0 : e).fitsAsPlaced(cap) : fits;
        double p = totalW != null ? totalW : powerW;
        return new ExploreRow(order, name, bits, bitsFor, lanes, activations, rmseFloat, rmseInt, cycles, latencyUs, l, lr, f, d, tiles,
                res ? 100.0 * l / cap.luts() : lutPercent, fit, res ? tool : resourceSource, p,
                totalW != null ? PowerModel.energyMicrojoules(p, cycles, clockMhz) : energyUj, totalW != null ? tool : energySource,
                fmax, wns, e);
    }

    /** The CSV and JSON columns, in order; {@code pareto} holds the front memberships computed for the table. */
    public Map<String, Object> fields(Map<String, Boolean> pareto) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("bits", bits);
        m.put("bits_for", bitsForText());
        m.put("lanes", lanes);
        m.put("activations", activations);
        m.put("rmse_int", sig(rmseInt));
        m.put("rmse_float", sig(rmseFloat));
        m.put("rmse_increase_percent", sig(rmseIncreasePercent()));
        m.put("cycles", cycles);
        m.put("latency_us", sig(latencyUs));
        m.put("lut", lut);
        m.put("lutram", lutram);
        m.put("ff", ff);
        m.put("dsp", dsp);
        m.put("bram_tiles", bramTiles);
        if (ebr != null) m.put("ebr", ebr);
        m.put("lut_percent", sig(lutPercent));
        m.put("fits", fits);
        m.put("resource_source", resourceSource);
        m.put("power_w", sig(powerW));
        m.put("energy_uj", sig(energyUj));
        m.put("energy_source", energySource);
        m.put("fmax_mhz", fmaxMhz);
        m.put("wns_ns", wnsNs);
        m.putAll(pareto);
        return m;
    }

    /** A row of explore.json back, for --collect. */
    public static ExploreRow fromJson(int order, Map<?, ?> j) {
        return new ExploreRow(order, (String) j.get("name"), num(j, "bits").intValue(), parseBitsFor((String) j.get("bits_for")),
                num(j, "lanes").intValue(), (String) j.get("activations"), num(j, "rmse_float").doubleValue(),
                num(j, "rmse_int").doubleValue(), num(j, "cycles").longValue(), num(j, "latency_us").doubleValue(),
                num(j, "lut").intValue(), num(j, "lutram").intValue(), num(j, "ff").intValue(), num(j, "dsp").intValue(),
                num(j, "bram_tiles").doubleValue(), num(j, "lut_percent").doubleValue(), Boolean.TRUE.equals(j.get("fits")),
                (String) j.get("resource_source"), num(j, "power_w").doubleValue(), num(j, "energy_uj").doubleValue(),
                (String) j.get("energy_source"), (Double) j.get("fmax_mhz"), (Double) j.get("wns_ns"),
                j.get("ebr") instanceof Number n ? n.intValue() : null);
    }

    private static Number num(Map<?, ?> j, String key) {
        if (!(j.get(key) instanceof Number n)) throw new IrException("explore.json: configuration " + j.get("name") + " has no number " + key);
        return n;
    }

    /** Six significant digits: enough for every column, short enough to read. */
    public static double sig(double v) {
        return Double.isFinite(v) ? new BigDecimal(v).round(new MathContext(6)).doubleValue() : v;
    }
}
