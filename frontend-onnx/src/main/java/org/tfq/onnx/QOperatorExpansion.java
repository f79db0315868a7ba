package org.tfq.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.onnx.proto.Onnx.AttributeProto;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/**
 * ONNX Runtime's QOperator form (quantize_static with QuantFormat.QOperator): each QLinearMatMul,
 * com.microsoft QLinearAdd / QLinearMul / QLinearSoftmax / QGemm is rewritten, before the import,
 * into DequantizeLinear of its inputs -> the float op -> QuantizeLinear at its output scale, and a
 * layout op moving codes (a Transpose of a quantized tensor) into DequantizeLinear -> op ->
 * QuantizeLinear at the same scale: the QDQ graph those nodes define, which the rest of the
 * importer reads as trained quantizers. QGemm's int32 bias is dequantized at s_A * s_B.
 */
final class QOperatorExpansion {
    private QOperatorExpansion() {}

    private static final String MS = "com.microsoft";
    private static final Set<String> BINARY = Set.of("QLinearAdd", "QLinearMul");
    private static final Set<String> MOVES_CODES = Set.of("Transpose", "Reshape", "Squeeze", "Unsqueeze", "Flatten");

    static GraphProto expand(GraphProto g) {
        if (g.getNodeList().stream().noneMatch(QOperatorExpansion::isQOperator)) return g;
        /* the scale and zero point of each code tensor: what a layout op on codes keeps */
        Map<String, String[]> codes = new HashMap<>();
        List<NodeProto> out = new ArrayList<>();
        List<TensorProto> extra = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            String op = n.getOpType();
            String y = n.getOutputCount() > 0 ? n.getOutput(0) : "";
            String name = n.getName().isEmpty() ? y : n.getName();
            if (isOnnx(n) && op.equals("QuantizeLinear")) {
                codes.put(y, new String[] {in(n, 1), in(n, 2)});
                out.add(n);
            } else if (isOnnx(n) && op.equals("QLinearMatMul") || isMs(n) && BINARY.contains(op)) {
                String a = dq(out, name + "/a", in(n, 0), in(n, 1), in(n, 2), null);
                String b = dq(out, name + "/b", in(n, 3), in(n, 4), in(n, 5), null);
                String f = op.equals("QLinearMatMul") ? "MatMul" : op.substring("QLinear".length());
                out.add(node(name, f, List.of(a, b), y + "/float", List.of()));
                q(out, codes, name, y + "/float", in(n, 6), in(n, 7), y);
            } else if (isMs(n) && op.equals("QLinearSoftmax")) {
                String x = dq(out, name + "/x", in(n, 0), in(n, 1), in(n, 2), null);
                out.add(node(name, "Softmax", List.of(x), y + "/float", n.getAttributeList().stream()
                        .filter(at -> at.getName().equals("axis")).toList()));
                q(out, codes, name, y + "/float", in(n, 3), in(n, 4), y);
            } else if (isMs(n) && op.equals("QGemm")) {
                qgemm(n, name, y, out, extra, codes);
            } else if (isOnnx(n) && MOVES_CODES.contains(op) && codes.containsKey(in(n, 0))) {
                String[] p = codes.get(in(n, 0));
                String x = dq(out, name + "/x", in(n, 0), p[0], p[1], null);
                NodeProto.Builder moved = n.toBuilder().setInput(0, x).setOutput(0, y + "/float");
                out.add(moved.build());
                q(out, codes, name, y + "/float", p[0], p[1], y);
            } else {
                out.add(n);
            }
        }
        return g.toBuilder().clearNode().addAllNode(out).addAllInitializer(extra).build();
    }

    private static void qgemm(NodeProto n, String name, String y, List<NodeProto> out, List<TensorProto> extra,
                              Map<String, String[]> codes) {
        boolean transB = new Attrs(n).getInt("transB", 0) != 0;
        String a = dq(out, name + "/A", in(n, 0), in(n, 1), in(n, 2), null);
        // a per-channel B is per output feature: axis 0 of B^T's rows when transposed
        String b = dq(out, name + "/B", in(n, 3), in(n, 4), in(n, 5), transB ? 0L : 1L);
        List<String> inputs = new ArrayList<>(List.of(a, b));
        if (!in(n, 6).isEmpty()) {
            String scale = name + "/C_scale", zero = name + "/C_zero_point";
            out.add(node(name + "/C_scale", "Mul", List.of(in(n, 1), in(n, 4)), scale, List.of()));
            extra.add(TensorProto.newBuilder().setName(zero).setDataType(DataTypes.INT32).addInt32Data(0).build());
            inputs.add(dq(out, name + "/C", in(n, 6), scale, zero, 0L));
        }
        List<AttributeProto> attrs = n.getAttributeList().stream()
                .filter(at -> Set.of("alpha", "transA", "transB").contains(at.getName())).toList();
        boolean quantizedOutput = !in(n, 7).isEmpty();
        out.add(node(name, "Gemm", inputs, quantizedOutput ? y + "/float" : y, attrs));
        if (quantizedOutput) q(out, codes, name, y + "/float", in(n, 7), in(n, 8), y);
    }

    private static boolean isQOperator(NodeProto n) {
        return isOnnx(n) && n.getOpType().equals("QLinearMatMul") || isMs(n) && (BINARY.contains(n.getOpType())
                || n.getOpType().equals("QLinearSoftmax") || n.getOpType().equals("QGemm"));
    }

    private static boolean isOnnx(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    private static boolean isMs(NodeProto n) {
        return n.getDomain().equals(MS);
    }

    private static String in(NodeProto n, int i) {
        return i < n.getInputCount() ? n.getInput(i) : "";
    }

    private static String dq(List<NodeProto> out, String name, String x, String scale, String zero, Long axis) {
        String y = name + "/dequantized";
        List<AttributeProto> attrs = axis == null ? List.of()
                : List.of(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(axis).build());
        out.add(node(name + "/DequantizeLinear", "DequantizeLinear", zero.isEmpty() ? List.of(x, scale) : List.of(x, scale, zero), y, attrs));
        return y;
    }

    private static void q(List<NodeProto> out, Map<String, String[]> codes, String name, String x, String scale, String zero, String y) {
        out.add(node(name + "/QuantizeLinear", "QuantizeLinear", zero.isEmpty() ? List.of(x, scale) : List.of(x, scale, zero), y, List.of()));
        codes.put(y, new String[] {scale, zero});
    }

    private static NodeProto node(String name, String op, List<String> inputs, String output, List<AttributeProto> attrs) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addOutput(output).addAllAttribute(attrs).build();
    }
}
