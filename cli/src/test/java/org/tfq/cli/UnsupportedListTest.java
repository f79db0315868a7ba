package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PyTorch export with several different unsupported constructs, one downstream of another:
 * inspect, evaluate and compile each list every one (one line per node, with why and what to
 * do), exit 1 and write nothing.
 */
class UnsupportedListTest {

    @TempDir
    Path tmp;

    private static final List<String> EXPECTED = List.of(
            "node '/Einsum' (op Einsum, domain ai.onnx, opset 17): Einsum with 3 operands is not supported; tfq supports two",
            "node '/Floor' (op Floor, domain ai.onnx, opset 17): operator not supported by tfq",
            "node '/Sin' (op Sin, domain ai.onnx, opset 17): operator not supported by tfq; express it with the operators",
            "node '/CumSum' (op CumSum, domain ai.onnx, opset 17): operator not supported by tfq");

    @Test
    void everyUnsupportedNodeIsListedByEachCommand() {
        Path model = Cli.root().resolve("testdata/idioms/unsupported_mix.onnx");
        Path x = Cli.root().resolve("testdata/idioms/softmax_written_out.inputs.npy");
        Path out = tmp.resolve("out");
        List<Cli> runs = List.of(Cli.run("inspect", model.toString()),
                Cli.run("evaluate", model.toString(), "--inputs", x.toString()),
                Cli.run("compile", model.toString(), "-o", out.toString(), "--bits", "8", "--calibration", x.toString()));
        for (Cli r : runs) {
            assertEquals(1, r.exit(), r.err());
            r.assertNoStackTrace();
            for (String line : EXPECTED) assertTrue(r.err().contains(line), line + " missing from:\n" + r.err());
            assertTrue(r.err().contains("4 node(s) not supported; nothing was written"), r.err());
            assertEquals(EXPECTED.size(), r.err().lines().filter(l -> l.contains("unsupported_mix.onnx: node")).count(), r.err());
        }
        assertFalse(Files.exists(out), "compile wrote " + out);
    }
}
