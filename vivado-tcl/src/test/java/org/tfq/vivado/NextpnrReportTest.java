package org.tfq.vivado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NextpnrReportTest {

    @Test
    void nextpnrReportIntoTheVivadoSummary(@TempDir Path tmp) throws Exception {
        Path out = Fixtures.outdirWithReports(tmp, "nextpnr");
        Files.writeString(out.resolve("report.json"), "{\"part\": \"ice40up5k-sg48\", \"cycles_per_inference\": 22529}\n");
        VivadoSummary s = VivadoReports.summarize(out, VivadoReports.cyclesPerInference(out));
        VivadoSummary.Utilization u = s.utilization();
        assertEquals("ice40up5k-sg48", u.device());
        assertEquals(3606, u.lut());
        assertEquals(5280, u.lutAvailable());
        assertEquals(6, u.dsp());
        assertEquals(8, u.dspAvailable());
        assertEquals(27, u.ebr());
        assertEquals(30, u.ebrAvailable());
        assertNull(u.bram36());
        VivadoSummary.Timing t = s.timing();
        assertEquals(Boolean.TRUE, t.met());
        assertEquals(30.163, t.fmaxMhz());
        assertEquals(41.667, t.periodNs());
        assertEquals(8.514, t.wnsNs()); // 1000/24 - 1000/30.163
        assertEquals(0.938715843, s.latencyMs()); // 22,529 cycles of 41.667 ns
        assertNull(s.power());
        assertNull(s.energyMj());
        Map<String, Object> m = s.toMap();
        assertEquals(27, ((Map<?, ?>) m.get("utilization")).get("ebr"));
        assertEquals(List.of(Ice40Flow.REPORT), s.sources()); // one report gives utilization and timing: named once
    }

    @Test
    void aVivadoSummaryHasNoEbrKey(@TempDir Path tmp) {
        Map<String, Object> m = VivadoReports.summarize(Fixtures.outdirWithReports(tmp, "met"), null).toMap();
        assertTrue(!((Map<?, ?>) m.get("utilization")).containsKey("ebr"));
    }

    @Test
    void notAReport(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("reports"));
        Files.writeString(tmp.resolve(Ice40Flow.REPORT), "[1, 2]");
        VivadoException e = assertThrows(VivadoException.class, () -> VivadoReports.summarize(tmp, null));
        assertTrue(e.getMessage().endsWith("nextpnr.json: not a nextpnr report (no JSON object)"), e.getMessage());
    }
}
