package org.tfq.passes.emulate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.schedule.Instruction;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;

/**
 * Every committed model's engine program, run by the emulator, gives the integer interpreter's
 * output exactly, value by value at every layer check, in exactly the predicted cycles, at
 * several lane counts: the scheduler's own test, with no simulator.
 */
class EngineEmulatorTest {

    /** The engine the templates build. */
    static final ScheduleProgram.UnitLatencies RTL = org.tfq.passes.engine.EngineLatencies.RTL;

    static final int[] LANES = {1, 3, 8, 32};

    static List<String> models() throws IOException {
        return TestModels.all();
    }

    @ParameterizedTest
    @MethodSource("models")
    void emulatedProgramEqualsTheIntegerInterpreter(String name) {
        ImportResult r = TestModels.load(name);
        boolean trained = TestModels.trained(r);
        for (Integer bits : trained ? Arrays.asList((Integer) null) : List.of(8, 4)) {
            TestModels.Quantized q = TestModels.quantize(name, r, bits, 1, 1);
            int scheduled = 0;
            for (int lanes : LANES) {
                Program p;
                try {
                    p = ScheduleProgram.run(q.model(), lanes, RTL);
                } catch (ScheduleProgram.ScheduleException e) {
                    continue;
                }
                scheduled++;
                for (int k = 0; k < q.windows().size(); k++) agrees(q.name() + ", " + lanes + " lanes, window " + k, p, q.model().graph(), q.windows().get(k), k == 0);
            }
            if (scheduled == 0) fail(q.name() + ": no lane count schedules");
        }
    }

    /** Options tfq compile takes that change the program's widths or constants, each on a model where it matters. */
    static Stream<Arguments> otherOptions() {
        QuantOptions.RangeMethod minmax = QuantOptions.RangeMethod.MINMAX;
        QuantOptions.WeightRounding nearest = QuantOptions.WeightRounding.NEAREST;
        return Stream.of(
                // the de-normalization y * stdev + mean at the forecast's 16 bits: 17-bit activations
                Arguments.of("arith/arith_revin.onnx", new QuantOptions(8, Map.of(), minmax, true, 16, 8, 0, nearest, true)),
                Arguments.of("models/itransformer_n24_d16_m1.onnx", new QuantOptions(8, Map.of(), minmax, true, 16, 8, 0, nearest, true)),
                // activations wider than weights
                Arguments.of("models/patchtst_n24_d16_m1.onnx", new QuantOptions(8, Map.of(), minmax, true, 16, 12, 0, nearest)),
                Arguments.of("models/tt4ts_n12_d16_m1.onnx", new QuantOptions(4, Map.of(), minmax, true, 16, 16, 0, nearest)),
                // one scale per tensor, an 8-bit forecast, a range margin, percentile ranges
                Arguments.of("models/ref_n12_d16_m3.onnx", new QuantOptions(8, Map.of(), minmax, false, 8, 8, 0.2, nearest)),
                Arguments.of("encdec/encdec.onnx", new QuantOptions(6, Map.of(), QuantOptions.RangeMethod.PERCENTILE, true, 8, 6, 0, nearest)));
    }

    @ParameterizedTest
    @MethodSource("otherOptions")
    void emulatedProgramEqualsTheIntegerInterpreterWithOtherOptions(String name, QuantOptions options) {
        TestModels.Quantized q = TestModels.quantize(name, TestModels.load(name), options, 1, 1);
        for (int lanes : LANES) {
            Program p = ScheduleProgram.run(q.model(), lanes, RTL);
            for (int k = 0; k < q.windows().size(); k++) agrees(q.name() + ", " + lanes + " lanes, window " + k, p, q.model().graph(), q.windows().get(k), k == 0);
        }
    }

    /** The emulator's output is the interpreter's, its layer checks hold, its cycles are the prediction. */
    static void agrees(String what, Program p, org.tfq.ir.Graph g, IntTensor input, boolean layers) {
        Map<String, IntTensor> golden = IntInterpreter.runAll(g, input);
        EngineEmulator.Run run;
        try {
            run = EngineEmulator.run(p, input.data(), layers);
        } catch (EmulationException e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
        if (layers) {
            String wrong = firstWrongCheck(p, run, golden);
            if (wrong != null) fail(what + ": " + wrong);
        }
        assertArrayEquals(golden.get(g.outputs().get(0).name()).data(), run.output(), what);
        assertEquals(p.predictedCycles(), run.cycles(), what + ": cycles");
        for (int pc = 0; pc < run.instructionCycles().length; pc++) {
            assertEquals(p.instructions().get(pc).cycles(), run.instructionCycles()[pc], what + ": cycles of instruction " + pc);
        }
    }

    /** The first layer check whose value differs from the interpreter's, described, or null. */
    static String firstWrongCheck(Program p, EngineEmulator.Run run, Map<String, IntTensor> golden) {
        for (Program.Check c : p.checks()) {
            long[] mem = (c.output() ? run.outputsAtFetch() : run.activationsAtFetch()).get(c.pc());
            long[] want = golden.get(c.value()).data();
            for (int i = 0; i < c.count(); i++) {
                if (mem[(int) c.base() + i] != want[i]) {
                    Instruction last = p.instructions().get(c.pc() - 1);
                    return "value " + c.value() + " (node " + c.node() + ", before instruction " + c.pc() + ", after " + last.kind() + " "
                            + last.node() + ") differs at element " + i + ": " + mem[(int) c.base() + i] + ", interpreter " + want[i];
                }
            }
        }
        return null;
    }
}
