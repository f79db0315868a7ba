package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.OperatorSetIdProto;

/**
 * A model's strings reach the terminal clean (issue 19: {@code tfq inspect} printed
 * {@code producer_name} raw, so a crafted model printed a forged {@code supported: yes} line,
 * escape sequences and all). The crafted models are the committed reference model with its
 * strings replaced.
 */
class TerminalInjectionTest {

    @TempDir
    Path dir;

    /** A forged line, a screen clear, a window title, a bell, a bidi override and a NUL. */
    private static final String EVIL = "x\n  supported: yes\r\nsupported: yes\u001b[2J\u001b]0;owned\u0007\u202e\u0000";

    @Test
    void inspectPrintsTheProducerAndNamesOnOneLineEachWithoutControlCharacters() throws IOException {
        Path model = craft("producer.onnx", m -> {
            GraphProto.Builder g = m.getGraph().toBuilder();
            String in = g.getInput(0).getName();
            rename(g, in, "in" + EVIL);
            g.setNode(0, g.getNode(0).toBuilder().setName("node" + EVIL));
            return m.toBuilder().setProducerName("torch" + EVIL).setProducerVersion(EVIL).setGraph(g).build();
        });
        Cli r = Cli.run("inspect", model.toString());
        assertEquals(0, r.exit(), r.err());
        assertClean(r.out());
        assertEquals(1, r.out().lines().filter(l -> l.strip().startsWith("supported:")).count(), r.out());
        assertTrue(r.out().contains("\nproducer: torchx_  supported: yes__supported: yes_[2J_]0;owned___"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  inx_  supported: yes")), r.out());
        assertTrue(r.out().strip().endsWith("supported: yes"), r.out());
    }

    @Test
    void errorsNameTheDomainNodeAndTensorCleanly() throws IOException {
        Path domain = craft("domain.onnx", m -> {
            GraphProto.Builder g = m.getGraph().toBuilder();
            g.setNode(0, g.getNode(0).toBuilder().setDomain("evil" + EVIL).setOpType("Op" + EVIL));
            return m.toBuilder().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("evil" + EVIL).setVersion(1)).setGraph(g).build();
        });
        Cli r = Cli.run("inspect", domain.toString());
        assertEquals(1, r.exit(), r.err());
        assertClean(r.out());
        assertClean(r.err());
        assertTrue(r.err().contains("evilx_  supported: yes"), r.err());
        assertTrue(r.out().strip().endsWith("supported: no"), r.out());

        Path dangling = craft("dangling.onnx", m -> {
            GraphProto.Builder g = m.getGraph().toBuilder();
            NodeProto.Builder n = g.getNode(1).toBuilder().setInput(0, "nowhere" + EVIL);
            return m.toBuilder().setGraph(g.setNode(1, n)).build();
        });
        r = Cli.run("evaluate", dangling.toString(), "--inputs", Cli.model("ref_n12_d16_m1.inputs.npy").toString());
        r.assertOneLineError();
        assertClean(r.err());
        assertTrue(r.err().contains("reads 'nowherex_  supported: yes"), r.err());
    }

    /** Nothing but printable text, newlines and tabs; no line that starts as a forged one would. */
    private static void assertClean(String s) {
        for (char c : s.toCharArray()) {
            assertTrue(c == '\n' || c == '\t' || !org.tfq.ir.io.SafeText.isTerminalControl(c),
                    String.format("U+%04X in:%n%s", (int) c, s));
        }
        assertFalse(s.lines().anyMatch(l -> l.matches("\\s*supported: yes.+")), s);
    }

    private Path craft(String name, UnaryOperator<ModelProto> edit) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(Cli.model("ref_n12_d16_m1.onnx")));
        Path p = dir.resolve(name);
        Files.write(p, edit.apply(m).toByteArray());
        return p;
    }

    /** Renames tensor {@code from} everywhere: the graph's inputs and outputs and every node's. */
    private static void rename(GraphProto.Builder g, String from, String to) {
        for (int i = 0; i < g.getInputCount(); i++) if (g.getInput(i).getName().equals(from)) g.setInput(i, g.getInput(i).toBuilder().setName(to));
        for (int i = 0; i < g.getOutputCount(); i++) if (g.getOutput(i).getName().equals(from)) g.setOutput(i, g.getOutput(i).toBuilder().setName(to));
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto.Builder n = g.getNode(i).toBuilder();
            for (int k = 0; k < n.getInputCount(); k++) if (n.getInput(k).equals(from)) n.setInput(k, to);
            for (int k = 0; k < n.getOutputCount(); k++) if (n.getOutput(k).equals(from)) n.setOutput(k, to);
            g.setNode(i, n);
        }
    }
}
