package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tfq.ir.io.Json;

/**
 * A folder of small construct exports under testdata/ (movement, pooling: each NAME.onnx with its
 * NAME.calibration.npy and NAME.inputs.npy), and what their tests read from a compile's report.
 */
record FixtureModels(String folder) {

    Path file(String name) {
        return Cli.root().resolve("testdata").resolve(folder).resolve(name);
    }

    /** The model stems, sorted. */
    List<String> stems() throws IOException {
        try (Stream<Path> s = Files.list(Cli.root().resolve("testdata").resolve(folder))) {
            List<String> m = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                    .map(n -> n.substring(0, n.length() - ".onnx".length())).sorted().toList();
            assertFalse(m.isEmpty(), "no models in testdata/" + folder);
            return m;
        }
    }

    /** Every model at 1, 4 and 8 lanes in both simulators. */
    List<Object[]> cases() throws IOException {
        List<Object[]> c = new ArrayList<>();
        for (String m : stems()) {
            for (int lanes : new int[] {1, 4, 8}) {
                for (String sim : new String[] {"verilator", "icarus"}) c.add(new Object[] {m, lanes, sim});
            }
        }
        return c;
    }

    /** The model at 8 bits, calibrated, at {@code lanes} lanes, two vectors, every layer checked. */
    SimulatedDesign compile(String stem, int lanes, Path out) throws IOException {
        return SimulatedDesign.compile(out, List.of(file(stem + ".onnx").toString(), "--bits", "8", "--calibration",
                file(stem + ".calibration.npy").toString(), "--lanes", Integer.toString(lanes), "--vectors", "2", "--check-layers"));
    }

    /** tfq evaluate at 8 bits, calibrated, as JSON. */
    String evaluate(String stem) {
        Cli c = Cli.run("evaluate", file(stem + ".onnx").toString(), "--inputs", file(stem + ".inputs.npy").toString(),
                "--bits", "8", "--calibration", file(stem + ".calibration.npy").toString(), "--json");
        org.junit.jupiter.api.Assertions.assertEquals(0, c.exit(), c.err());
        return c.out();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> program(Path out) throws IOException {
        Map<String, Object> report = (Map<String, Object>) Json.read(Files.readString(out.resolve("report.json")));
        return (List<Map<String, Object>>) ((Map<String, Object>) report.get("hardware")).get("program");
    }

    static Map<String, Object> instruction(List<Map<String, Object>> program, String node) {
        return program.stream().filter(i -> i.get("node").equals(node)).findFirst()
                .orElseThrow(() -> new AssertionError("no instruction " + node + " in " + program));
    }

    static long cycles(List<Map<String, Object>> program, String node) {
        return ((Number) instruction(program, node).get("cycles")).longValue();
    }

    static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Double.parseDouble(m.group(1));
    }
}
