package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.TensorProto;

/**
 * Refuses a model whose nodes read an initializer holding NaN, one line per such initializer,
 * naming it and the node that reads it. Nothing downstream would: a NaN weight quantizes to a
 * scale that still works out (the finite half sets it), and the NaN to 0 or to anything, so the
 * design compiled with exit 0 and computed garbage. An infinity is refused as well, later, by
 * the quantizer (no finite scale holds it), except where it belongs: a softmax mask.
 */
final class NanInitializers {
    private NanInitializers() {}

    static void refuse(String file, List<TensorProto> order, Map<String, Const> initializers, OnnxGraph g) {
        List<String> problems = new ArrayList<>();
        for (TensorProto t : order) {
            Const c = initializers.get(t.getName());
            List<NodeProto> readers = g.consumersOf(t.getName());
            if (c == null || readers.isEmpty()) continue;
            int nan = 0;
            for (int i = 0; i < c.size(); i++) if (Double.isNaN(c.get(i))) nan++;
            if (nan == 0) continue;
            NodeProto n = readers.get(0);
            problems.add(file + ": initializer '" + t.getName() + "' (read by node '" + n.getName() + "', " + n.getOpType() + ") holds NaN in "
                    + (nan == c.size() ? "all " + nan : nan + " of " + c.size()) + " values; export the model again from a checkpoint with finite weights");
        }
        if (!problems.isEmpty()) throw new OnnxImportException(String.join("\n", problems));
    }
}
