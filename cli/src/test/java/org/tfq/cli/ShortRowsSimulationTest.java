package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tfq.verilog.Icarus;
import org.tfq.verilog.Simulator;
import org.tfq.verilog.Verilator;

/**
 * Softmax and LayerNorm rows of 1, 2 and 3 elements (testdata/rows, from make_row_models.py), at
 * every lane count, bit-exact in Icarus and Verilator with every layer checked and cycles as
 * predicted. A row shorter than the row pipelines' depth used to read its exponential before
 * phase 1 had written it (iTransformer over one variate: every attention row has one element).
 */
class ShortRowsSimulationTest {

    static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        for (int length = 1; length <= 3; length++) {
            for (int lanes : new int[] {1, 2, 4, 8, 16, 32}) c.add(new Object[] {length, lanes});
        }
        return c;
    }

    @ParameterizedTest(name = "rows of {0}, {1} lanes")
    @MethodSource("cases")
    void bitExactInBothSimulators(int length, int lanes, @TempDir Path dir) throws IOException {
        Path model = Cli.root().resolve("testdata/rows/rows_L" + length + ".onnx");
        assertTrue(Files.isRegularFile(model), "missing " + model + " (regenerate with testdata/make_row_models.py)");
        SimulatedDesign d = SimulatedDesign.compile(dir.resolve("out"), List.of(model.toString(), "--lanes", Integer.toString(lanes),
                "--vectors", "2", "--check-layers", "--bits", "8", "--calibration",
                model.resolveSibling("rows_L" + length + ".calibration.npy").toString()));
        for (Simulator s : new Simulator[] {new Icarus(), new Verilator()}) d.assertBitExactAndOnTime(s, 2, Duration.ofMinutes(5), s + ": ");
    }
}
