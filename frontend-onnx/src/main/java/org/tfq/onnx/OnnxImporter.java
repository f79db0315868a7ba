package org.tfq.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tfq.ir.Graph;
import org.tfq.ir.IrException;
import org.tfq.ir.Shape;
import org.tfq.ir.TensorType;
import org.tfq.ir.Value;
import org.tfq.ir.io.RegularFile;
import org.tfq.ir.io.SafeText;
import org.tfq.ir.pass.IrObserver;
import org.tfq.ir.pass.PassPipeline;
import org.tfq.onnx.proto.Onnx.GraphProto;
import org.tfq.onnx.proto.Onnx.ModelProto;
import org.tfq.onnx.proto.Onnx.NodeProto;
import org.tfq.onnx.proto.Onnx.OperatorSetIdProto;
import org.tfq.onnx.proto.Onnx.TensorProto;
import org.tfq.onnx.proto.Onnx.TensorShapeProto;
import org.tfq.onnx.proto.Onnx.ValueInfoProto;

/** Reads an ONNX file and returns its float IR, or one line per problem found. */
public final class OnnxImporter {
    private OnnxImporter() {}

    /**
     * The float IR passes after translation, in order: fusions that need the whole graph (who
     * else reads a value) rather than one ONNX node at a time.
     */
    public static final PassPipeline PASSES = PassPipeline.of("import", new MergeReshapes(), new FoldTransposeIntoMatMul(),
            new FuseBiasIntoLinear(), new FoldConstantAffineChains());

    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 21;
    /** Far above any model for a 15k-LUT part; protects against corrupt files declaring absurd sizes. */
    static final long MAX_FILE_BYTES = 512L << 20;
    static final int MAX_NODES = 100_000;

    public static ImportResult load(Path model, ImportOptions options) {
        return load(model, options, IrObserver.NONE);
    }

    /** As {@link #load(Path, ImportOptions)}, showing {@code observer} the float IR after each import pass. */
    public static ImportResult load(Path model, ImportOptions options, IrObserver observer) {
        String file = model.toString();
        ModelProto m = parse(model, file);
        Map<String, Long> opsets = opsets(m, file);
        int opset = opsets.get("ai.onnx").intValue();
        GraphProto gp = QOperatorExpansion.expand(m.getGraph());
        if (gp.getNodeCount() > MAX_NODES) throw new OnnxImportException(file + ": " + gp.getNodeCount() + " nodes is over tfq's limit of " + MAX_NODES);

        TensorDecoder decoder = new TensorDecoder(model);
        Map<String, Const> initializers = new HashMap<>();
        for (TensorProto t : gp.getInitializerList()) {
            initializers.put(t.getName(), decoder.decode(t, "initializer '" + SafeText.printable(t.getName()) + "'"));
        }
        List<ValueInfoProto> graphInputs = gp.getInputList().stream().filter(v -> !initializers.containsKey(v.getName())).toList();
        if (graphInputs.isEmpty()) throw new OnnxImportException(file + ": the graph has no inputs");
        if (gp.getOutputCount() == 0) throw new OnnxImportException(file + ": the graph has no outputs");

        Set<String> available = new HashSet<>(initializers.keySet());
        graphInputs.forEach(v -> available.add(v.getName()));
        OnnxGraph g = new OnnxGraph(gp, file, available);
        NonFiniteInitializers.refuse(file, gp.getInitializerList(), initializers, g);
        GraphBuilder b = new GraphBuilder(file, g, opset, new ConstFolder(decoder::decode), initializers);

        List<ModelInput> inputs = new ArrayList<>();
        List<Value> irInputs = new ArrayList<>();
        for (ValueInfoProto vi : graphInputs) {
            ModelInput mi = bindInput(vi, options, file);
            inputs.add(mi);
            Value v = new Value(vi.getName(), TensorType.f32(mi.shape()));
            irInputs.add(v);
            b.defineInput(v);
        }
        b.run();
        List<String> problems = new ArrayList<>(b.problems());
        List<Value> irOutputs = new ArrayList<>();
        List<ModelInput> outputs = new ArrayList<>();
        for (ValueInfoProto vi : gp.getOutputList()) {
            Value v = b.activation(vi.getName());
            if (v == null) {
                if (!b.isPoisoned(vi.getName())) {
                    problems.add(file + ": graph output '" + SafeText.printable(vi.getName()) + "' does not depend on the input; tfq compiles models whose outputs are computed from their inputs");
                }
                continue;
            }
            irOutputs.add(v);
            outputs.add(bindOutput(vi, v.type().shape(), inputs.get(0)));
        }
        if (!problems.isEmpty()) {
            throw new OnnxImportException(String.join("\n", problems)
                    + "\n" + problems.size() + " node(s) not supported; nothing was written. See README.md, 'Supported ONNX'.");
        }
        if (irOutputs.size() != gp.getOutputCount()) throw new OnnxImportException(file + ": some outputs could not be imported");
        Map<String, Integer> onnxOps = new TreeMap<>();
        // the file's ops, before QOperatorExpansion rewrote them
        for (NodeProto n : m.getGraph().getNodeList()) onnxOps.merge(n.getOpType(), 1, Integer::sum);
        String name = gp.getName().isEmpty() ? stem(model) : gp.getName();
        Graph graph;
        try {
            graph = b.finish(name, irInputs, dedupe(irOutputs));
        } catch (IrException e) {
            throw new OnnxImportException(file + ": internal import check failed: " + e.getMessage());
        }
        observer.after("import", graph);
        try {
            graph = PASSES.run(graph, observer);
        } catch (IrException e) {
            throw new OnnxImportException(file + ": internal import check failed: " + e.getMessage());
        }
        String producer = (m.getProducerName() + " " + m.getProducerVersion()).trim();
        return new ImportResult(model, graph, inputs, outputs, opsets, onnxOps, producer);
    }

    private static List<Value> dedupe(List<Value> outs) {
        return new ArrayList<>(new LinkedHashMap<String, Value>() {{
            outs.forEach(v -> putIfAbsent(v.name(), v));
        }}.values());
    }

    static String stem(Path p) {
        String s = p.getFileName().toString();
        return s.endsWith(".onnx") ? s.substring(0, s.length() - 5) : s;
    }

    private static ModelProto parse(Path model, String file) {
        byte[] bytes;
        try {
            if (Files.isDirectory(model)) throw new OnnxImportException(file + ": is a directory, not an ONNX file");
            RegularFile.require(model, "the model");
            if (Files.size(model) > MAX_FILE_BYTES) throw new OnnxImportException(file + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB; not a model for a small FPGA");
            bytes = Files.readAllBytes(model);
        } catch (NoSuchFileException e) {
            throw new OnnxImportException(file + ": no such file");
        } catch (IOException e) {
            throw new OnnxImportException(file + ": cannot read: " + e.getMessage());
        }
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(64);
            m = ModelStrings.clean(ModelProto.parseFrom(in)); // before anything can print one of its strings
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException(file + ": not an ONNX model, or truncated (protobuf: " + e.getMessage().split("\n")[0] + ")");
        } catch (IOException e) {
            throw new OnnxImportException(file + ": cannot read: " + e.getMessage());
        }
        if (!m.hasGraph() || m.getOpsetImportCount() == 0 || m.getIrVersion() <= 0) {
            throw new OnnxImportException(file + ": not an ONNX model (no graph, IR version or opset import); is it truncated or another format?");
        }
        return m;
    }

    private static Map<String, Long> opsets(ModelProto m, String file) {
        Map<String, Long> r = new TreeMap<>();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            String d = o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain();
            r.put(d, o.getVersion());
        }
        Long v = r.get("ai.onnx");
        if (v == null) throw new OnnxImportException(file + ": imports no default ONNX opset");
        if (v < MIN_OPSET || v > MAX_OPSET) {
            throw new OnnxImportException(file + ": opset " + v + " is not supported; re-export with opset_version between "
                    + MIN_OPSET + " and " + MAX_OPSET + " (e.g. torch.onnx.export(..., opset_version=17))");
        }
        return r;
    }

    private static ModelInput bindInput(ValueInfoProto vi, ImportOptions options, String file) {
        String where = file + ": input '" + SafeText.printable(vi.getName()) + "'";
        if (!vi.getType().hasTensorType()) throw new OnnxImportException(where + " is not a tensor");
        int elem = vi.getType().getTensorType().getElemType();
        if (!DataTypes.isFloat(elem)) {
            throw new OnnxImportException(where + " has element type " + DataTypes.name(elem) + "; tfq takes float inputs");
        }
        if (!vi.getType().getTensorType().hasShape()) throw new OnnxImportException(where + " has no declared shape; re-export with a fixed window length");
        TensorShapeProto sp = vi.getType().getTensorType().getShape();
        int[] dims = new int[sp.getDimCount()];
        List<Integer> symbolic = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = sp.getDim(i);
            if (d.hasDimValue() && d.getDimValue() > 0) {
                if (d.getDimValue() > TensorDecoder.MAX_ELEMENTS) throw new OnnxImportException(where + " declares dimension " + d.getDimValue() + ", over tfq's limit");
                dims[i] = (int) d.getDimValue();
            } else {
                symbolic.add(i);
                dims[i] = options.batch();
            }
        }
        if (symbolic.size() > 1) {
            throw new OnnxImportException(where + " has " + symbolic.size() + " symbolic dimensions " + symbolic
                    + "; tfq binds only the batch axis, so export with a fixed window length and feature count");
        }
        long size = 1;
        for (int d : dims) size = Math.min(size * d, TensorDecoder.MAX_ELEMENTS + 1); // saturates: each d is at most the limit
        if (size > TensorDecoder.MAX_ELEMENTS) {
            throw new OnnxImportException(where + " bound to " + java.util.Arrays.toString(dims) + " has more than tfq's limit of "
                    + TensorDecoder.MAX_ELEMENTS + " elements" + (symbolic.isEmpty() ? "" : "; bind the batch axis to a smaller size"));
        }
        Shape s = new Shape(dims);
        if (!symbolic.isEmpty()) return new ModelInput(vi.getName(), s, symbolic.get(0), true);
        return new ModelInput(vi.getName(), s, staticBatchAxis(dims), false);
    }

    /** Without a symbolic axis, the batch is the first axis of size 1 (axis 0 batch-first, axis 1 sequence-first). */
    private static int staticBatchAxis(int[] dims) {
        for (int i = 0; i < dims.length; i++) if (dims[i] == 1) return i;
        return -1;
    }

    private static ModelInput bindOutput(ValueInfoProto vi, Shape computed, ModelInput input) {
        if (vi.getType().hasTensorType() && vi.getType().getTensorType().hasShape()) {
            TensorShapeProto sp = vi.getType().getTensorType().getShape();
            if (sp.getDimCount() == computed.rank()) {
                for (int i = 0; i < sp.getDimCount(); i++) {
                    if (sp.getDim(i).hasDimParam() && input.dynamicBatch()) return new ModelInput(vi.getName(), computed, i, true);
                }
            }
        }
        int[] d = computed.dims();
        int axis = -1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == input.shape().dim(Math.max(0, input.batchAxis())) && input.batchAxis() >= 0) {
                axis = i;
                break;
            }
        }
        return new ModelInput(vi.getName(), computed, axis, input.dynamicBatch());
    }
}
