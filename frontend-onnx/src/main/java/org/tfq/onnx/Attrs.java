package org.tfq.onnx;

import java.nio.charset.StandardCharsets;
import org.tfq.onnx.proto.Onnx.AttributeProto;
import org.tfq.onnx.proto.Onnx.NodeProto;

/** Typed access to a node's attributes with the ONNX defaults. */
final class Attrs {
    private final NodeProto node;

    Attrs(NodeProto node) {
        this.node = node;
    }

    AttributeProto get(String name) {
        for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    long getInt(String name, long dflt) {
        AttributeProto a = get(name);
        return a == null ? dflt : a.getI();
    }

    double getFloat(String name, double dflt) {
        AttributeProto a = get(name);
        return a == null ? dflt : a.getF();
    }

    String getString(String name, String dflt) {
        AttributeProto a = get(name);
        return a == null ? dflt : a.getS().toString(StandardCharsets.UTF_8);
    }

    long[] getInts(String name) {
        AttributeProto a = get(name);
        if (a == null) return null;
        long[] r = new long[a.getIntsCount()];
        for (int i = 0; i < r.length; i++) r[i] = a.getInts(i);
        return r;
    }
}
