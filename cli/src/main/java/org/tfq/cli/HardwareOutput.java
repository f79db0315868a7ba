package org.tfq.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.schedule.Instruction;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;
import org.tfq.verilog.EngineGenerator;
import org.tfq.verilog.EngineTestbench;

/**
 * The hardware half of {@code tfq compile}: schedules the integer model onto the engine, writes
 * {@code rtl/} and the testbench with its vectors in {@code sim/}, and describes both for
 * {@code report.json} and {@code sim/sim.json} (which {@code tfq simulate} reads).
 */
final class HardwareOutput {
    private HardwareOutput() {}

    /** Seed of the random input codes used when no samples are given: fixed, so compiles are reproducible. */
    static final long RANDOM_SEED = 20261122L;

    record Written(Program program, EngineGenerator.Files files, int vectors, Map<String, Object> report, Map<String, Object> sim) {}

    static Written write(ImportResult model, IntegerModel im, int lanes, EngineGenerator.Activations activations,
            FloatTensor samples, int vectors, boolean checkLayers, Path rtlDir, Path simDir, String version) {
        Program program;
        try {
            program = ScheduleProgram.run(im, lanes, EngineGenerator.LATENCIES);
        } catch (ScheduleProgram.ScheduleException e) {
            throw new CliException("cannot build hardware for " + model.source().getFileName() + ": " + e.getMessage());
        }
        EngineGenerator.Files files = EngineGenerator.write(program, rtlDir, activations, version);
        List<long[]> in = new ArrayList<>(), expected = new ArrayList<>();
        List<Map<String, long[]>> layers = checkLayers ? new ArrayList<>() : null;
        String outputName = im.graph().outputs().get(0).name();
        for (IntTensor codes : vectors(model, im, samples, vectors)) {
            in.add(codes.data());
            Map<String, IntTensor> all = IntInterpreter.runAll(im.graph(), codes);
            expected.add(all.get(outputName).data());
            if (layers != null) {
                Map<String, long[]> byName = new LinkedHashMap<>();
                all.forEach((k, v) -> byName.put(k, v.data()));
                layers.add(byName);
            }
        }
        EngineTestbench.write(program, in, expected, layers, outputName, simDir, version);

        Map<String, Object> sim = new LinkedHashMap<>();
        sim.put("top", EngineTestbench.TOP);
        sim.put("rtl", files.verilog());
        sim.put("vectors", in.size());
        sim.put("predicted_cycles", program.predictedCycles());
        sim.put("lanes", lanes);
        return new Written(program, files, in.size(), report(program, im, files), sim);
    }

    /**
     * Input codes of {@code count} samples (taken in order, and again from the first when there are
     * fewer), or random codes of the input type when there are no samples.
     */
    static List<IntTensor> vectors(ImportResult model, IntegerModel im, FloatTensor samples, int count) {
        List<IntTensor> out = new ArrayList<>();
        if (samples != null) {
            int n = Samples.count(model.inputs().get(0), samples);
            List<IntTensor> distinct = new ArrayList<>();
            for (int i = 0; i < Math.min(n, count); i++) distinct.add(im.quantizeInput(Samples.toBound(model.inputs().get(0), samples, i)));
            for (int i = 0; i < count; i++) out.add(distinct.get(i % distinct.size()));
            return out;
        }
        IntType t = im.input().intType();
        org.tfq.ir.Shape s = im.graph().inputs().get(0).type().shape();
        SplittableRandom rnd = new SplittableRandom(RANDOM_SEED);
        for (int v = 0; v < count; v++) {
            long[] codes = new long[Math.toIntExact(s.size())];
            for (int i = 0; i < codes.length; i++) codes[i] = rnd.nextLong(t.min(), t.max() + 1);
            out.add(new IntTensor(s, codes));
        }
        return out;
    }

    static Map<String, Object> report(Program p, IntegerModel im, EngineGenerator.Files files) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lanes", p.lanes());
        h.put("predicted_cycles", p.predictedCycles());
        long macs = im.graph().macs();
        h.put("macs_per_inference", macs);
        h.put("mac_lane_utilization", (double) macs / ((double) p.predictedCycles() * p.lanes()));
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
        h.put("rtl", files.verilog());
        h.put("memories", files.memories());
        Map<String, org.tfq.ir.Node> nodes = new LinkedHashMap<>();
        for (org.tfq.ir.Node n : im.graph().nodes()) nodes.put(n.name(), n);
        List<Object> steps = new ArrayList<>();
        long linearMacs = 0, linearCycles = 0;
        for (Instruction i : p.instructions()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("kind", i.kind().name().toLowerCase(java.util.Locale.ROOT));
            s.put("node", i.node());
            s.put("cycles", i.cycles());
            org.tfq.ir.Node n = nodes.get(i.node());
            if (n != null && i.kind() == Instruction.Kind.MAC) {
                long m = n.op().macs(n.inputs().stream().map(org.tfq.ir.Value::type).toList());
                s.put("macs", m);
                s.put("mac_lane_utilization", (double) m / ((double) i.cycles() * p.lanes()));
                if (n.op() instanceof org.tfq.ir.op.IntLinear) {
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
        return h;
    }
}
