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
 * <p>{@code java -cp tfq.jar org.tfq.compiler.ResourceCalibration OUT.jsonl DESIGNS}, DESIGNS a file of lines
 * {@code OUTDIR=ESTIMATE.json}.
 */
public final class ResourceCalibration {
    private ResourceCalibration() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) usage();
        List<String> lines = new ArrayList<>();
        for (String pair : Files.readAllLines(Path.of(args[1]))) {
            int eq = pair.lastIndexOf('=');
            if (eq < 0) usage();
            lines.add(line(Path.of(pair.substring(0, eq)), Path.of(pair.substring(eq + 1))));
        }
        Files.write(Path.of(args[0]), lines);
        System.out.println("wrote " + lines.size() + " designs to " + args[0]);
    }

    private static void usage() {
        System.err.println("usage: ResourceCalibration OUT.jsonl DESIGNS (a file of lines OUTDIR=ESTIMATE.json: a compiled design and"
                + " tfq estimate --json of it)");
        System.exit(2);
    }

    static String line(Path design, Path estimate) throws IOException {
        Graph g = TextParser.parse(Files.readString(design.resolve("ir.txt")));
        Map<?, ?> report = (Map<?, ?>) Json.read(Files.readString(design.resolve("report.json")));
        int lanes = ((Number) ((Map<?, ?>) report.get("hardware")).get("lanes")).intValue();
        IntegerModel im = new IntegerModel(g, spec(g.inputs().get(0).type().intType()), spec(g.outputs().get(0).type().intType()));
        Program p = new Compiler().program(im, lanes);
        Resources m = ResourceModel.estimate(p, ResourceModel.ActivationMemory.AUTO).total();
        Map<?, ?> y = (Map<?, ?>) Json.read(Files.readString(estimate));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", design.getFileName().toString());
        Map<String, Object> yosys = new LinkedHashMap<>();
        for (String k : m.json(null).keySet()) if (y.containsKey(k)) yosys.put(k, y.get(k)); // the model's keys that Yosys has too
        row.put("yosys", yosys);
        row.put("model", m.json(null));
        row.put("features", new LinkedHashMap<>(ResourceModel.features(p, ResourceModel.ActivationMemory.AUTO)));
        return Json.write(row).replace("\n", " ");
    }

    private static QuantSpec spec(IntType t) {
        return QuantSpec.perTensor(t.scale(), t.zeroPoint(), t.bits(), t.signed());
    }
}
