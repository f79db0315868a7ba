package org.tfq.passes.resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.tfq.ir.io.Json;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;
import org.tfq.verilog.EngineGenerator;

/**
 * Recalibrating the resource model (not part of the test suite: runs only with
 * {@code -Dtfq.calibration.dir=DIR}): for every DIR/STEM_bBITS_lLANES that holds
 * {@code reports/estimate.json} from {@code tfq estimate}, writes one JSON line with Yosys'
 * totals, the model's totals and every coefficient's feature to {@code -Dtfq.calibration.out}
 * (default DIR/calibration.jsonl); a least-squares fit of the coefficients to Yosys' totals
 * then gives the constants in {@link ResourceModel}.
 */
class CalibrationDump {

    @Test
    void dump() throws IOException {
        String dir = System.getProperty("tfq.calibration.dir");
        Assumptions.assumeTrue(dir != null, "calibration only: -Dtfq.calibration.dir=DIR");
        Path root = Path.of(dir);
        Path out = Path.of(System.getProperty("tfq.calibration.out", root.resolve("calibration.jsonl").toString()));
        List<String> lines = new ArrayList<>();
        List<Path> designs;
        try (Stream<Path> s = Files.list(root)) {
            designs = s.filter(d -> Files.isRegularFile(d.resolve("reports/estimate.json"))).sorted().toList();
        }
        Map<String, IntegerModel> models = new LinkedHashMap<>();
        for (Path d : designs) {
            String name = d.getFileName().toString();
            int l = name.lastIndexOf("_l"), b = name.lastIndexOf("_b", l - 1);
            String stem = name.substring(0, b);
            int bits = Integer.parseInt(name.substring(b + 2, l));
            int lanes = Integer.parseInt(name.substring(l + 2));
            IntegerModel im = models.computeIfAbsent(stem + "/" + bits,
                    k -> org.tfq.cli.ResourceModelTest.quantize(stem, stem.startsWith("qat_") ? null : bits));
            Program p = ScheduleProgram.run(im, lanes, EngineGenerator.LATENCIES);
            Resources m = ResourceModel.estimate(p, ResourceModel.ActivationMemory.AUTO).total();
            Object y = Json.read(Files.readString(d.resolve("reports/estimate.json")));
            Map<?, ?> ym = (Map<?, ?>) y;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("yosys", Map.of("lut", ym.get("lut"), "ff", ym.get("ff"), "lutram", ym.get("lutram"), "dsp", ym.get("dsp"),
                    "bram36", ym.get("bram36"), "bram18", ym.get("bram18")));
            row.put("model", Map.of("lut", m.lut(), "ff", m.ff(), "lutram", m.lutram(), "dsp", m.dsp(), "bram36", m.bram36(), "bram18", m.bram18()));
            row.put("features", new LinkedHashMap<>(ResourceModel.features(p, ResourceModel.ActivationMemory.AUTO)));
            lines.add(Json.write(row).replace("\n", " "));
        }
        Files.write(out, lines);
        System.out.println("wrote " + lines.size() + " designs to " + out);
    }
}
