package org.tfq.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.Op;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.OperatorSetIdProto;

/**
 * A float IR graph, fake quantization included, as a standard ONNX model: every op in standard
 * operators, every {@link FakeQuant} as QuantizeLinear -> [Clip] -> DequantizeLinear (QCDQ) and
 * every quantized {@link Linear} weight as its float values through the same chain with per-axis
 * scales. The result is what {@link OnnxImporter} reads back as a quantization-aware-trained
 * model with these very scales, and what ONNX Runtime runs. Value and node names are the graph's.
 */
public final class OnnxWriter {
    private OnnxWriter() {}

    /** The opset of the written model when every code fits 8 bits: the one PyTorch 1.13 exports at. */
    static final int OPSET = 17;
    /** 16-bit codes in QuantizeLinear need opset 21; only weights wider than 8 bits use them (activations are written as arithmetic). */
    static final int OPSET_WIDE_CODES = 21;

    /** The graph as a serialized ModelProto; {@link IllegalArgumentException} names the first node it cannot express. */
    public static byte[] toOnnx(Graph floatGraph, String producer) {
        return model(floatGraph, producer).toByteArray();
    }

    /**
     * Writes {@link #toOnnx} to a new hidden file beside {@code file}, then moves it over
     * {@code file}: a failure leaves no half-written model and the old file as it was, and two
     * writers never share a temporary file. {@link IllegalArgumentException} when the graph cannot
     * be written (nothing is written then); {@link UncheckedIOException} when the file cannot.
     */
    public static void write(Graph floatGraph, Path file, String producer) {
        byte[] bytes = toOnnx(floatGraph, producer);
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
        }
    }

    /**
     * The graph the written file reads back as: every quantization scale rounded to float32, the
     * type ONNX stores scales in. The float semantics does not change ({@link QuantSpec} already
     * computes with float32 scales), but the integer lowering derives its multipliers from the
     * scale itself, so a model trained with double scales must be evaluated as this graph for its
     * integer results to equal those of the written file.
     */
    public static Graph asWritten(Graph g) {
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            Op op = n.op();
            if (op instanceof FakeQuant f) op = new FakeQuant(float32(f.spec()));
            else if (op instanceof Linear l && l.weightQuant() != null) op = l.withWeight(l.weight(), float32(l.weightQuant()));
            nodes.add(new Node(n.name(), op, n.inputs(), n.output()));
        }
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes);
    }

    private static QuantSpec float32(QuantSpec q) {
        double[] s = q.scale();
        for (int i = 0; i < s.length; i++) s[i] = (float) s[i];
        return new QuantSpec(s, q.zeroPoint(), q.axis(), q.bits(), q.signed(), q.qmin(), q.qmax());
    }

    static ModelProto model(Graph g, String producer) {
        int opset = needsWideCodes(g) ? OPSET_WIDE_CODES : OPSET;
        GraphProto graph = new OnnxEmitter(g, opset).emit();
        return ModelProto.newBuilder().setIrVersion(opset >= OPSET_WIDE_CODES ? 10 : 8).setProducerName(producer)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    private static boolean needsWideCodes(Graph g) {
        for (Node n : g.nodes()) {
            QuantSpec q = n.op() instanceof Linear l ? l.weightQuant() : null;
            if (q != null && q.bits() > 8) return true;
        }
        return false;
    }
}
