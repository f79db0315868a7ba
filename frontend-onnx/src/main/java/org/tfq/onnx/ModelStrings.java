package org.tfq.onnx;

import com.google.protobuf.ByteString;
import org.tfq.ir.io.SafeText;
import org.tfq.onnx.proto.Onnx.AttributeProto;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.StringStringEntryProto;
import org.tfq.onnx.proto.Onnx.TensorProto;
import org.tfq.onnx.proto.Onnx.ValueInfoProto;

/**
 * Every string of a model that tfq may print (producer, domains, graph, node, op type, tensor
 * and attribute names, string attributes, external data entries) through {@link SafeText#terminal},
 * once, as the model is read: no message, table or {@code tfq inspect} line built from them later
 * can carry an escape sequence, a bidi override or a newline that forges a line. Names are
 * cleaned the same way wherever they occur, so references between nodes still hold; two names
 * that differ only in control characters become one, and the graph is refused as invalid.
 */
final class ModelStrings {
    private ModelStrings() {}

    static ModelProto clean(ModelProto m) {
        if (isClean(m)) return m;
        ModelProto.Builder b = m.toBuilder()
                .setProducerName(t(m.getProducerName())).setProducerVersion(t(m.getProducerVersion())).setDomain(t(m.getDomain()));
        for (int i = 0; i < b.getOpsetImportCount(); i++) b.getOpsetImportBuilder(i).setDomain(t(b.getOpsetImport(i).getDomain()));
        for (int i = 0; i < b.getMetadataPropsCount(); i++) b.setMetadataProps(i, entry(b.getMetadataProps(i)));
        GraphProto.Builder g = b.getGraphBuilder();
        g.setName(t(g.getName()));
        for (int i = 0; i < g.getNodeCount(); i++) g.setNode(i, node(g.getNode(i)));
        for (int i = 0; i < g.getInputCount(); i++) g.setInput(i, valueInfo(g.getInput(i)));
        for (int i = 0; i < g.getOutputCount(); i++) g.setOutput(i, valueInfo(g.getOutput(i)));
        for (int i = 0; i < g.getValueInfoCount(); i++) g.setValueInfo(i, valueInfo(g.getValueInfo(i)));
        for (int i = 0; i < g.getInitializerCount(); i++) g.setInitializer(i, tensor(g.getInitializer(i)));
        return b.build();
    }

    /** Whether cleaning would change nothing: the common case, which then costs one scan and no copy. */
    private static boolean isClean(ModelProto m) {
        if (!same(m.getProducerName()) || !same(m.getProducerVersion()) || !same(m.getDomain())) return false;
        if (!m.getOpsetImportList().stream().allMatch(o -> same(o.getDomain()))) return false;
        if (!m.getMetadataPropsList().stream().allMatch(e -> same(e.getKey()) && same(e.getValue()))) return false;
        GraphProto g = m.getGraph();
        if (!same(g.getName())) return false;
        for (NodeProto n : g.getNodeList()) if (node(n) != n) return false;
        for (ValueInfoProto v : g.getInputList()) if (!same(v.getName())) return false;
        for (ValueInfoProto v : g.getOutputList()) if (!same(v.getName())) return false;
        for (ValueInfoProto v : g.getValueInfoList()) if (!same(v.getName())) return false;
        for (TensorProto t : g.getInitializerList()) if (!same(t.getName()) || !t.getExternalDataList().stream().allMatch(e -> same(e.getKey()) && same(e.getValue()))) return false;
        return true;
    }

    private static NodeProto node(NodeProto n) {
        boolean clean = same(n.getName()) && same(n.getOpType()) && same(n.getDomain())
                && n.getInputList().stream().allMatch(ModelStrings::same) && n.getOutputList().stream().allMatch(ModelStrings::same)
                && n.getAttributeList().stream().allMatch(a -> same(a.getName()) && same(a.getS().toStringUtf8())
                        && a.getStringsList().stream().allMatch(s -> same(s.toStringUtf8())));
        if (clean) return n;
        NodeProto.Builder b = n.toBuilder().setName(t(n.getName())).setOpType(t(n.getOpType())).setDomain(t(n.getDomain()));
        for (int i = 0; i < b.getInputCount(); i++) b.setInput(i, t(b.getInput(i)));
        for (int i = 0; i < b.getOutputCount(); i++) b.setOutput(i, t(b.getOutput(i)));
        for (int i = 0; i < b.getAttributeCount(); i++) {
            AttributeProto.Builder a = b.getAttributeBuilder(i);
            a.setName(t(a.getName()));
            if (!a.getS().isEmpty()) a.setS(ByteString.copyFromUtf8(t(a.getS().toStringUtf8())));
            for (int k = 0; k < a.getStringsCount(); k++) a.setStrings(k, ByteString.copyFromUtf8(t(a.getStrings(k).toStringUtf8())));
        }
        return b.build();
    }

    private static ValueInfoProto valueInfo(ValueInfoProto v) {
        return same(v.getName()) ? v : v.toBuilder().setName(t(v.getName())).build();
    }

    private static TensorProto tensor(TensorProto t) {
        TensorProto.Builder b = t.toBuilder().setName(t(t.getName()));
        for (int i = 0; i < b.getExternalDataCount(); i++) b.setExternalData(i, entry(b.getExternalData(i)));
        return b.build();
    }

    private static StringStringEntryProto entry(StringStringEntryProto e) {
        return e.toBuilder().setKey(t(e.getKey())).setValue(t(e.getValue())).build();
    }

    private static boolean same(String s) {
        return SafeText.terminal(s) == s;
    }

    private static String t(String s) {
        return SafeText.terminal(s);
    }
}
