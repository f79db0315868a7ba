package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/**
 * Refuses a model whose nodes read an initializer holding NaN, or a weight holding an infinity,
 * one line per such initializer, naming it and the node that reads it. Nothing downstream
 * would for NaN: a NaN weight quantizes to a scale the finite values set, and the NaN to 0 or to
 * anything, so the design compiled with exit 0 and computed garbage. An infinity elsewhere
 * belongs to a softmax mask (added, or chosen by Where), so only weights (the constant operands
 * of matrix products and normalizations) are checked for it here; the quantizer refuses the rest.
 */
final class NonFiniteInitializers {
    private NonFiniteInitializers() {}

    private static final Set<String> WEIGHT_READERS = Set.of("MatMul", "Gemm", "Conv", "ConvTranspose", "Einsum",
            "BatchNormalization", "LayerNormalization");

    static void refuse(String file, List<TensorProto> order, Map<String, Const> initializers, OnnxGraph g) {
        List<String> problems = new ArrayList<>();
        for (TensorProto t : order) {
            Const c = initializers.get(t.getName());
            List<NodeProto> readers = g.consumersOf(t.getName());
            if (c == null || readers.isEmpty()) continue;
            int nan = 0, inf = 0;
            for (int i = 0; i < c.size(); i++) {
                if (Double.isNaN(c.get(i))) nan++;
                else if (Double.isInfinite(c.get(i))) inf++;
            }
            NodeProto weightReader = readers.stream().filter(n -> WEIGHT_READERS.contains(n.getOpType())).findFirst().orElse(null);
            if (nan == 0 && (inf == 0 || weightReader == null)) continue;
            NodeProto n = nan > 0 ? readers.get(0) : weightReader;
            int bad = nan > 0 ? nan : inf;
            problems.add(file + ": initializer '" + t.getName() + "' (read by node '" + n.getName() + "', " + n.getOpType() + ") holds "
                    + (nan > 0 ? "NaN" : "an infinity") + " in " + (bad == c.size() ? "all " + bad : bad + " of " + c.size())
                    + " values; export the model again from a checkpoint with finite weights");
        }
        if (!problems.isEmpty()) throw new OnnxImportException(String.join("\n", problems));
    }
}
