package org.tfq.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The plots of a hand-made table: the SVG parses as XML with one circle per configuration that
 * fits, the Pareto ones marked; the PNG reads back with the same points at the same places.
 */
public class ExplorePlotTest {

    @TempDir
    Path tmp;

    /** name, bits, lanes, rmse, cycles, lut, energy, fits. */
    public static ExploreRow row(int order, String name, double rmse, long cycles, int lut, double energy, boolean fits) {
        return new ExploreRow(order, name, 8, new TreeMap<>(), 8, "bram", 0.04, rmse, cycles, cycles / 100.0, lut, 0, lut, 4, 1,
                100.0 * lut / 8000, fits, ExploreRow.MODEL, 0.05, energy, ExploreRow.MODEL, null, null);
    }

    /** Seven fitting points, of which b, c, e and g are on the RMSE-latency front, and one that does not fit (not drawn). */
    public static List<ExploreRow> table() {
        return List.of(
                row(0, "a", 0.20, 40_000, 1500, 20, true),
                row(1, "b", 0.05, 4_000, 2000, 3, true),
                row(2, "c", 0.03, 8_000, 1800, 4, true),
                row(3, "d", 0.06, 9_000, 2500, 5, true),   // dominated by b and c
                row(4, "e", 0.02, 30_000, 1600, 15, true),
                row(5, "f", 0.09, 4_500, 2100, 3.5, true), // dominated by b
                row(6, "g", 0.30, 1_000, 7000, 1, true),
                row(7, "h", 0.01, 500, 9000, 0.5, false)); // would dominate everything, but does not fit
    }

    @Test
    void svgAndPngOfTheRmseLatencyFront() throws Exception {
        List<ExploreRow> rows = table();
        Set<String> front = ExploreFront.RMSE_LATENCY.of(rows);
        assertEquals(Set.of("b", "c", "e", "g"), front);
        ScatterPlot plot = ExploreTable.plot(ExploreFront.RMSE_LATENCY, rows, front);
        Path base = tmp.resolve("rmse-latency");
        PlotFiles.write(plot, base);

        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(tmp.resolve("rmse-latency.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        NodeList circles = svg.getElementsByTagName("circle");
        int points = 0, pareto = 0;
        List<String> paretoTitles = new ArrayList<>();
        for (int i = 0; i < circles.getLength(); i++) {
            Element c = (Element) circles.item(i);
            List<String> cls = List.of(c.getAttribute("class").split(" "));
            if (!cls.contains("point")) continue;
            points++;
            if (cls.contains("pareto")) {
                pareto++;
                paretoTitles.add(c.getElementsByTagName("title").item(0).getTextContent());
            }
        }
        assertEquals(7, points);
        assertEquals(4, pareto);
        assertEquals(Set.of("b", "c", "e", "g"), Set.copyOf(paretoTitles));
        String text = Files.readString(tmp.resolve("rmse-latency.svg"));
        assertTrue(text.contains("latency per inference (us)"), "x axis label");
        assertTrue(text.contains("test RMSE of the integer model"), "y axis label");

        BufferedImage png = ImageIO.read(tmp.resolve("rmse-latency.png").toFile());
        assertNotNull(png, "not a PNG ImageIO can read");
        assertEquals(ScatterPlot.WIDTH, png.getWidth());
        assertEquals(ScatterPlot.HEIGHT, png.getHeight());
        assertEquals(7, plot.dots().size());
        for (ScatterPlot.Dot d : plot.dots()) {
            Color c = new Color(png.getRGB((int) Math.round(d.px()), (int) Math.round(d.py())));
            Color want = d.pareto() ? PlotFiles.RED : PlotFiles.GREY;
            assertTrue(close(c, want), d.label() + " at (" + d.px() + ", " + d.py() + ") is " + c + ", not " + want);
        }
    }

    /** The fronts of the same table on the other two plots. */
    @Test
    void otherFronts() {
        assertEquals(Set.of("b", "c", "e", "g"), ExploreFront.RMSE_ENERGY.of(table()));
        assertEquals(Set.of("a", "c", "e", "b", "g"), ExploreFront.LUT_LATENCY.of(table()));
    }

    @Test
    void emptyTableStillDrawsAxes() throws IOException {
        ScatterPlot plot = ExploreTable.plot(ExploreFront.LUT_LATENCY, List.of(), Set.of());
        PlotFiles.write(plot, tmp.resolve("empty"));
        assertTrue(Files.readString(tmp.resolve("empty.svg")).contains("LUTs"));
        assertNotNull(ImageIO.read(tmp.resolve("empty.png").toFile()));
    }

    private static boolean close(Color a, Color b) {
        return Math.abs(a.getRed() - b.getRed()) < 24 && Math.abs(a.getGreen() - b.getGreen()) < 24 && Math.abs(a.getBlue() - b.getBlue()) < 24;
    }
}
