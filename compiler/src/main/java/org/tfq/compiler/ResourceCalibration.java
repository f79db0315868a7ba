package org.tfq.compiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tfq.ir.Graph;
import org.tfq.ir.IntType;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.TextParser;
import org.tfq.ir.io.Json;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.resources.ResourceModel;
import org.tfq.passes.resources.Resources;
import org.tfq.passes.schedule.Program;

/**
 * Recalibrating the resource model, a developer's tool that bench/resources runs with
 * {@code FEATURES=FILE}: for each compiled design and the Yosys estimate of it, one JSON line with
 * Yosys' totals, the model's totals and every coefficient's feature
 * ({@link ResourceModel#features}). A least-squares fit of the coefficients to Yosys' totals then
 * gives the constants in {@link ResourceModel}. The design is read back from its own
 * {@code ir.txt} and scheduled at its {@code report.json}'s lanes, so the features are exactly
 * the compiled design's.
 *
 * <p>{@code java -cp tfq.jar org.tfq.compiler.ResourceCalibration OUT.jsonl OUTDIR=ESTIMATE.json ...}
 */
public final class ResourceCalibration {
    private ResourceCalibration() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ResourceCalibration OUT.jsonl OUTDIR=ESTIMATE.json ...");
            System.exit(2);
        }
        List<String> lines = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].lastIndexOf('=');
            lines.add(line(Path.of(args[i].substring(0, eq)), Path.of(args[i].substring(eq + 1))));
        }
        Files.write(Path.of(args[0]), lines);
        System.out.println("wrote " + lines.size() + " designs to " + args[0]);
    }

    static String line(Path design, Path estimate) throws IOException {
        Graph g = TextParser.parse(Files.readString(design.resolve("ir.txt")));
        Map<?, ?> report = (Map<?, ?>) Json.read(Files.readString(design.resolve("report.json")));
        int lanes = ((Number) ((Map<?, ?>) report.get("hardware")).get("lanes")).intValue();
        IntegerModel im = new IntegerModel(g, spec(g.inputs().get(0).type().intType()), spec(g.outputs().get(0).type().intType()));
        Program p = new Compiler().program(new Quantized(null, im), lanes);
        Resources m = ResourceModel.estimate(p, ResourceModel.ActivationMemory.AUTO).total();
        Map<?, ?> y = (Map<?, ?>) Json.read(Files.readString(estimate));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", design.getFileName().toString());
        row.put("yosys", Map.of("lut", y.get("lut"), "ff", y.get("ff"), "lutram", y.get("lutram"), "dsp", y.get("dsp"),
                "bram36", y.get("bram36"), "bram18", y.get("bram18")));
        row.put("model", Map.of("lut", m.lut(), "ff", m.ff(), "lutram", m.lutram(), "dsp", m.dsp(), "bram36", m.bram36(), "bram18", m.bram18()));
        row.put("features", new LinkedHashMap<>(ResourceModel.features(p, ResourceModel.ActivationMemory.AUTO)));
        return Json.write(row).replace("\n", " ");
    }

    private static QuantSpec spec(IntType t) {
        return QuantSpec.perTensor(t.scale(), t.zeroPoint(), t.bits(), t.signed());
    }
}
