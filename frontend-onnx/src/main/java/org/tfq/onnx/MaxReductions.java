package org.tfq.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.tfq.ir.Value;
import org.tfq.ir.op.MaxPool;
import org.tfq.ir.op.Reshape;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * ReduceMax and ReduceMin over any axes (attribute, or input from opset 18; keepdims or not) and
 * GlobalMaxPool: one {@link MaxPool} per reduced axis (the maximum of maxima is the maximum).
 */
final class MaxReductions {
    private MaxReductions() {}

    static void reduce(GraphBuilder b, NodeProto n, Value x, String name, String out, boolean minimum) {
        Attrs a = new Attrs(n);
        long[] axes = MeanReductions.axes(b, n);
        int rank = x.type().shape().rank();
        int[] ax;
        if (axes == null || axes.length == 0) {
            if (a.getInt("noop_with_empty_axes", 0) != 0) {
                b.emit(name, new Reshape(x.type().shape()), List.of(x), out);
                return;
            }
            ax = IntStream.range(0, rank).toArray();
        } else {
            ax = Arrays.stream(axes).mapToInt(v -> ConstFolder.normAxis(v, rank, n.getOpType() + " axes")).distinct().toArray();
        }
        boolean keep = a.getInt("keepdims", 1) != 0;
        MeanReductions.emit(b, name, x, ax, keep, false, axis -> new MaxPool(axis, keep, minimum), out);
    }

    static void globalMaxPool(GraphBuilder b, NodeProto n, Value x, String name, String out) {
        int rank = x.type().shape().rank();
        if (rank < 3) throw new OnnxImportException("GlobalMaxPool needs an input [batch, channels, spatial...], has rank " + rank);
        MeanReductions.emit(b, name, x, IntStream.range(2, rank).toArray(), true, false, axis -> new MaxPool(axis, true, false), out);
    }
}
