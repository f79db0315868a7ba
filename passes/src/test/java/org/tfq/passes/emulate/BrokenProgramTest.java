package org.tfq.passes.emulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.passes.schedule.Instruction;
import org.tfq.passes.schedule.Instruction.Kind;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;

/** The emulator tells a broken program from a good one, and names the first instruction that went wrong. */
class BrokenProgramTest {
    static TestModels.Quantized model;
    static Program good;
    static IntTensor input;
    static Map<String, IntTensor> golden;

    @BeforeAll
    static void schedule() {
        String name = "models/ref_n12_d16_m1.onnx";
        model = TestModels.quantize(name, TestModels.load(name), 8, 1, 0);
        good = ScheduleProgram.run(model.model(), 3, EngineEmulatorTest.RTL);
        input = model.windows().get(0);
        golden = IntInterpreter.runAll(model.model().graph(), input);
    }

    @Test
    void theGoodProgramAgrees() {
        EngineEmulatorTest.agrees("good", good, model.model().graph(), input, true);
    }

    @Test
    void aCorruptedWeightWordIsFoundAtTheLayerReadingIt() {
        int pc = first(good, i -> i.kind() == Kind.MAC && !i.fromBuffer());
        Instruction mac = good.instructions().get(pc);
        List<long[]> words = new ArrayList<>(good.weightWords());
        long[] word = words.get((int) mac.w().base()).clone();
        int ww = good.widths().weight();
        word[0] = word[0] > 0 ? -(1L << (ww - 1)) : (1L << (ww - 1)) - 1;
        words.set((int) mac.w().base(), word);
        Program broken = withWeights(good, words);
        EngineEmulator.Run run = EngineEmulator.run(broken, input.data(), true);
        String wrong = EngineEmulatorTest.firstWrongCheck(broken, run, golden);
        assertNotNull(wrong, "a corrupted weight went unnoticed");
        assertTrue(wrong.contains("after MAC " + mac.node() + ")"), wrong);
        assertFalse(Arrays.equals(golden.get(model.model().graph().outputs().get(0).name()).data(), run.output()));
    }

    @Test
    void aLoadIntoTheWrongBufferWordsLeavesTheMatmulReadingWordsNobodyWrote() {
        int pc = first(good, i -> i.kind() == Kind.LOAD_B);
        Program broken = replace(good, pc, i -> i.withBufferBase(1));
        EmulationException e = assertThrows(EmulationException.class, () -> EngineEmulator.run(broken, input.data()));
        assertTrue(e.getMessage().startsWith("instruction " + (pc + 1) + " (MAC"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing has written"), e.getMessage());
    }

    @Test
    void aLoadOfColumnsPastALastTileIsRejected() {
        // 16 columns on 3 lanes: five full tiles, then a LOAD_B of the last tile's one column
        int pc = first(good, i -> i.kind() == Kind.LOAD_B && i.lanesLast() < good.lanes());
        Instruction last = good.instructions().get(pc);
        assertEquals(Kind.LOAD_B, good.instructions().get(pc - 1).kind());
        assertEquals(good.lanes(), good.instructions().get(pc - 1).lanesLast(), "the full tiles load every lane");
        Program broken = replace(good, pc, i -> i.toBuilder().lanes(i.lanesFull(), i.lanesLast() - 1).build());
        EmulationException e = assertThrows(EmulationException.class, () -> EngineEmulator.run(broken, input.data()));
        assertTrue(e.getMessage().startsWith("instruction " + pc + " (LOAD_B"), e.getMessage());
        assertTrue(e.getMessage().contains("loads lane " + (last.lanesLast() - 1) + " of a last tile"), e.getMessage());
    }

    @Test
    void aTailTooShortLeavesResultsForAnInstructionNoLongerThere() {
        // the divider's results reach the output unit long after the last slot; the tail waits for them
        int pc = first(good, i -> i.kind() == Kind.SOFTMAX);
        Program broken = replace(good, pc, i -> i.withTail(1));
        EmulationException e = assertThrows(EmulationException.class, () -> EngineEmulator.run(broken, input.data()));
        assertTrue(e.getMessage().startsWith("instruction " + pc + " (SOFTMAX"), e.getMessage());
        assertTrue(e.getMessage().contains("the tail is too short"), e.getMessage());
    }

    @Test
    void aTileDrainingIntoAnotherKindOfInstructionIsCaught() {
        // a drain may run on into the next MAC instruction, never into another kind
        int pc = first(good, i -> i.kind() == Kind.MAC && i.tail() > 1);
        while (good.instructions().get(pc + 1).kind() == Kind.MAC) pc = first(good, pc + 1, i -> i.kind() == Kind.MAC && i.tail() > 1);
        int mac = pc;
        Program broken = replace(good, mac, i -> i.withTail(1));
        EmulationException e = assertThrows(EmulationException.class, () -> EngineEmulator.run(broken, input.data()));
        assertTrue(e.getMessage().startsWith("instruction " + mac + " (MAC"), e.getMessage());
    }

    @Test
    void everyTailCutShortIsCaughtOrHarmless() {
        // with no tail an instruction's last results land after its successor's first reads: a read
        // of one of them must be reported, and a program the emulator runs must still be right (here
        // the mean over time of iTransformer's normalisation is read at once by the subtraction)
        String name = "models/itransformer_n24_d16_m1.onnx";
        TestModels.Quantized m = TestModels.quantize(name, TestModels.load(name), 8, 1, 0);
        Program p = ScheduleProgram.run(m.model(), 1, EngineEmulatorTest.RTL);
        IntTensor x = m.windows().get(0);
        int caught = 0;
        for (int pc = 0; pc < p.instructions().size(); pc++) {
            if (p.instructions().get(pc).kind() == Kind.END || p.instructions().get(pc).tail() == 1) continue;
            Program broken = replace(p, pc, i -> i.withTail(1));
            try {
                EngineEmulatorTest.agrees("instruction " + pc + " with no tail", broken, m.model().graph(), x, false);
            } catch (AssertionError e) {
                if (!(e.getCause() instanceof EmulationException)) throw e;
                if (e.getCause().getMessage().startsWith("instruction " + (pc + 1) + " (")
                        && e.getCause().getMessage().contains("but instruction " + pc + " (")
                        && e.getCause().getMessage().contains("stores it only at the end of cycle")) caught++;
            }
        }
        assertTrue(caught > 0, "no read of a word in flight found");
    }

    @Test
    void theOutputStreamsOutInThePredictedCycles() {
        EngineEmulator.Run run = EngineEmulator.run(good, input.data());
        assertEquals(good.predictedCycles(), run.cycles());
        assertEquals(1 + good.inputCount(), run.fetchCycles()[0]);
    }

    static int first(Program p, java.util.function.Predicate<Instruction> which) {
        return first(p, 0, which);
    }

    static int first(Program p, int from, java.util.function.Predicate<Instruction> which) {
        for (int pc = from; pc < p.instructions().size(); pc++) if (which.test(p.instructions().get(pc))) return pc;
        throw new AssertionError("no such instruction in " + p.name());
    }

    static Program replace(Program p, int pc, UnaryOperator<Instruction> change) {
        List<Instruction> is = new ArrayList<>(p.instructions());
        is.set(pc, change.apply(is.get(pc)));
        return new Program(p.name(), p.lanes(), is, p.weightWords(), p.params(), p.table(), p.widths(), p.inputBase(), p.inputCount(),
                p.inputType(), p.outputCount(), p.outputType(), p.actDepth(), p.bufferDepth(), p.checks());
    }

    static Program withWeights(Program p, List<long[]> words) {
        return new Program(p.name(), p.lanes(), p.instructions(), words, p.params(), p.table(), p.widths(), p.inputBase(), p.inputCount(),
                p.inputType(), p.outputCount(), p.outputType(), p.actDepth(), p.bufferDepth(), p.checks());
    }
}
