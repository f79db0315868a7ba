package org.tfq.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import org.tfq.ir.IrException;
import org.tfq.ir.TensorType;

/**
 * An IR operation. Each op is an immutable record that knows its own result type (its
 * verifier) and its own semantics; interpreters only walk the graph.
 */
public sealed interface Op permits FloatOp, IntOp {

    /** Lower-case name used in the text dump. */
    String mnemonic();

    /** Number of inputs; most ops take one. */
    default int arity() {
        return 1;
    }

    /** Checks the operand types and returns the result type; throws {@link IrException} with the reason. */
    TensorType resultType(List<TensorType> inputs);

    /** Attributes for the text dump, in a fixed order. */
    default LinkedHashMap<String, String> attributes() {
        return new LinkedHashMap<>();
    }

    /** Multiply-accumulates one application performs (0 for ops without products). */
    default long macs(List<TensorType> inputs) {
        return 0;
    }

    /** Constant parameters (weights, biases, tables) held by the op. */
    default long parameters() {
        return 0;
    }

    static IrException error(String op, String message) {
        return new IrException(op + ": " + message);
    }
}
