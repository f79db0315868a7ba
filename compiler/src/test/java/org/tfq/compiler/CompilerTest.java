package org.tfq.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.resources.LaneChooser;
import org.tfq.passes.resources.ResourceModel;
import org.tfq.passes.schedule.Program;
import org.tfq.verilog.EngineGenerator;
import org.tfq.vivado.VivadoOptions;

/** The stages end to end on a testdata model: the lane choice's program is the one generated, and what each record holds. */
class CompilerTest {

    @TempDir
    Path dir;

    private static Quantized ref(Compiler c) {
        Path m = DumpIrTest.root().resolve("testdata/models/ref_n12_d16_m3.onnx");
        ImportResult r = c.importModel(m, new ImportOptions(1));
        Path cal = m.resolveSibling("ref_n12_d16_m3.calibration.npy");
        return c.quantize(r, new QuantOptions(8, Map.of(), QuantOptions.RangeMethod.MINMAX, true), true,
                SampleFiles.inputs(Npy.read(cal), r.inputs().get(0), cal));
    }

    private static Target target(String part, double maxUtilization, Integer lanes) {
        return new Target(VivadoOptions.defaults().withPart(part), maxUtilization, lanes, EngineGenerator.Activations.AUTO);
    }

    @Test
    void theChosenLaneCountsProgramIsTheOneScheduledAndGenerated() {
        Compiler c = new Compiler();
        Quantized q = ref(c);
        Scheduled s = c.schedule(q, target("xc7s15ftgb196-1", 80, null));
        assertTrue(s.choice().auto() && s.fits());
        assertEquals(s.choice().lanes(), s.program().lanes());
        assertEquals(s.choice().chosen().cycles(), s.program().predictedCycles());
        // the estimate is of this program: the resource model on it again gives the same total
        assertEquals(ResourceModel.estimate(s.program(), ResourceModel.ActivationMemory.AUTO).total(), s.estimate().total());
        // scheduling is deterministic: the program at the chosen lane count, made again, is the same program
        Program again = c.program(q.model(), s.program().lanes());
        assertEquals(again.instructions().stream().map(i -> i.kind() + " " + i.node() + " " + i.cycles()).toList(),
                s.program().instructions().stream().map(i -> i.kind() + " " + i.node() + " " + i.cycles()).toList());
        assertEquals(again.predictedCycles(), s.program().predictedCycles());
        // the faster candidates that were rejected did not fit
        for (LaneChooser.Candidate other : s.choice().candidates()) {
            if (other.cycles() < s.program().predictedCycles()) assertFalse(other.fits(), other.lanes() + " lanes");
        }

        Generated g = c.generate(s, new Testbench(null, 2, false, false, "test"), dir.resolve("rtl"), dir.resolve("sim"));
        assertSame(s, g.scheduled());
        assertEquals(EngineGenerator.TOP, g.top());
        assertTrue(Files.isRegularFile(dir.resolve("rtl").resolve(g.verilog().get(0))));
        assertTrue(g.vivado().containsKey("vivado/build.tcl") && g.vivado().containsKey("Makefile"), g.vivado().keySet().toString());
        assertEquals(2, g.vectors());
        Map<String, Object> report = ReportJson.report(g, null, null, "test", null);
        assertEquals(List.of("model", "tfq_version", "input", "output", "macs_per_inference", "parameters", "layers", "part", "clock_mhz",
                "resource_model", "hardware", "cycles_per_inference"), List.copyOf(report.keySet()));
        assertEquals(s.program().predictedCycles(), report.get("cycles_per_inference"));
    }

    @Test
    void aGivenLaneCountIsBuiltEvenWhenItDoesNotFitAndNoneFittingIsAnError() {
        Compiler c = new Compiler();
        Quantized q = ref(c);
        Scheduled three = c.schedule(q, target("xc7s15ftgb196-1", 10, 3));
        assertEquals(3, three.program().lanes());
        assertFalse(three.choice().auto() || three.fits());
        NoLaneCountFits e = assertThrows(NoLaneCountFits.class, () -> c.schedule(q, target("xc7s6cpga196-1", 10, null)));
        assertEquals("no lane count fits xc7s6cpga196-1", e.getMessage());
        assertEquals(LaneChooser.CANDIDATES.length, e.choice().candidates().size());
        assertTrue(e.choice().candidates().stream().noneMatch(LaneChooser.Candidate::fits));
    }
}
