package org.tfq.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.op.FakeQuant;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.Samples;
import org.tfq.passes.quant.IntegerModel;

/**
 * Where the integer model loses accuracy: every integer tensor that has a float counterpart of
 * the same name, dequantized and compared with it over the samples. The error in units of the
 * tensor's own step tells rounding (about 0.3 steps) from a range or arithmetic problem (more);
 * the error in float units tells which layer costs the forecast most.
 */
record LayerErrors(List<Row> rows) {

    /** One tensor: its error against float, in float units and in steps of its scale. */
    record Row(String name, String op, int bits, double scale, double rmse, double mean, double maxAbs, double floatRms, double clipped, double offByOne) {
        double rmseSteps() {
            return rmse / scale;
        }
    }

    static LayerErrors measure(ImportResult model, IntegerModel integer, FloatTensor x) {
        ModelInput in = model.inputs().get(0);
        int n = Samples.count(in, x);
        Map<String, String> reference = references(model.graph(), integer.graph());
        Map<String, IntType> types = new LinkedHashMap<>();
        types.put(integer.graph().inputs().get(0).name(), integer.graph().inputs().get(0).type().intType());
        Map<String, String> ops = new HashMap<>();
        ops.put(integer.graph().inputs().get(0).name(), "input");
        for (Node nd : integer.graph().nodes()) {
            types.put(nd.output().name(), nd.output().type().intType());
            ops.put(nd.output().name(), nd.op().mnemonic());
        }
        types.keySet().retainAll(reference.keySet());
        Map<String, double[]> sums = new LinkedHashMap<>(); // name -> {sum d^2, max |d|, sum f^2, clipped, count, sum d, beyond half a step}
        for (int from = 0; from < n; from += Samples.perRun(in)) {
            FloatTensor bound = Samples.toBound(in, x, from);
            Map<String, FloatTensor> f = FloatInterpreter.runAll(model.graph(), Map.of(model.graph().inputs().get(0).name(), bound));
            Map<String, IntTensor> q = IntInterpreter.runAll(integer.graph(), integer.quantizeInput(bound));
            for (Map.Entry<String, IntType> e : types.entrySet()) {
                FloatTensor ref = f.get(reference.get(e.getKey()));
                IntTensor got = q.get(e.getKey());
                if (ref == null || !ref.shape().equals(got.shape())) continue;
                long[] codes = got.data();
                IntType t = e.getValue();
                // beyond half a step outside the grid: saturated, not rounded (a ReLU's zeros at the bottom code are not)
                double lowest = (t.min() - t.zeroPoint() - 0.5) * t.scale(), highest = (t.max() - t.zeroPoint() + 0.5) * t.scale();
                double[] s = sums.computeIfAbsent(e.getKey(), k -> new double[7]);
                for (int i = 0; i < codes.length; i++) {
                    double d = (codes[i] - t.zeroPoint()) * t.scale() - ref.data()[i];
                    s[0] += d * d;
                    s[1] = Math.max(s[1], Math.abs(d));
                    s[2] += (double) ref.data()[i] * ref.data()[i];
                    if (ref.data()[i] < lowest || ref.data()[i] > highest) s[3]++;
                    s[4]++;
                    s[5] += d;
                    if (Math.abs(d) > 0.5 * t.scale()) s[6]++;
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] s = e.getValue();
            IntType t = types.get(e.getKey());
            rows.add(new Row(e.getKey(), ops.get(e.getKey()), t.bits(), t.scale(), Math.sqrt(s[0] / s[4]), s[5] / s[4], s[1],
                    Math.sqrt(s[2] / s[4]), s[3] / s[4], s[6] / s[4]));
        }
        return new LayerErrors(rows);
    }

    /**
     * For each integer value, the float value it stands for. A fused integer node is named
     * "first+...+last" after the float nodes it replaces and stands for the last one's output; a
     * trained quantization point after a float value is part of that value (the integer code is
     * the fake-quantized number). A fold may move the last node (a BatchNorm) across layout ops
     * that separate it from the rest in the float graph: the fused value then stands for the
     * float value before those layout ops with the moved node applied, and has no counterpart
     * until the integer layout ops that mirror the float ones bring it to where the moved node
     * reads; from there on it is that node's output again.
     */
    static Map<String, String> references(Graph floatGraph, Graph intGraph) {
        Map<String, Node> byName = new HashMap<>();
        for (Node nd : floatGraph.nodes()) byName.put(nd.name(), nd);
        java.util.function.UnaryOperator<String> quantized = name -> {
            String v = name;
            for (List<Node> c = floatGraph.uses().readers(v); c.size() == 1 && c.get(0).op() instanceof FakeQuant; c = floatGraph.uses().readers(v)) {
                v = c.get(0).output().name();
            }
            return v;
        };
        Map<String, String> ref = new HashMap<>();
        // integer value -> {float value it stands for before the moved node, the moved float node's name}
        Map<String, String[]> moved = new HashMap<>();
        String in = intGraph.inputs().get(0).name();
        if (floatGraph.inputs().get(0).name().equals(in)) ref.put(in, quantized.apply(in));
        for (Node nd : intGraph.nodes()) {
            String[] parts = nd.name().split("\\+");
            Node first = byName.get(parts[0]), last = byName.get(parts[parts.length - 1]);
            if (first == null || last == null || first.inputs().isEmpty() || nd.inputs().isEmpty()) continue;
            String reads = quantized.apply(first.inputs().get(0).name());
            String[] pending = moved.get(nd.inputs().get(0).name());
            if (pending != null && parts.length == 1 && pending[0].equals(reads)) {
                // a layout op the moved node was folded across: follow it in the float graph
                resolve(nd.output().name(), quantized.apply(first.output().name()), byName.get(pending[1]), quantized, ref, moved);
                continue;
            }
            String readsInt = ref.get(nd.inputs().get(0).name());
            if (readsInt == null || !readsInt.equals(reads)) continue;
            if (parts.length > 1) {
                Node beforeLast = byName.get(parts[parts.length - 2]);
                if (beforeLast != null) {
                    resolve(nd.output().name(), quantized.apply(beforeLast.output().name()), last, quantized, ref, moved);
                    continue;
                }
            }
            ref.put(nd.output().name(), quantized.apply(last.output().name()));
        }
        return ref;
    }

    /** The integer value is float value {@code before} with {@code last} applied: its output if last reads it, else still pending. */
    private static void resolve(String intValue, String before, Node last, java.util.function.UnaryOperator<String> quantized,
            Map<String, String> ref, Map<String, String[]> moved) {
        if (quantized.apply(last.inputs().get(0).name()).equals(before)) ref.put(intValue, quantized.apply(last.output().name()));
        else moved.put(intValue, new String[] {before, last.name()});
    }

    List<Map<String, Object>> json() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", r.name());
            o.put("op", r.op());
            o.put("bits", r.bits());
            o.put("scale", r.scale());
            o.put("rmse", r.rmse());
            o.put("rmse_steps", r.rmseSteps());
            o.put("mean_error", r.mean());
            o.put("max_abs", r.maxAbs());
            o.put("float_rms", r.floatRms());
            o.put("clipped_fraction", r.clipped());
            o.put("differing_fraction", r.offByOne());
            out.add(o);
        }
        return out;
    }
}
