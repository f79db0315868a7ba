package org.tfq.passes.schedule;

import java.util.HashSet;
import java.util.List;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.Value;
import org.tfq.ir.op.LayoutOp;
import org.tfq.passes.layout.ResolveViews;
import org.tfq.passes.memory.AllocateActivations;
import org.tfq.passes.quant.IntegerModel;

/**
 * Turns an integer graph into the engine's program: one instruction per op (two for a matmul
 * of activations, whose second operand is first loaded into the lane-banked B buffer), in graph
 * order, with layout ops and relabels folded into address streams ({@link Addresses}), tensors
 * placed in the activation memory by liveness, and every constant placed in a ROM. The steps:
 * instruction selection per op ({@link SelectInstructions}), ROM packing ({@link PackRoms}),
 * width inference ({@link InferProgramWidths}), and overlapping independent drains
 * ({@link OverlapDrains}). Each instruction's cycle count is a closed formula
 * ({@link Instruction#cycles()}) because nothing in the engine waits on data.
 */
public final class ScheduleProgram {
    private ScheduleProgram() {}

    /** Latencies of the hardware units the program's timing depends on (the Verilog backend knows them). */
    public interface UnitLatencies {
        /** In-valid to out-valid of the output unit. */
        int post();

        /** In-valid to out-valid of the pipelined rounding divider with this many quotient bits. */
        int divider(int quotientBits);
    }

    /** A graph the engine cannot run: which node and why. */
    public static final class ScheduleException extends RuntimeException {
        public ScheduleException(String message) {
            super(message);
        }
    }

    public static Program run(IntegerModel model, int lanes, UnitLatencies latencies) {
        if (lanes < 1) throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
        Graph g = model.graph();
        ResolveViews.Result views = ResolveViews.run(g);
        AllocateActivations.Allocation alloc = AllocateActivations.run(g, views);
        Value input = g.inputs().get(0);
        Value output = g.outputs().get(0);
        Addresses addr = new Addresses(views, alloc, new HashSet<>());
        boolean direct = writtenInPlace(g, views, output);
        if (direct) addr.writeToOutput(output.name());
        InferProgramWidths widths = new InferProgramWidths();
        for (Value v : g.inputs()) widths.stored(v.type().intType());
        for (Node n : g.nodes()) {
            String v = n.output().name();
            if (views.placements().get(v).base().equals(v) && !addr.toOutput(v)) widths.stored(n.output().type().intType());
        }
        for (Node n : g.nodes()) widths.divider(n);
        PackRoms roms = new PackRoms(lanes);
        SelectInstructions select = new SelectInstructions(g, lanes, latencies, addr, roms, widths);
        for (Node n : g.nodes()) select.schedule(n);
        if (!direct) select.copyToOutput(output);
        List<Instruction> program = select.finish();
        int bufferDepth = select.bufferDepth();
        return new Program(g.name(), lanes, program, roms.weightWords(), roms.params(), roms.table(),
                widths.of(program, roms, lanes, alloc.size(), bufferDepth, model.input().intType(), output.type().intType(),
                        Addresses.size(output), latencies),
                (int) addr.base(input.name()), Addresses.size(input), input.type().intType(), Addresses.size(output),
                output.type().intType(), Math.max(1, alloc.size()), Math.max(1, bufferDepth), select.checks());
    }

    /**
     * Whether the op computing the model's output can write it straight to the output memory: it
     * is stored as itself, read by no other op, and not a layout op (else a final copy does).
     */
    private static boolean writtenInPlace(Graph g, ResolveViews.Result views, Value output) {
        Node producer = g.uses().producer(output.name());
        ResolveViews.Placement placed = views.placements().get(output.name());
        return producer != null && placed.base().equals(output.name()) && readers(g, views, output.name()) == 0
                && !(producer.op() instanceof LayoutOp) && placed.stored();
    }

    private static int readers(Graph g, ResolveViews.Result views, String value) {
        int c = 0;
        for (Node n : g.nodes()) {
            for (Value in : n.inputs()) if (views.placements().get(in.name()).base().equals(value)) c++;
        }
        return c;
    }
}
