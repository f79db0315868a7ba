package org.tfq.onnx;

import java.util.List;
import org.tfq.ir.Value;
import org.tfq.ir.op.Mul;
import org.tfq.ir.op.Sub;
import org.tfq.ir.op.UnaryFunction;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Arithmetic between two activations and the square root or reciprocal of one, node by node:
 * the per-window normalizations of RevIN and of the Non-stationary Transformer (mean and standard
 * deviation over time, x - mean, / stdev, and the inverse at the output). A division becomes a
 * reciprocal and a product, so the reciprocal is a value of its own that calibration gives a scale.
 */
final class NormalizationArithmetic {
    private NormalizationArithmetic() {}

    /** Sub, Mul or Div of two activations, broadcasting. */
    static void binary(GraphBuilder b, NodeProto n, String name, String out) {
        Value x = b.act(n, 0), y = b.act(n, 1);
        switch (n.getOpType()) {
            case "Sub" -> b.emit(name, new Sub(), List.of(x, y), out);
            case "Mul" -> b.emit(name, new Mul(), List.of(x, y), out);
            case "Div" -> {
                Value r = b.emit(name + "/reciprocal", new UnaryFunction(UnaryFunction.Kind.RECIPROCAL), List.of(y), out + "/reciprocal");
                b.emit(name, new Mul(), List.of(x, r), out);
            }
            default -> throw new IllegalStateException(n.getOpType());
        }
    }

    /** Sqrt, Reciprocal, or Pow with the constant exponent 2 (a square), of an activation. */
    static void unary(GraphBuilder b, NodeProto n, String name, String out) {
        Value x = b.act(n, 0);
        switch (n.getOpType()) {
            case "Sqrt" -> b.emit(name, new UnaryFunction(UnaryFunction.Kind.SQRT), List.of(x), out);
            case "Reciprocal" -> b.emit(name, new UnaryFunction(UnaryFunction.Kind.RECIPROCAL), List.of(x), out);
            case "Pow" -> {
                Const e = b.constOf(n.getInput(1));
                if (e == null || e.size() != 1 || e.get(0) != 2) {
                    throw new OnnxImportException("Pow of an activation is supported as a square (a constant exponent 2) or inside a GELU; "
                            + (e == null ? "this exponent is computed at run time" : "this exponent is " + (e.size() == 1 ? e.get(0) : e.size() + " values")));
                }
                b.emit(name, new Mul(), List.of(x, x), out);
            }
            default -> throw new IllegalStateException(n.getOpType());
        }
    }
}
