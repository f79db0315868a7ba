package org.tfq.onnx;

import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.op.Linear;
import org.tfq.ir.op.MatMul;
import org.tfq.ir.op.Reshape;
import org.tfq.ir.op.Transpose;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Einsum of two operands as the matrix product it is: each operand transposed to
 * [batch, rows or columns, contracted] and reshaped so that each group is one axis, one
 * {@link MatMul} (B transposed when that is how it is laid out, as Q K^T is), and the product
 * reshaped and transposed into the equation's result order. With a constant operand and no batch
 * labels the product is a {@link Linear} on the other. The layout ops are views in hardware.
 */
final class EinsumAsMatMul {
    private EinsumAsMatMul() {}

    static void translate(GraphBuilder b, NodeProto n, String name, String out) {
        if (n.getInputCount() != 2) throw new OnnxImportException("Einsum with " + n.getInputCount() + " operands is not supported; tfq supports two (a matrix product)");
        String equation = new Attrs(n).getString("equation", "");
        Const c0 = b.constOf(n.getInput(0));
        Const c1 = b.constOf(n.getInput(1));
        if (c0 != null && c1 != null) throw EinsumEquation.refuse(equation, "has two constant operands; nothing to compute at run time");
        int[] d0 = c0 != null ? c0.dims() : activation(b, n, 0).type().shape().dims();
        int[] d1 = c1 != null ? c1.dims() : activation(b, n, 1).type().shape().dims();
        EinsumEquation eq = EinsumEquation.parse(equation, d0.length, d1.length);
        if (c0 != null) {
            linear(b, name, eq.swapped(), activation(b, n, 1), d1, c0, out);
        } else if (c1 != null) {
            linear(b, name, eq, activation(b, n, 0), d0, c1, out);
        } else {
            matmul(b, name, eq, activation(b, n, 0), activation(b, n, 1), out);
        }
    }

    private static Value activation(GraphBuilder b, NodeProto n, int i) {
        Value v = b.activation(n.getInput(i));
        if (v == null) throw new OnnxImportException("input '" + n.getInput(i) + "' is neither an activation nor a constant");
        return v;
    }

    private static void matmul(GraphBuilder b, String name, EinsumEquation eq, Value x, Value y, String out) {
        int[] dx = x.type().shape().dims();
        int[] dy = y.type().shape().dims();
        checkSizes(eq, dx, dy);
        List<Character> batch = eq.batch();
        List<Character> rows = eq.rows();
        List<Character> cols = eq.columns();
        List<Character> inner = eq.contracted();
        // B as [.., N, K] when its contracted axes come after its columns (keys in Q K^T), else [.., K, N]
        boolean transposeB = !cols.isEmpty() && !inner.isEmpty()
                && eq.b().indexOf(inner.get(inner.size() - 1)) > eq.b().indexOf(cols.get(cols.size() - 1));
        Value a = arrange(b, name + "/a", x, eq.a(), dx, batch, rows, false, inner, out + "/a");
        Value bb = transposeB ? arrange(b, name + "/b", y, eq.b(), dy, batch, cols, false, inner, out + "/b")
                : arrange(b, name + "/b", y, eq.b(), dy, batch, inner, false, cols, out + "/b");
        List<Character> productOrder = concat(batch, rows, cols);
        boolean direct = productOrder.equals(eq.out()) && rows.size() == 1 && cols.size() == 1;
        Value p = b.emit(name, new MatMul(transposeB), List.of(a, bb), direct ? out : out + "/product");
        finish(b, name, p, productOrder, eq, dx, dy, out);
    }

    /** A constant operand with no batch labels: a linear layer with weight rows [columns, contracted]. */
    private static void linear(GraphBuilder b, String name, EinsumEquation eq, Value x, int[] dx, Const w, String out) {
        int[] dw = w.dims();
        checkSizes(eq, dx, dw);
        if (!eq.batch().isEmpty()) {
            throw EinsumEquation.refuse(eq.text(), "multiplies by a constant per " + eq.batch()
                    + " (batch labels on a constant), which is not one linear layer");
        }
        List<Character> rows = eq.rows();
        List<Character> cols = eq.columns();
        List<Character> inner = eq.contracted();
        Value a = arrange(b, name + "/x", x, eq.a(), dx, List.of(), rows, true, inner, out + "/x");
        int k = size(inner, eq.b(), dw);
        int nOut = size(cols, eq.b(), dw);
        int[] strides = new Shape(dw).strides();
        float[] rowsW = new float[nOut * k];
        for (int o = 0; o < nOut; o++) {
            for (int i = 0; i < k; i++) {
                rowsW[o * k + i] = (float) w.get(offset(cols, o, inner, i, eq.b(), dw, strides));
            }
        }
        List<Character> productOrder = concat(List.of(), rows, cols);
        boolean direct = productOrder.equals(eq.out()) && cols.size() == 1;
        Value p = b.emit(name, new Linear(new FloatTensor(Shape.of(nOut, k), rowsW), null, null), List.of(a),
                direct ? out : out + "/product");
        finish(b, name, p, productOrder, eq, dx, dw, out);
    }

    /** Flat offset in the constant of (column index o, contracted index i), both row-major over their labels. */
    private static int offset(List<Character> cols, int o, List<Character> inner, int i, List<Character> labels, int[] dims, int[] strides) {
        int off = 0;
        for (int g = 0; g < 2; g++) {
            List<Character> group = g == 0 ? cols : inner;
            int rem = g == 0 ? o : i;
            for (int j = group.size() - 1; j >= 0; j--) {
                int axis = labels.indexOf(group.get(j));
                off += (rem % dims[axis]) * strides[axis];
                rem /= dims[axis];
            }
        }
        return off;
    }

    /** The operand permuted to [batch, first, second] and reshaped so second, and first unless kept, are one axis each. */
    private static Value arrange(GraphBuilder b, String name, Value v, List<Character> labels, int[] dims,
            List<Character> batch, List<Character> first, boolean keepFirst, List<Character> second, String out) {
        List<Character> order = concat(batch, first, second);
        int[] perm = new int[order.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = labels.indexOf(order.get(i));
        Value cur = v;
        if (!isIdentity(perm)) cur = b.emit(name + "/transpose", new Transpose(perm), List.of(cur), out + "/transposed");
        List<Character> kept = keepFirst ? concat(batch, first) : batch;
        int[] target = new int[kept.size() + (keepFirst ? 1 : 2)];
        for (int i = 0; i < kept.size(); i++) target[i] = dims[labels.indexOf(kept.get(i))];
        if (!keepFirst) target[kept.size()] = size(first, labels, dims);
        target[target.length - 1] = size(second, labels, dims);
        Shape t = new Shape(target);
        if (!t.equals(cur.type().shape())) cur = b.emit(name + "/reshape", new Reshape(t), List.of(cur), out);
        return cur;
    }

    /** The product [batch, rows, columns] reshaped to one axis per label and transposed into the result's order. */
    private static void finish(GraphBuilder b, String name, Value p, List<Character> productOrder, EinsumEquation eq,
            int[] da, int[] db, String out) {
        if (p.name().equals(out)) return;
        int[] split = new int[productOrder.size()];
        for (int i = 0; i < split.length; i++) split[i] = dimOf(productOrder.get(i), eq, da, db);
        Value cur = p;
        int[] perm = new int[eq.out().size()];
        for (int i = 0; i < perm.length; i++) perm[i] = productOrder.indexOf(eq.out().get(i));
        boolean transpose = !isIdentity(perm);
        Shape s = new Shape(split);
        if (!s.equals(cur.type().shape())) {
            cur = b.emit(name + "/split", new Reshape(s), List.of(cur), transpose ? out + "/split" : out);
        }
        if (transpose) cur = b.emit(name + "/transpose", new Transpose(perm), List.of(cur), out);
        if (!cur.name().equals(out)) b.emit(name + "/result", new Reshape(cur.type().shape()), List.of(cur), out);
    }

    private static void checkSizes(EinsumEquation eq, int[] da, int[] db) {
        for (int i = 0; i < eq.a().size(); i++) {
            int j = eq.b().indexOf(eq.a().get(i));
            if (j >= 0 && da[i] != db[j]) {
                throw EinsumEquation.refuse(eq.text(), "gives '" + eq.a().get(i) + "' sizes " + da[i] + " and " + db[j]
                        + "; tfq needs equal sizes (no broadcasting)");
            }
        }
    }

    private static int dimOf(char c, EinsumEquation eq, int[] da, int[] db) {
        int i = eq.a().indexOf(c);
        return i >= 0 ? da[i] : db[eq.b().indexOf(c)];
    }

    private static int size(List<Character> group, List<Character> labels, int[] dims) {
        int s = 1;
        for (char c : group) s *= dims[labels.indexOf(c)];
        return s;
    }

    @SafeVarargs
    private static List<Character> concat(List<Character>... parts) {
        List<Character> r = new ArrayList<>();
        for (List<Character> p : parts) r.addAll(p);
        return r;
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }
}
