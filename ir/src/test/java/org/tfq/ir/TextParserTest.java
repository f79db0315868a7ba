package org.tfq.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntSoftmax;
import org.tfq.ir.integer.Lut;
import org.tfq.ir.integer.Requantizer;
import org.tfq.ir.op.AddConstant;
import org.tfq.ir.op.CausalMask;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.IntLayerNormOp;
import org.tfq.ir.op.IntLinear;
import org.tfq.ir.op.IntSoftmaxOp;
import org.tfq.ir.op.IntTableOp;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.Relu;
import org.tfq.ir.op.Softmax;
import org.tfq.ir.op.StridedView;
import org.tfq.ir.op.Transpose;
import org.tfq.ir.op.UnaryFunction;

class TextParserTest {

    /** The graph read back equals the graph written: names, types, ops, node names, in order. */
    static void assertSameGraph(Graph expected, Graph actual) {
        assertEquals(expected.name(), actual.name());
        assertEquals(expected.inputs(), actual.inputs());
        assertEquals(expected.outputs(), actual.outputs());
        assertEquals(expected.nodes().size(), actual.nodes().size());
        for (int i = 0; i < expected.nodes().size(); i++) assertEquals(expected.nodes().get(i), actual.nodes().get(i), "node " + i);
    }

    private static Graph roundTrip(Graph g) {
        String text = TextDump.of(g);
        Graph back = TextParser.parse(text);
        assertSameGraph(g, back);
        assertEquals(text, TextDump.of(back));
        return back;
    }

    private static Node node(String name, org.tfq.ir.op.Op op, Value out, Value... in) {
        return new Node(name, op, List.of(in), out);
    }

    /** A float graph whose ops hold what only the payload can carry: per-channel scales, NaN, infinities, -0. */
    static Graph floatGraph() {
        Value x = new Value("x", TensorType.f32(2, 3));
        FloatTensor w = new FloatTensor(Shape.of(4, 3), new float[] {0.1f, -0.2f, 1e-30f, 3e30f, Float.MIN_VALUE, -0f, 1f / 3, 2, 0.3f, 7e-8f, 123456.79f, -1});
        QuantSpec wq = new QuantSpec(new double[] {0.1, 1.0 / 3, 1e-300, 2}, new long[] {0, 1, -2, 3}, 0, 8, true, -127, 127);
        Value lin = new Value("a b, (c)", TensorType.f32(2, 4));
        Value c = new Value("plus", TensorType.f32(2, 4));
        FloatTensor k = new FloatTensor(Shape.of(2, 4), new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0, 1, -1, 0.5f});
        Value fq = new Value("fq", TensorType.f32(2, 4));
        Value sm = new Value("sm", TensorType.f32(2, 4));
        Value t = new Value("t", TensorType.f32(4, 2));
        Value win = new Value("win", TensorType.f32(4, 1, 2));
        Value r = new Value("\"quoted\"\nnew line\u00e9", TensorType.f32(4, 1, 2));
        Value s = new Value("sqrt", TensorType.f32(4, 1, 2));
        return new Graph("g \u2028 name", List.of(x), List.of(s), List.of(
                node("/lin/MatMul", new Linear(w, new FloatTensor(Shape.of(4), new float[] {1, 2, 3, 4}), wq), lin, x),
                node("plus", new AddConstant(k), c, lin),
                node("", new FakeQuant(QuantSpec.perTensor(0.0228207122, -5, 8, true)), fq, c),
                node("softmax # not a comment", new Softmax(1, new CausalMask(1)), sm, fq),
                node("t", new Transpose(new int[] {1, 0}), t, sm),
                node("w", StridedView.window(Shape.of(4, 2), 1, 2, 1, 1), win, t),
                node("r", new Relu(), r, win),
                node("\"q", new UnaryFunction(UnaryFunction.Kind.SQRT), s, r))).verify();
    }

    static Graph intGraph() {
        IntType in = new IntType(8, true, 0.0228207122, -5);
        IntType mid = new IntType(8, true, 0.1 / 3, 7);
        IntType prob = new IntType(8, false, 1.0 / 255, 0);
        IntType g = new IntType(8, true, 0.05, -10);
        IntType ln = new IntType(16, true, 6.021079e-05, -7729);
        Value x = new Value("input", new TensorType(Shape.of(1, 3, 2), in));
        IntTensor w = new IntTensor(Shape.of(3, 2), new long[] {1, -2, 127, -128, 0, 5});
        IntTensor rows = new IntTensor(Shape.of(3, 3), new long[] {1, 2, 3, -4, -5, -6, 7, 8, 9});
        List<Requantizer> rq = List.of(Requantizer.of(0.01, mid), Requantizer.of(0.02, mid), Requantizer.of(1e-3, mid));
        Value y = new Value("y", new TensorType(Shape.of(1, 3, 3), mid));
        Value p = new Value("p", new TensorType(Shape.of(1, 3, 3), prob));
        Value q = new Value("q", new TensorType(Shape.of(1, 3, 3), g));
        Value n = new Value("n", new TensorType(Shape.of(1, 3, 3), ln));
        return new Graph("int", List.of(x), List.of(n), List.of(
                node("lin", IntLinear.of(w, new long[] {10, -20, 30}, rows, rq, true, in, mid), y, x),
                node("sm", new IntSoftmaxOp(2, mid, IntSoftmax.of(mid.scale(), 8, 3, prob), prob, new CausalMask(1)), p, y),
                node("gelu", new IntTableOp("gelu", prob, Lut.gelu(prob, g, false), g), q, p),
                node("ln", new IntLayerNormOp(g, IntLayerNorm.of(g, new double[] {1, 0.5, -2}, new double[] {0, 0.1, -0.3}, 1e-5, ln), -1, ln),
                        n, q))).verify();
    }

    @Test
    void aFloatGraphReadsBackEqualAndPrintsTheSame() {
        Graph back = roundTrip(floatGraph());
        FloatTensor x = new FloatTensor(Shape.of(2, 3), new float[] {0.5f, -1, 2, 0, 0.25f, 3});
        // NaN in the constant: compare bit patterns, which Arrays.equals does
        assertEquals(FloatInterpreter.run(floatGraph(), x), FloatInterpreter.run(back, x));
    }

    @Test
    void anIntegerGraphReadsBackEqualAndComputesTheSameCodes() {
        Graph g = intGraph();
        Graph back = roundTrip(g);
        IntTensor x = new IntTensor(Shape.of(1, 3, 2), new long[] {-128, 127, 0, 5, -5, 60});
        assertEquals(IntInterpreter.run(g, x), IntInterpreter.run(back, x));
        assertNotSame(g.nodes().get(1).op(), back.nodes().get(1).op());
    }

    @Test
    void theNodeLinesStayReadableAndTheScalesExact() {
        String text = TextDump.of(intGraph());
        assertTrue(text.startsWith("graph int {\n  input %input : i8(s=0.0228207122,z=-5)[1,3,2]\n"), text);
        assertTrue(text.contains("\n  %y = int_linear(%input) {in=2, out=3, row_bias=int[3,3], w_bits=8, acc_bits=16, requant=per-channel, relu=true}"
                + " : i8(s=0.03333333333333333,z=7)[1,3,3]  # lin\n"), text);
        assertTrue(text.contains("\n}\nops {\n") && text.contains("\n  %y = IntLinear {\n    weight = {shape=[3,2], data=[1,-2,127,-128,0,5]}\n"),
                text);
        String floats = TextDump.of(floatGraph());
        assertTrue(floats.contains("data=[nan,inf,-inf,-0.0,0.0,1.0,-1.0,0.5]"), floats);
        assertTrue(floats.contains("  %\"a b, (c)\" = linear(%x)"), floats);
        assertTrue(floats.contains("  # softmax # not a comment\n"), floats);
        assertTrue(floats.startsWith("graph \"g \\u2028 name\" {\n"), floats);
        for (String line : floats.split("\n")) assertTrue(line.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f), line);
    }

    @Test
    void numbersAreTheShortestThatReadBackExactly() {
        assertEquals("0.1", Fmt.exact(0.1));
        assertEquals("0.1", Fmt.exact(0.1f));
        assertEquals("0.10000000149011612", Fmt.exact((double) 0.1f));
        assertEquals("1.0e-300", Fmt.exact(1e-300));
        assertEquals("5.0e-324", Fmt.exact(Double.MIN_VALUE)); // Java writes 4.9E-324: a digit more than needed
        assertEquals("1.0e-45", Fmt.exact(Float.MIN_VALUE));
        assertEquals("123456790.0", Fmt.exact(123456.79f * 1000));
        assertEquals("1.0e9", Fmt.exact(1e9));
        assertEquals("0.0001", Fmt.exact(1e-4));
        assertEquals("1.0e-5", Fmt.exact(1e-5));
        assertEquals("-0.0", Fmt.exact(-0.0));
        Random r = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            // every bit pattern, then what weights and scales look like
            double d = i < 2_000 ? Double.longBitsToDouble(r.nextLong()) : r.nextGaussian() * Math.scalb(1.0, r.nextInt(20) - 15);
            float f = i < 2_000 ? Float.intBitsToFloat(r.nextInt()) : (float) d;
            if (Double.isNaN(d) || Float.isNaN(f)) continue;
            assertEquals(d, Fmt.parseExact(Fmt.exact(d)), Fmt.exact(d));
            assertEquals(f, Fmt.parseExactFloat(Fmt.exact(f)), Fmt.exact(f));
            // never longer than Java's own round-trip digits
            assertTrue(digits(Fmt.exact(d)) <= digits(Double.toString(d)), d + " " + Fmt.exact(d));
            assertTrue(digits(Fmt.exact(f)) <= digits(Float.toString(f)), f + " " + Fmt.exact(f));
        }
    }

    private static int digits(String s) {
        String m = s.toLowerCase().split("e")[0].replace("-", "").replace(".", "").replaceAll("^0+", "").replaceAll("0+$", "");
        return Math.max(1, m.length());
    }

    /** Every op, including those no test model holds yet, has a text form: a record, or tfq's value class with its constructor. */
    @Test
    void everyOpCanBeWritten() {
        java.util.List<Class<?>> ops = new java.util.ArrayList<>();
        java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>(List.of(org.tfq.ir.op.Op.class));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c.isInterface()) todo.addAll(List.of(c.getPermittedSubclasses()));
            else if (!ops.contains(c)) ops.add(c);
        }
        assertTrue(ops.size() > 30, ops.toString());
        for (Class<?> c : ops) {
            assertTrue(c.isRecord(), c + " is a record");
            for (RecordCodec.Part p : RecordCodec.layout(c).parts()) {
                Class<?> t = RecordCodec.raw(p.type());
                while (t.isArray()) t = t.getComponentType();
                if (t.getName().startsWith("org.tfq.") && !t.isInterface() && !t.isEnum() && t != Shape.class) RecordCodec.layout(t);
            }
        }
    }

    private static void assertError(String text, String expected) {
        IrException e = assertThrows(IrException.class, () -> TextParser.parse(text));
        assertTrue(e.getMessage().startsWith(expected), "message: " + e.getMessage() + "\nexpected: " + expected);
    }

    @Test
    void malformedTextIsRefusedWithItsLine() {
        String good = TextDump.of(intGraph());
        String[] lines = good.split("\n");
        assertError("", "line 1: the text ends, expected 'graph NAME {'");
        assertError("graf int {\n", "line 1: expected 'graph NAME {': 'graph '");
        assertError(good.replace("\n}\nops {", "\nops {"), "line ");
        assertError(good.substring(0, good.indexOf("ops {")), "line " + (indexOf(lines, "ops {") + 1)
                + ": the text ends, expected the ops section");
        int y = indexOf(lines, "  %y = int_linear(");
        assertError(good.replace("(s=0.0228207122,z=-5)[1,3,2]\n", "(s=0.0228207122,z=-5)[1,3,4]\n"), "line " + (y + 1) + ": int_linear:");
        assertError(good.replace("int_linear(%input)", "int_linear(%nowhere)"), "line " + (y + 1) + ": input %nowhere is not defined before use");
        assertError(good.replace("int_linear(%input)", "int_matmul(%input)"), "line " + (y + 1) + ": the op is int_matmul but %y's entry");
        assertError(good.replace("relu=true}", "relu=false}"), "line " + (y + 1) + ": the attributes differ from %y's entry in the ops section");
        assertError(good.replace("z=7)[1,3,3]  # lin", "z=8)[1,3,3]  # lin"), "line " + (y + 1) + ": result declared");
        int w = indexOf(lines, "    weight = {shape=[3,2]");
        assertError(good.replace("data=[1,-2,127,-128,0,5]", "data=[1,-2,127,-128,0]"), "line " + (w + 1) + ": IntTensor: tensor of shape [3,2] needs 6");
        assertError(good.replace("data=[1,-2,127,-128,0,5]", "data=[1,-2,127,-128,0,x]"), "line " + (w + 1) + ": expected an integer (column ");
        assertError(good.replace("    weight = {", "    weights = {"), "line " + (w + 1) + ": expected IntLinear's component '    weight = '");
        int r = indexOf(lines, "    requant = [");
        assertError(good.replace("outBits=8, outSigned=true}]", "outBits=99, outSigned=true}]"), "line " + (r + 1) + ": Requantizer:");
        int acc = indexOf(lines, "    accBits = 16");
        int entry = indexOf(lines, "  %y = IntLinear {");
        assertError(good.replace("    accBits = 16\n", "    accBits = 3\n"), "line " + (entry + 1) + ": IntLinear: int_linear: accumulator of 3 bits");
        assertError(good.replace("    accBits = 16\n", ""), "line " + (acc + 1) + ": expected IntLinear's component '    accBits = '");
        assertError(good.replace("  %y = IntLinear {", "  %y = IntLinearX {"), "line " + (entry + 1) + ": no Op is called IntLinearX");
        assertError(good.replace("  %n = IntLayerNormOp {", "  %m = IntLayerNormOp {"), "line ");
        assertError(good + "more\n", "line " + (lines.length + 1) + ": text after the ops section");
        assertError(good.replace("  output %n\n", "  output %m\n"), "line " + (indexOf(lines, "  output %n") + 1) + ": graph output %m is never defined");
        assertError(good.replace("  output %n\n", "  outputs %n\n"), "line " + (indexOf(lines, "  output %n") + 1) + ": expected '  input %NAME");
        assertError(good.replace("(s=0.0228207122,z=-5)[1,3,2]", "(s=0.02x,z=-5)[1,3,2]"), "line 2: expected the zero point ',z='");
        assertError(good.replace("(s=0.0228207122,z=-5)[1,3,2]", "(s=1e5,z=-5)[1,3,2]"), "line 2: '1e5' is not a number");
        assertError(good.replace("(s=0.0228207122,z=-5)[1,3,2]", "(s=0.1,z=-500)[1,3,2]"), "line 2: zero point -500 outside");
        assertError(good.replace("\"gelu\"", "\"gelu"), "line " + (indexOf(lines, "    function = \"gelu\"") + 1) + ": string not closed");
    }

    private static int indexOf(String[] lines, String prefix) {
        for (int i = 0; i < lines.length; i++) if (lines[i].startsWith(prefix)) return i;
        throw new AssertionError("no line starts with " + prefix);
    }
}
