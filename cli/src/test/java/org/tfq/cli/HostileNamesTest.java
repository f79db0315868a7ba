package org.tfq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tfq.ir.io.Json;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.verilog.Lint;

/**
 * A model whose graph, node and tensor names are paths, Verilog keywords, Tcl commands, comment
 * ends, format characters and newlines compiles to lint-clean Verilog, a testbench Icarus
 * parses, Tcl that tclsh sources and JSON that parses; nothing is written outside OUTDIR and no
 * file is named after the model's names.
 */
class HostileNamesTest {

    @TempDir
    Path tmp;

    /** Each a way a name could break out of where tfq puts it. */
    static final List<String> HOSTILE = List.of("../../etc/x", "a b", "module", "wire", "[exec rm -rf /]", "$x", "*/", "`define X",
            "\"); $finish; //", "\\", "%d%s", "x\nendmodule\nmodule evil;", "/* open", "}; exec touch pwned; {", "a|b`c", "\u00e9\u0000\t",
            "/abs/path", "..", "endmodule", "$(touch pwned)");

    @Test
    void hostileNamesCompileToCleanVerilogTclAndJson() throws IOException, InterruptedException {
        Path model = tmp.resolve("models/hostile.onnx");
        Files.createDirectories(model.getParent());
        Files.write(model, renamed(ModelProto.parseFrom(Files.readAllBytes(Cli.model("qat_n12_d16_m3_b4_qcdq.onnx")))).toByteArray());
        Path parent = Files.createDirectories(tmp.resolve("parent"));
        Set<String> before = tree(tmp);
        Path out = parent.resolve("out");
        Cli c = Cli.run("compile", model.toString(), "-o", out.toString(), "--lanes", "4", "--vectors", "2", "--interface", "spi",
                "--check-layers");
        assertEquals(0, c.exit(), c.err());

        // nothing outside OUTDIR, and OUTDIR's files are tfq's own names
        Set<String> after = tree(tmp);
        after.removeAll(before);
        after.remove("parent/.out.lock"); // the lock of OUTDIR, beside it by design (OutputLock)
        for (String p : after) assertTrue(p.startsWith("parent/out"), "written outside OUTDIR: " + p);
        for (String p : after) assertTrue(p.matches("[A-Za-z0-9_./-]+") && !p.contains(".."), "a file named from the model: " + p);
        // the names did reach the output (a test whose names are dropped on import would prove nothing)
        String report = Files.readString(out.resolve("report.json"));
        // (control characters, the newline among them, are cleaned as the model is read: ModelStrings)
        assertTrue(report.contains("[exec rm -rf /]") && report.contains("x_endmodule_module evil;"), report);
        assertTrue(Json.read(report) instanceof Map, "report.json parses");
        String top = Files.readString(out.resolve("rtl/tfq_top.v"));
        assertTrue(Stream.of("[exec rm -rf /]", "../../etc/x", "}; exec touch pwned; {", "$(touch pwned)", "a b").anyMatch(top::contains),
                "no node name in the program comments of tfq_top.v");

        @SuppressWarnings("unchecked")
        List<String> rtl = (List<String>) ((Map<String, Object>) ((Map<String, Object>) Json.read(report)).get("hardware")).get("rtl");
        List<Path> sources = new ArrayList<>();
        for (String f : rtl) sources.add(out.resolve("rtl").resolve(f));
        for (String t : List.of("tfq_top", "tfq_spi_top")) {
            List<String> warnings = Lint.verilatorLintWall(sources, t, Map.of());
            assertTrue(warnings.isEmpty(), t + ":\n" + String.join("\n", warnings));
        }
        String iverilog = VivadoOutputTest.tool("iverilog");
        for (String tb : List.of("tb_tfq", "tb_tfq_spi")) {
            List<String> cmd = new ArrayList<>(List.of(iverilog, "-g2001", "-s", tb, "-o", tmp.resolve(tb + ".vvp").toString(),
                    out.resolve("sim/" + tb + ".v").toString()));
            sources.forEach(s -> cmd.add(s.toString()));
            VivadoOutputTest.Run r = VivadoOutputTest.run(tmp, cmd);
            assertEquals(0, r.exit(), tb + ":\n" + r.output());
        }
        String tclsh = VivadoOutputTest.tool("tclsh");
        List<Path> tcl;
        try (Stream<Path> s = Files.walk(out)) {
            tcl = s.filter(p -> p.toString().endsWith(".tcl") || p.toString().endsWith(".xdc")).sorted().toList();
        }
        assertFalse(tcl.isEmpty());
        for (Path f : tcl) {
            VivadoOutputTest.Stubbed r = VivadoOutputTest.sourceWithVivadoStubs(tclsh, tmp, f);
            assertEquals(0, r.run().exit(), f + "\n" + r.run().output());
            assertFalse(r.calls().contains("exec") || r.calls().contains("touch"), f + " ran a command from a name: " + r.calls());
        }
        assertFalse(Files.exists(tmp.resolve("pwned")) || Files.exists(out.resolve("pwned")));
        // the IR dumps: one line per value, whatever the names hold, and they read back
        for (String dump : List.of("ir.txt", "float-ir.txt")) {
            for (String line : Files.readAllLines(out.resolve(dump))) {
                assertTrue(line.startsWith("graph ") || line.startsWith("  ") || line.equals("}") || line.equals("ops {"),
                        "forged line in " + dump + ": " + line);
            }
            String text = Files.readString(out.resolve(dump));
            assertEquals(text, org.tfq.ir.TextDump.of(org.tfq.ir.TextParser.parse(text)), dump);
        }
    }

    @Test
    void aHostileNameInAnErrorStaysOnItsLine() throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(Cli.model("qat_n12_d16_m3_b4_qcdq.onnx")));
        GraphProto.Builder g = m.getGraph().toBuilder();
        g.setNode(3, g.getNode(3).toBuilder().setName("x\ntfq: error: forged").setOpType("Foo\nBar"));
        Path model = Files.write(tmp.resolve("one.onnx"), m.toBuilder().setGraph(g).build().toByteArray());
        Cli c = Cli.run("inspect", model.toString());
        assertEquals(1, c.exit(), c.err());
        // one line a problem, then the count: no line is the rest of a name
        List<String> lines = c.err().strip().lines().toList();
        for (String l : lines) assertTrue(l.contains(": node '") || l.contains("node(s) not supported"), "a name broke the line:\n" + c.err());
        assertTrue(lines.get(0).contains("node 'x_tfq: error: forged' (op Foo_Bar"), c.err());
    }

    /** The model with every graph, node and tensor name replaced by a hostile one, consistently. */
    static ModelProto renamed(ModelProto m) {
        Map<String, String> names = new LinkedHashMap<>();
        UnaryOperator<String> rename = n -> n.isEmpty() ? n : names.computeIfAbsent(n, k -> {
            int i = names.size();
            return HOSTILE.get(i % HOSTILE.size()) + (i < HOSTILE.size() ? "" : " " + i);
        });
        GraphProto.Builder g = m.getGraph().toBuilder().setName("graph */ [exec x] \n");
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto.Builder n = g.getNode(i).toBuilder();
            n.setName(rename.apply("node:" + n.getName()));
            for (int k = 0; k < n.getInputCount(); k++) n.setInput(k, rename.apply(n.getInput(k)));
            for (int k = 0; k < n.getOutputCount(); k++) n.setOutput(k, rename.apply(n.getOutput(k)));
            g.setNode(i, n);
        }
        for (int i = 0; i < g.getInitializerCount(); i++) g.setInitializer(i, g.getInitializer(i).toBuilder().setName(rename.apply(g.getInitializer(i).getName())));
        for (int i = 0; i < g.getInputCount(); i++) g.setInput(i, g.getInput(i).toBuilder().setName(rename.apply(g.getInput(i).getName())));
        for (int i = 0; i < g.getOutputCount(); i++) g.setOutput(i, g.getOutput(i).toBuilder().setName(rename.apply(g.getOutput(i).getName())));
        for (int i = 0; i < g.getValueInfoCount(); i++) g.setValueInfo(i, g.getValueInfo(i).toBuilder().setName(rename.apply(g.getValueInfo(i).getName())));
        return m.toBuilder().setGraph(g).build();
    }

    /** Every path below {@code root}, relative, with / separators. */
    private static Set<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            Set<String> r = new TreeSet<>();
            s.filter(p -> !p.equals(root)).forEach(p -> r.add(root.relativize(p).toString().replace('\\', '/')));
            return r;
        }
    }
}
