package org.tfq.cli;

import org.tfq.ir.io.SafeText;

import org.tfq.ir.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.compiler.Compiler;
import org.tfq.ir.Graph;
import org.tfq.ir.TextDump;
import org.tfq.onnx.ImportOptions;
import org.tfq.onnx.ImportResult;
import org.tfq.onnx.ModelInput;
import org.tfq.onnx.OnnxImportException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Imports an ONNX model and prints its inputs and outputs, op counts before and after import,"
                    + " parameters, multiply-accumulates, opsets and producer, and whether tfq supports it.",
            "Exits 1 with the unsupported nodes listed if it does not."
        })
final class InspectCommand extends TfqCommand {

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "Size to bind a symbolic batch dimension to (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--dump-ir", description = "Also print tfq's float IR of the model.")
    boolean dumpIr;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    protected int run() {
        requireBatch(batch);
        requireFile(model, "the model");
        ImportResult r;
        try {
            r = new Compiler().importModel(model, new ImportOptions(batch));
        } catch (OnnxImportException e) {
            error(e.getMessage());
            if (verbose()) e.printStackTrace(err());
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("model", model.toString());
                o.put("supported", false);
                o.put("problems", List.of(e.getMessage().strip().split("\\R")));
                out().print(Json.write(o));
            } else {
                out().println("model: " + model);
                out().println("supported: no");
            }
            out().flush();
            return Main.EXIT_ERROR;
        }
        if (json) {
            out().print(Json.write(toJson(r)));
        } else {
            text(r, out());
        }
        out().flush();
        return Main.EXIT_OK;
    }

    private void text(ImportResult r, PrintWriter o) {
        Graph g = r.graph();
        o.println("model: " + r.source());
        o.println("producer: " + (r.producer() == null || r.producer().isBlank() ? "(none)" : r.producer()));
        List<String> opsets = new ArrayList<>();
        r.opsets().forEach((d, v) -> opsets.add(domain(d) + " " + v));
        o.println("opsets: " + String.join(", ", opsets));
        o.println("inputs:");
        for (ModelInput m : r.inputs()) o.println("  " + describe(m));
        o.println("outputs:");
        for (ModelInput m : r.outputs()) o.println("  " + describe(m));
        counts(o, "onnx ops:", r.onnxOpCounts());
        counts(o, "ir ops:", g.opCounts());
        o.println("parameters: " + g.parameters());
        o.println("macs: " + g.macs() + " multiply-accumulates per inference (batch " + batch + ")");
        o.println("supported: yes");
        if (org.tfq.passes.quant.PlanFromTraining.isTrained(g)) {
            org.tfq.passes.quant.ScaleOrigins gaps = org.tfq.passes.quant.Quantize.trainedGaps(g, org.tfq.passes.quant.QuantOptions.DEFAULT_OUTPUT_BITS);
            gaps.inferred().forEach((v, from) -> o.println("scale inferred: %" + SafeText.printable(v) + " from %" + SafeText.printable(from)));
            gaps.internal().forEach((v, bits) -> o.println("no quantization, kept at an internal width: %" + SafeText.printable(v) + " at " + bits
                    + " bits (worst-case range analysis)"));
            gaps.calibrated().forEach(v -> o.println("no quantization and none inferred: %" + SafeText.printable(v) + " (quantize it in training, or pass --calibration to compile and evaluate)"));
        }
        if (dumpIr) {
            o.println();
            o.print(TextDump.graph(g)); // the ops in full are in compile's float-ir.txt
        }
    }

    private static void counts(PrintWriter o, String heading, Map<String, Integer> counts) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        o.println(heading + " " + total + " nodes");
        int width = counts.keySet().stream().mapToInt(String::length).max().orElse(0);
        counts.forEach((op, n) -> o.println(String.format("  %-" + width + "s  %d", op, n)));
    }

    /** {@code x [1,12,7], batch axis 0 (symbolic, bound to 1)}. */
    static String describe(ModelInput m) {
        String s = m.name() + " " + m.shape();
        if (m.batchAxis() < 0) return s + ", no batch axis";
        return s + ", batch axis " + m.batchAxis() + (m.dynamicBatch() ? " (symbolic, bound to " + m.shape().dim(m.batchAxis()) + ")" : " (fixed)");
    }

    private static String domain(String d) {
        return d == null || d.isEmpty() ? "ai.onnx" : d;
    }

    private Map<String, Object> toJson(ImportResult r) {
        Graph g = r.graph();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", r.source().toString());
        o.put("producer", r.producer());
        Map<String, Object> opsets = new LinkedHashMap<>();
        r.opsets().forEach((d, v) -> opsets.put(domain(d), v));
        o.put("opsets", opsets);
        o.put("batch", batch);
        o.put("inputs", r.inputs().stream().map(InspectCommand::json).toList());
        o.put("outputs", r.outputs().stream().map(InspectCommand::json).toList());
        o.put("onnx_op_counts", new LinkedHashMap<>(r.onnxOpCounts()));
        o.put("ir_op_counts", new LinkedHashMap<>(g.opCounts()));
        o.put("parameters", g.parameters());
        o.put("macs", g.macs());
        o.put("supported", true);
        if (org.tfq.passes.quant.PlanFromTraining.isTrained(g)) {
            org.tfq.passes.quant.ScaleOrigins gaps = org.tfq.passes.quant.Quantize.trainedGaps(g, org.tfq.passes.quant.QuantOptions.DEFAULT_OUTPUT_BITS);
            o.put("scales_inferred", new LinkedHashMap<>(gaps.inferred()));
            o.put("scales_internal_bits", new LinkedHashMap<>(gaps.internal()));
            o.put("scales_open", gaps.calibrated());
        }
        if (dumpIr) o.put("ir", TextDump.graph(g));
        return o;
    }

    static Map<String, Object> json(ModelInput m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", m.name());
        o.put("shape", java.util.Arrays.stream(m.shape().dims()).boxed().toList());
        o.put("batch_axis", m.batchAxis() < 0 ? null : m.batchAxis());
        o.put("dynamic_batch", m.dynamicBatch());
        o.put("sample_shape", java.util.Arrays.stream(m.sampleShape().dims()).boxed().toList());
        return o;
    }
}
