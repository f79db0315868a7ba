package org.tfq.onnx;

import java.util.HashMap;
import java.util.Map;
import org.tfq.onnx.proto.Onnx.NodeProto;

/** How many inputs each operator tfq reads takes, so a malformed node fails with its name, not deep inside. */
final class Arity {
    private Arity() {}

    private record Range(int min, int max) {}

    private static final Map<String, Range> INPUTS = new HashMap<>();

    private static void def(int min, int max, String... ops) {
        for (String op : ops) INPUTS.put(op, new Range(min, max));
    }

    static {
        def(0, 0, "Constant");
        def(1, 1, "Relu", "Erf", "Tanh", "Sqrt", "Neg", "Abs", "Floor", "Ceil", "Reciprocal", "Not", "Exp", "Log",
                "Sigmoid", "Identity", "Shape", "Size", "Softmax", "Transpose", "Flatten", "Cast", "ConstantOfShape", "Gelu");
        def(2, 2, "Add", "Sub", "Mul", "Div", "Pow", "MatMul", "Equal", "Less", "Greater", "And", "Or", "Gather", "Reshape", "Expand");
        def(1, 2, "Unsqueeze", "Squeeze", "ReduceMean", "Split");
        def(1, 3, "Dropout", "Clip");
        def(1, Integer.MAX_VALUE, "Concat", "Min", "Max");
        def(3, 5, "Slice");
        def(3, 3, "Range", "Where");
        def(2, 3, "Gemm", "LayerNormalization", "QuantizeLinear", "DequantizeLinear");
        def(5, 5, "BatchNormalization");
        def(1, 4, "Pad");
        def(2, 2, "Tile");
        def(2, 3, "Conv");
        def(4, 4, "Quant");
        def(2, 2, "BipolarQuant");
        def(5, 6, "Trunc");
    }

    /** A one-line reason when the node's inputs or outputs do not fit its operator, else null. */
    static String check(NodeProto n) {
        if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) return "has no output";
        Range r = INPUTS.get(n.getOpType());
        if (r == null) return null;
        int count = n.getInputCount();
        // trailing optional inputs may be given as empty names
        while (count > r.min() && n.getInput(count - 1).isEmpty()) count--;
        for (int i = 0; i < Math.min(count, r.min()); i++) {
            if (n.getInput(i).isEmpty()) return "input " + i + " is required but empty";
        }
        if (count < r.min() || count > r.max()) {
            String want = r.min() == r.max() ? Integer.toString(r.min()) : r.max() == Integer.MAX_VALUE ? "at least " + r.min() : r.min() + " to " + r.max();
            return "has " + n.getInputCount() + " inputs, " + n.getOpType() + " takes " + want;
        }
        return null;
    }
}
