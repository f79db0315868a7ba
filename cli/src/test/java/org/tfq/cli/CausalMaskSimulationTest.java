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
 * Causal masks and an encoder-decoder (testdata/encdec, from make_encdec_models.py): TSLib's
 * masked_fill (Where), a float 0/-inf mask added to the scores, and a decoder with causal
 * self-attention and cross-attention over a longer encoder output; at 8 bits, several lane
 * counts, bit-exact in Icarus and Verilator with every layer checked, cycles as predicted, and the
 * RTL clean under {@code verilator --lint-only -Wall}.
 */
class CausalMaskSimulationTest {

    static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        for (String m : List.of("causal_where", "causal_add", "encdec")) {
            for (int lanes : new int[] {1, 4, 16}) c.add(new Object[] {m, lanes});
        }
        return c;
    }

    @ParameterizedTest(name = "{0}, {1} lanes")
    @MethodSource("cases")
    void bitExactInBothSimulators(String name, int lanes, @TempDir Path dir) throws IOException {
        Path model = Cli.root().resolve("testdata/encdec/" + name + ".onnx");
        assertTrue(Files.isRegularFile(model), "missing " + model + " (regenerate with testdata/make_encdec_models.py)");
        Path out = dir.resolve("out");
        SimulatedDesign d = SimulatedDesign.compile(out, List.of(model.toString(), "--lanes", Integer.toString(lanes), "--vectors", "2",
                "--check-layers", "--bits", "8", "--calibration", model.resolveSibling(name + ".calibration.npy").toString()));
        assertTrue(Files.readString(out.resolve("ir.txt")).contains("causal_diagonal=1"), "the mask reached the integer IR");
        for (Simulator s : new Simulator[] {new Icarus(), new Verilator()}) d.assertBitExactAndOnTime(s, 2, Duration.ofMinutes(5), s + ": ");
        d.assertLintClean();
    }
}
