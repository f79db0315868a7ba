package org.tfq.vivado;

import org.tfq.ir.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Vivado's reports say about a design, section by section. A section is null when its report
 * was not there; every section names the report file its numbers were read from, so no number
 * stands without the Vivado output it came from.
 *
 * @param cyclesPerInference clock cycles per inference from the compile, or null when not known
 * @param latencyMs          cycles per inference at the constrained clock period, or null
 * @param energyMj           total on-chip power times latency, in mJ, or null
 * @param notes              how numbers were read, when that needs saying (upper bounds, missing rows)
 */
public record VivadoSummary(Utilization utilization, Timing timing, Power power,
                            Double cyclesPerInference, Double latencyMs, Double energyMj, List<String> notes) {

    public VivadoSummary {
        notes = List.copyOf(notes);
    }

    /**
     * From {@code report_utilization}. Counts are Vivado's "Used" column; a field is null when the
     * report has no such row. BRAM is in 36 Kb tiles (Vivado's "Block RAM Tile", where a RAMB18
     * counts as half a tile), RAMB18 the 18 Kb halves used on their own. LUTRAM is distributed RAM
     * ("LUT as Distributed RAM"), not the shift registers "LUT as Memory" also counts.
     *
     * @param source  the report, relative to OUTDIR
     * @param tool    the "Tool Version" header, such as {@code Vivado v.2023.2 (lin64) Build ...}
     * @param device  the "Device" header
     */
    public record Utilization(String source, String tool, String device,
                              Integer lut, Integer ff, Integer lutram, Integer dsp, Double bram36, Integer ramb18,
                              Integer lutAvailable, Integer ffAvailable, Integer dspAvailable, Double bram36Available,
                              Integer ebr, Integer ebrAvailable) {

        /** A 7 series device's: no EBR. */
        public Utilization(String source, String tool, String device,
                           Integer lut, Integer ff, Integer lutram, Integer dsp, Double bram36, Integer ramb18,
                           Integer lutAvailable, Integer ffAvailable, Integer dspAvailable, Double bram36Available) {
            this(source, tool, device, lut, ff, lutram, dsp, bram36, ramb18, lutAvailable, ffAvailable, dspAvailable, bram36Available, null, null);
        }
    }

    /**
     * From {@code report_timing_summary}: the Design Timing Summary (design-wide WNS, TNS, WHS)
     * and one clock of the Clock Summary: tfq's engine clock {@code tfq_clk}, else the clock with
     * the least WNS of its own (Intra Clock Table).
     *
     * @param met     WNS and, when reported, WHS are both at least 0
     * @param fmaxMhz 1000 / (period - that clock's own WNS): the clock its worst setup path would just meet
     */
    public record Timing(String source, String clock, Double periodNs, Double wnsNs, Double tnsNs, Double whsNs,
                         Boolean met, Double fmaxMhz) {}

    /**
     * From {@code report_power}'s summary table, in W.
     *
     * @param activity   the "Simulation Activity File" row: a SAIF file name, or null for Vivado's
     *                   default (vectorless) toggle rates
     * @param confidence Vivado's "Confidence Level": Low, Medium or High
     */
    public record Power(String source, Double totalW, Double staticW, Double dynamicW, String confidence, String activity) {}

    /** The report files the numbers came from, relative to OUTDIR, each once (nextpnr's one report gives utilization and timing). */
    public List<String> sources() {
        List<String> s = new ArrayList<>();
        if (utilization != null) s.add(utilization.source());
        if (timing != null) s.add(timing.source());
        if (power != null) s.add(power.source());
        return s.stream().distinct().toList();
    }

    /** The summary as nested maps in a fixed key order (snake_case keys, null for unknowns). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sources", sources());
        if (utilization == null) {
            m.put("utilization", null);
        } else {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("source", utilization.source());
            u.put("tool", utilization.tool());
            u.put("device", utilization.device());
            u.put("lut", utilization.lut());
            u.put("ff", utilization.ff());
            u.put("lutram", utilization.lutram());
            u.put("dsp", utilization.dsp());
            u.put("bram36", utilization.bram36());
            u.put("ramb18", utilization.ramb18());
            u.put("lut_available", utilization.lutAvailable());
            u.put("ff_available", utilization.ffAvailable());
            u.put("dsp_available", utilization.dspAvailable());
            u.put("bram36_available", utilization.bram36Available());
            // an iCE40's 4 Kb block RAMs (nextpnr's report); absent from a Vivado summary
            if (utilization.ebr() != null) {
                u.put("ebr", utilization.ebr());
                u.put("ebr_available", utilization.ebrAvailable());
            }
            m.put("utilization", u);
        }
        if (timing == null) {
            m.put("timing", null);
        } else {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("source", timing.source());
            t.put("clock", timing.clock());
            t.put("period_ns", timing.periodNs());
            t.put("wns_ns", timing.wnsNs());
            t.put("tns_ns", timing.tnsNs());
            t.put("whs_ns", timing.whsNs());
            t.put("met", timing.met());
            t.put("fmax_mhz", timing.fmaxMhz());
            m.put("timing", t);
        }
        if (power == null) {
            m.put("power", null);
        } else {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("source", power.source());
            p.put("total_w", power.totalW());
            p.put("static_w", power.staticW());
            p.put("dynamic_w", power.dynamicW());
            p.put("confidence", power.confidence());
            p.put("activity", power.activity());
            m.put("power", p);
        }
        m.put("cycles_per_inference", cyclesPerInference);
        m.put("latency_ms", latencyMs);
        m.put("energy_per_inference_mj", energyMj);
        m.put("notes", notes);
        return m;
    }

    /** {@link #toMap()} as indented JSON, ending in a newline. */
    public String toJson() {
        return Json.write(toMap());
    }
}
