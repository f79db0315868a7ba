package org.tfq.onnx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.Value;
import org.tfq.ir.op.Gelu;
import org.tfq.onnx.proto.Onnx.NodeProto;

/**
 * Recognises an elementwise function by what it computes, not how it is spelt: the connected
 * nodes that apply scalar arithmetic and transcendental functions to one activation form a
 * function f(x), which is evaluated at probe points and compared with the functions the IR
 * knows. So GELU matches whether the exporter wrote x*0.5*(1+erf(x/sqrt2)), Pow(x,3) or x*x*x,
 * or any reordering.
 */
final class ElementwiseRegion {
    private ElementwiseRegion() {}

    private static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Erf", "Tanh", "Sqrt",
            "Sigmoid", "Exp", "Neg");
    private static final Set<String> NONLINEAR = Set.of("Pow", "Erf", "Tanh", "Sqrt", "Sigmoid", "Exp");
    private static final double TOLERANCE = 1e-5;
    private static final Set<String> NODE_BY_NODE = Set.of("Add", "Sub", "Mul", "Div", "Sqrt", "Pow");

    /** Tries the region that contains {@code start}; true if it was recognised and emitted. */
    static boolean tryMatch(GraphBuilder b, OnnxGraph g, NodeProto start) {
        String x = null;
        for (String in : start.getInputList()) if (b.activation(in) != null) x = in;
        if (x == null || b.linearElementwise.contains(start)) return false;
        List<NodeProto> region = grow(b, g, x);
        if (!region.contains(start)) return false;
        if (!isNonlinear(region, x)) {
            // the region of any later node of this one is part of it, so linear too: a chain of N
            // multiplications by constants is grown once, not N times
            b.linearElementwise.addAll(region);
            return false;
        }
        Set<String> produced = new HashSet<>();
        region.forEach(n -> produced.addAll(n.getOutputList()));
        Set<NodeProto> inRegion = new HashSet<>(region);
        List<String> escaping = new ArrayList<>();
        for (NodeProto n : region) {
            for (String out : n.getOutputList()) {
                boolean usedOutside = g.graphOutputs.contains(out)
                        || g.consumersOf(out).stream().anyMatch(c -> !inRegion.contains(c));
                if (usedOutside) escaping.add(out);
            }
        }
        if (escaping.size() != 1) return false;
        String y = escaping.get(0);
        Value input = b.activation(x);
        Gelu match = identify(b, region, x, y);
        if (match == null) {
            // products, differences and square roots node by node (NormalizationArithmetic) when that is all they are
            if (region.stream().allMatch(n -> NODE_BY_NODE.contains(n.getOpType()))) return false;
            throw new OnnxImportException("the elementwise function computed by " + region.size() + " nodes ("
                    + String.join(", ", GraphBuilder.opTypes(region)) + ") from '" + x + "' is neither GELU (erf) nor GELU (tanh)");
        }
        b.emitFused(region, match, input, y);
        return true;
    }

    /** All nodes reachable from x through elementwise ops whose other operands are scalar constants or region values. */
    private static List<NodeProto> grow(GraphBuilder b, OnnxGraph g, String x) {
        Set<String> values = new HashSet<>(Set.of(x));
        Set<NodeProto> region = new LinkedHashSet<>();
        // a node is retried whenever one of its inputs joins, so the last one to join adds it
        java.util.Deque<String> joined = new java.util.ArrayDeque<>(List.of(x));
        while (!joined.isEmpty()) {
            for (NodeProto c : g.consumersOf(joined.poll())) {
                if (region.contains(c) || !ELEMENTWISE.contains(c.getOpType()) || c.getOutputCount() != 1) continue;
                if (!(c.getDomain().isEmpty() || c.getDomain().equals("ai.onnx"))) continue;
                boolean ok = true;
                for (String in : c.getInputList()) {
                    if (values.contains(in)) continue;
                    Const k = b.activation(in) == null ? b.constOf(in) : null;
                    if (k == null || k.size() != 1) ok = false;
                }
                if (ok) {
                    region.add(c);
                    values.add(c.getOutput(0));
                    joined.add(c.getOutput(0));
                }
            }
        }
        List<NodeProto> sorted = new ArrayList<>(region);
        sorted.sort(Comparator.comparingInt(g::position));
        return sorted;
    }

    private static boolean isNonlinear(List<NodeProto> region, String x) {
        Set<String> dynamic = new HashSet<>(Set.of(x));
        for (NodeProto n : region) {
            if (NONLINEAR.contains(n.getOpType())) return true;
            long dynamicInputs = n.getInputList().stream().filter(dynamic::contains).count();
            if ((n.getOpType().equals("Mul") || n.getOpType().equals("Div")) && dynamicInputs == 2) return true;
            dynamic.add(n.getOutput(0));
        }
        return false;
    }

    private static Gelu identify(GraphBuilder b, List<NodeProto> region, String x, String y) {
        for (Gelu candidate : List.of(new Gelu(false), new Gelu(true))) {
            boolean ok = true;
            for (int i = -80; i <= 80 && ok; i++) {
                double t = i / 10.0;
                double got = evaluate(b, region, x, y, t);
                ok = Math.abs(got - candidate.of(t)) <= TOLERANCE * (1 + Math.abs(t));
            }
            if (ok) return candidate;
        }
        return null;
    }

    private static double evaluate(GraphBuilder b, List<NodeProto> region, String x, String y, double t) {
        Map<String, Double> env = new HashMap<>();
        env.put(x, t);
        for (NodeProto n : region) {
            double[] a = new double[n.getInputCount()];
            for (int i = 0; i < a.length; i++) {
                String in = n.getInput(i);
                a[i] = env.containsKey(in) ? env.get(in) : b.constOf(in).get(0);
            }
            double r = switch (n.getOpType()) {
                case "Add" -> a[0] + a[1];
                case "Sub" -> a[0] - a[1];
                case "Mul" -> a[0] * a[1];
                case "Div" -> a[0] / a[1];
                case "Pow" -> Math.pow(a[0], a[1]);
                case "Erf" -> org.tfq.ir.op.Erf.erf(a[0]);
                case "Tanh" -> Math.tanh(a[0]);
                case "Sqrt" -> Math.sqrt(a[0]);
                case "Sigmoid" -> 1 / (1 + Math.exp(-a[0]));
                case "Exp" -> Math.exp(a[0]);
                case "Neg" -> -a[0];
                default -> throw new IllegalStateException(n.getOpType());
            };
            env.put(n.getOutput(0), r);
        }
        return env.get(y);
    }
}
