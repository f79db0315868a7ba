package org.tfq.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.SampleFiles;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.io.Npy;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.resources.Capacity;

/** The mixed-precision search against a made-up RMSE, and stopping a sweep (what Ctrl-C does). */
class ExploreSweepTest {

    static Path model(String file) {
        return Path.of(System.getProperty("tfq.root", "..")).resolve("testdata/models").resolve(file);
    }

    static ImportResult ref() {
        return new Compiler().importModel(model("ref_n12_d16_m3.onnx"), new ImportOptions(1));
    }

    @Test
    void layersAreLinearModulesLargestFirst() {
        assertEquals(List.of("/ff1", "/ff2", "/k", "/o", "/q", "/v", "/inp", "/out"), MixedPrecision.layers(ref().graph()));
    }

    /**
     * RMSE = 1 + the cost of each narrowed layer: /ff1 tolerates 4 bits, /ff2 only 6, /k nothing,
     * the rest cost 0.02 at 4 bits and 0.01 at 6, so only the first of them fits in what is left of the bound.
     */
    @Test
    void greedySearchKeepsTheNarrowestWidthWithinTheBound() {
        Map<String, Map<Integer, Double>> cost = Map.of(
                "/ff1", Map.of(4, 0.05, 6, 0.01),
                "/ff2", Map.of(4, 0.50, 6, 0.02),
                "/k", Map.of(4, 0.90, 6, 0.90));
        List<SortedMap<String, Integer>> tried = new ArrayList<>();
        MixedPrecision.Result r = MixedPrecision.search(ref().graph(), List.of(8, 4, 6), 1.095, bitsFor -> {
            tried.add(bitsFor);
            double rmse = 1;
            for (Map.Entry<String, Integer> e : bitsFor.entrySet()) rmse += cost.getOrDefault(e.getKey(), Map.of(4, 0.02, 6, 0.01)).get(e.getValue());
            return rmse;
        });
        assertEquals(8, r.baseBits());
        // 1 + 0.05 (/ff1=4) + 0.02 (/ff2=6) + 0.02 (/o=4) = 1.09; then any further layer, even at 6 bits, passes 1.095
        assertEquals(new TreeMap<>(Map.of("/ff1", 4, "/ff2", 6, "/o", 4)), r.bitsFor());
        assertEquals(1.09, r.rmse(), 1e-9);
        assertEquals(Collections.emptySortedMap(), tried.get(0), "the uniform width first");
        long kept = r.steps().stream().filter(MixedPrecision.Step::kept).count();
        assertEquals(3, kept);
        assertTrue(r.steps().stream().allMatch(s -> s.kept() == (s.rmse() <= 1.095)));
    }

    /** A sweep stopped after its first row delivers no more rows and returns. */
    @Test
    void stoppedSweepKeepsWhatFinished() {
        ImportResult r = ref();
        FloatTensor x = SampleFiles.inputs(Npy.read(model("ref_n12_d16_m3.inputs.npy")), r.inputs().get(0), model("ref_n12_d16_m3.inputs.npy"));
        float[] t = SampleFiles.targets(Npy.read(model("ref_n12_d16_m3.targets.npy")), x.shape().dim(0), r.outputs().get(0),
                model("ref_n12_d16_m3.targets.npy"));
        Path calibration = model("ref_n12_d16_m3.calibration.npy");
        FloatTensor cal = SampleFiles.inputs(Npy.read(calibration), r.inputs().get(0), calibration);
        Compiler compiler = new Compiler();
        ExploreSweep.Quantizer widths = (b, bitsFor) -> compiler.quantize(r, new QuantOptions(b, bitsFor, QuantOptions.RangeMethod.MINMAX, true),
                true, cal);
        ExploreSweep sweep = new ExploreSweep(new ExploreSweep.Setup(compiler, r, x, t, 0.04, widths, Capacity.XC7S15, 0.8, 100),
                new int[] {1, 2, 4, 8, 16},
                List.of("bram", "lutram"), 2);
        List<ExploreRow> rows = Collections.synchronizedList(new ArrayList<>());
        MixedPrecision.Result mixed = sweep.run(List.of(4, 6, 8), 5.0, row -> {
            rows.add(row);
            sweep.stop();
        });
        assertTrue(sweep.stopped());
        assertNull(mixed);
        int delivered = rows.size();
        assertTrue(delivered >= 1 && delivered <= 4, delivered + " rows"); // one lane count's rows per thread at most
        assertTrue(delivered < sweep.expected());
    }
}
