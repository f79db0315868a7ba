package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed model, compiled to RTL and simulated: post-training quantized (QAT models at the
 * widths they were trained with). The simulator alternates between Icarus and Verilator, the lane
 * count rotates over 4, 8, 16 and 32 (at least 16 for the large bench models and 8 for d_model 32,
 * whose cycles would make Icarus slow) and the width over 4, 6 and 8 bits, so every model meets
 * one simulator at one width, and every width, lane count and simulator meets every kind of model.
 * Two vectors each, with every layer's buffer checked. Asserts zero mismatches, measured cycles
 * equal to the scheduler's prediction on every vector, and that the generated RTL passes
 * {@code verilator --lint-only -Wall}. Three more build activations wider than the 8-bit weights
 * (softmax, LayerNorm and GELU tables at 10 and 12 bits), with GPTQ-rounded weights and a range
 * margin. The exports of public model code ({@link PublicModels}) run at 8 bits.
 *
 * <p>The engine emulator checks every model's program at 4 and 8 bits and four lane counts without
 * a simulator (EngineEmulatorTest), so here each model runs once. {@code bench/simulate} runs the
 * whole sweep, {@code -Dtfq.simulate=all}: every model at 4, 6 and 8 bits and every export in
 * both simulators.
 */
class HardwareSimulationTest {

    static final int[] LANES = {4, 8, 16, 32};
    static final int[] WIDTHS = {8, 4, 6};

    static List<Object[]> cases() throws IOException {
        boolean all = "all".equals(System.getProperty("tfq.simulate"));
        List<Object[]> c = new ArrayList<>();
        try (Stream<Path> s = Files.list(Cli.root().resolve("testdata/models"))) {
            List<String> models = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted().toList();
            assertFalse(models.isEmpty());
            int i = 0;
            int exportIndex = 0;
            List<String> exports = PublicModels.names();
            for (String m : models) {
                if (exports.contains(m.substring(0, m.length() - ".onnx".length()))) {
                    // exports of public model code: at 8 bits, at a narrow engine in Icarus and a wide one in Verilator
                    if (all || exportIndex % 2 == 0) c.add(new Object[] {m, 8, m.contains("d32") ? 8 : 4, "icarus", ""});
                    if (all || exportIndex % 2 == 1) c.add(new Object[] {m, 8, 16, "verilator", ""});
                    exportIndex++;
                    continue;
                }
                int[] widths = m.startsWith("qat_") ? new int[] {0} : all ? new int[] {4, 6, 8} : new int[] {WIDTHS[i % WIDTHS.length]};
                for (int bits : widths) {
                    int lanes = LANES[i % LANES.length];
                    if (m.startsWith("bench_")) lanes = Math.max(lanes, 16) * (m.contains("d64") ? 2 : 1);
                    if (m.contains("d32")) lanes = Math.max(lanes, 8);
                    // the simulator turns every case and shifts every four, so each lane count meets both
                    c.add(new Object[] {m, bits, lanes, (i + i / LANES.length) % 2 == 0 ? "icarus" : "verilator", ""});
                    i++;
                }
            }
        }
        String wide = " --weight-rounding gptq --range-margin 5";
        c.add(new Object[] {"ref_n12_d16_m1.onnx", 8, 16, "icarus", "--activation-bits 12" + wide});
        c.add(new Object[] {"enc_d16_m1_h1_l1_bf_post_relu_o13.onnx", 8, 8, "verilator", "--activation-bits 12" + wide});
        c.add(new Object[] {"hand_d16_m1_h2_gelu_tanh_o17.onnx", 8, 8, "verilator", "--activation-bits 10" + wide});
        // a de-normalization tail at the output's width: 8-bit weights and encoder, 16-bit activation memory
        c.add(new Object[] {"patchtst_n24_d16_m1.onnx", 8, 8, "icarus", "--output-tail wide"});
        // a partial last tile (7 of 8 columns) whose unused lane shares a DSP48E1 with a used one (4-bit pairs): X-free in Icarus
        c.add(new Object[] {"itransformer_n24_d32_m7.onnx", 4, 8, "icarus", ""});
        // a memory plan: weights split between block RAM and a LUT ROM, parameters in a LUT ROM,
        // activations in LUT RAM (the XC7S15 at 8 lanes, as --lanes auto picks); 40,000 cycles, so Icarus in the sweep only
        if (all) c.add(new Object[] {"bench_n6_d64_m7.onnx", 8, 8, "icarus", ""});
        c.add(new Object[] {"bench_n6_d64_m7.onnx", 8, 8, "verilator", ""});
        return c;
    }

    @ParameterizedTest(name = "{0} at {1} bits, {2} lanes, {3} {4}")
    @MethodSource("cases")
    void bitExactAndOnTime(String file, int bits, int lanes, String simulator, String options, @TempDir Path dir) throws IOException {
        Path model = Cli.model(file);
        String stem = file.substring(0, file.length() - ".onnx".length());
        List<String> args = new ArrayList<>(List.of(model.toString(), "--lanes", Integer.toString(lanes), "--vectors", "2", "--check-layers"));
        if (bits > 0) {
            args.addAll(List.of("--bits", Integer.toString(bits), "--calibration",
                    model.resolveSibling(stem + ".calibration.npy").toString()));
        }
        if (!options.isEmpty()) args.addAll(List.of(options.split(" ")));
        SimulatedDesign d = SimulatedDesign.compile(dir.resolve("out"), args);
        d.assertBitExactAndOnTime(SimulatedDesign.simulator(simulator), 2, Duration.ofMinutes(10), "");
        if (simulator.equals("verilator")) d.assertLintClean();
    }
}
