package org.tfq.compiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.Value;
import org.tfq.ir.integer.Requantizer;
import org.tfq.ir.op.IntLinear;
import org.tfq.ir.op.IntOp;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.explore.Ice40PowerModel;
import org.tfq.passes.explore.PowerModel;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.LaneChooser;
import org.tfq.passes.resources.ResourceEstimate;
import org.tfq.passes.schedule.Instruction;
import org.tfq.passes.schedule.Program;
import org.tfq.verilog.EngineTestbench;

/**
 * report.json and sim/sim.json, made from the compiler's records in this one place (the key
 * order is part of the format: outputs are compared byte for byte).
 */
public final class ReportJson {
    private ReportJson() {}

    /**
     * report.json of a compile: {@code accuracy} and {@code targets} when samples were given
     * (targets may be null), {@code stamp} when the output records when it was made.
     */
    public static Map<String, Object> report(Generated g, Accuracy accuracy, float[] targets, String tfqVersion, String stamp) {
        Scheduled s = g.scheduled();
        ImportResult r = s.quantized().imported();
        IntegerModel im = s.quantized().model();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", r.source().getFileName().toString());
        report.put("tfq_version", tfqVersion);
        if (stamp != null) report.put("stamp", stamp);
        report.put("input", quantization(im.input().intType()));
        report.put("output", quantization(im.output().intType()));
        report.put("macs_per_inference", im.graph().macs());
        report.put("parameters", im.graph().parameters());
        if (!im.scaleOrigins().isEmpty()) report.put("scales_not_in_the_model", ScaleOriginsText.json(im.scaleOrigins()));
        if (accuracy != null) report.put("accuracy", accuracy.fields(targets, r, im));
        report.put("layers", layers(im));
        report.put("part", s.target().vivado().part());
        report.put("clock_mhz", s.target().vivado().clockMhz());
        report.put("resource_model", resources(s));
        report.put("hardware", hardware(g));
        report.put("cycles_per_inference", s.program().predictedCycles());
        // nextpnr estimates no power: the iCE40 estimate is the only one (7 series reports stay as they were)
        if (s.target().capacity().ice40()) report.put("power_estimate", power(s));
        return report;
    }

    /** The iCE40 power estimate of the design at the compile clock, and per MHz so that it scales to nextpnr's fmax. */
    static Map<String, Object> power(Scheduled s) {
        double mhz = s.target().vivado().clockMhz();
        PowerModel.Power p = Ice40PowerModel.power(s.estimate().total(), mhz);
        long cycles = s.program().predictedCycles();
        Map<String, Object> m = new LinkedHashMap<>(Ice40PowerModel.constants());
        m.put("design_static_w", p.staticW());
        m.put("design_dynamic_w_per_mhz", p.dynamicW() / mhz);
        m.put("total_w_at_clock", p.totalW());
        m.put("energy_uj_at_clock", PowerModel.energyMicrojoules(p.totalW(), cycles, mhz));
        return m;
    }

    /** sim/sim.json, which tfq simulate reads. */
    public static Map<String, Object> sim(Generated g) {
        Map<String, Object> sim = new LinkedHashMap<>();
        sim.put("top", EngineTestbench.TOP);
        sim.put("rtl", g.engine().verilog());
        sim.put("vectors", g.vectors());
        sim.put("predicted_cycles", g.scheduled().program().predictedCycles());
        sim.put("lanes", g.scheduled().program().lanes());
        return sim;
    }

    /** The resource model's estimate of the scheduled program against the part, and with a chosen lane count every candidate. */
    static Map<String, Object> resources(Scheduled s) {
        Capacity cap = s.target().capacity();
        LaneChooser.Choice choice = s.choice();
        ResourceEstimate e = s.estimate();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", cap.ice40() ? "tfq's iCE40 resource model (LUT4 calibrated on Yosys synth_ice40), not a synthesis result"
                : "tfq's analytical resource model (calibrated on Yosys synth_xilinx), not a synthesis result");
        m.put("lanes_chosen_by", choice.auto() ? "auto" : "--lanes");
        m.put("max_utilization_percent", s.target().maxUtilizationPercent());
        m.put("fits", e.fits(cap, s.target().maxLutFraction()));
        m.putAll(e.total().json(cap));
        List<Object> units = new ArrayList<>();
        for (ResourceEstimate.Unit u : e.units()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("unit", u.name());
            row.putAll(u.resources().json(null));
            units.add(row);
        }
        m.put("units", units);
        if (choice.auto()) {
            List<Object> cands = new ArrayList<>();
            for (LaneChooser.Candidate c : choice.candidates()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("lanes", c.lanes());
                row.put("cycles", c.cycles());
                row.put("fits", c.fits());
                row.putAll(c.estimate().total().json(null));
                cands.add(row);
            }
            m.put("candidates", cands);
        }
        return m;
    }

    static Map<String, Object> hardware(Generated g) {
        Program p = g.scheduled().program();
        IntegerModel im = g.scheduled().quantized().model();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lanes", p.lanes());
        h.put("predicted_cycles", p.predictedCycles());
        long macs = im.graph().macs();
        h.put("macs_per_inference", macs);
        h.put("mac_lane_utilization", g.scheduled().macLaneUtilization());
        long macCycles = p.macInstructionCycles();
        h.put("mac_instruction_cycles", macCycles);
        h.put("mac_lane_utilization_in_mac_instructions", macCycles == 0 ? 0.0 : (double) macs / ((double) macCycles * p.lanes()));
        h.put("activation_memory_words", p.actDepth());
        h.put("activation_bits", p.widths().act());
        h.put("weight_rom_words", p.weightWords().size());
        h.put("weight_bits", p.widths().weight());
        h.put("param_rom_words", p.params().size());
        h.put("table_rom_words", p.table().length);
        h.put("b_buffer_words_per_lane", p.bufferDepth());
        h.put("accumulator_bits", p.widths().acc());
        h.put("rtl", g.verilog());
        h.put("memories", g.engine().memories());
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (Node n : im.graph().nodes()) nodes.put(n.name(), n);
        List<Object> steps = new ArrayList<>();
        long linearMacs = 0, linearCycles = 0;
        for (Instruction i : p.instructions()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("kind", i.kind().name().toLowerCase(java.util.Locale.ROOT));
            s.put("node", i.node());
            s.put("cycles", i.cycles());
            Node n = nodes.get(i.node());
            if (n != null && i.kind() == Instruction.Kind.MAC) {
                long m = n.op().macs(n.inputs().stream().map(Value::type).toList());
                s.put("macs", m);
                s.put("mac_lane_utilization", (double) m / ((double) i.cycles() * p.lanes()));
                if (n.op() instanceof IntLinear) {
                    linearMacs += m;
                    linearCycles += i.cycles();
                }
            }
            steps.add(s);
        }
        // the linear layers are where the lanes should be busy: every other op is bound by one element per cycle
        h.put("linear_layer_cycles", linearCycles);
        h.put("linear_layer_mac_lane_utilization", linearCycles == 0 ? 0.0 : (double) linearMacs / ((double) linearCycles * p.lanes()));
        h.put("program", steps);
        h.put("interface", g.iface());
        h.put("top", g.top());
        return h;
    }

    static Map<String, Object> quantization(IntType t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bits", t.bits());
        m.put("signed", t.signed());
        m.put("scale", t.scale());
        m.put("zero_point", t.zeroPoint());
        return m;
    }

    static List<Object> layers(IntegerModel im) {
        List<Object> rows = new ArrayList<>();
        for (Node n : im.graph().nodes()) {
            IntOp op = (IntOp) n.op();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n.name());
            row.put("op", op.mnemonic());
            row.put("value", n.output().name());
            row.put("shape", n.output().type().shape().toString());
            row.put("inputs", n.inputs().stream().map(Value::name).toList());
            row.put("output_quantization", quantization(n.output().type().intType()));
            row.put("datapath_bits", op.datapathBits());
            row.put("macs", op.macs(n.inputs().stream().map(Value::type).toList()));
            row.put("attributes", new LinkedHashMap<>(op.attributes()));
            if (op instanceof IntLinear lin) {
                row.put("weight_bits", lin.weightBits());
                row.put("accumulator_bits", lin.accBits());
                row.put("multipliers", lin.requant().stream().map(Requantizer::multiplier).toList());
                row.put("shifts", lin.requant().stream().map(Requantizer::shift).toList());
            }
            rows.add(row);
        }
        return rows;
    }
}
