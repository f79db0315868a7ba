package org.tfq.explore;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.tfq.compiler.WholeFile;
import org.tfq.verilog.Templates;

/**
 * A {@link ScatterPlot} as an SVG (the template {@code org/tfq/explore/plot.svg.ftl}) and as
 * a PNG (drawn with Java2D, headless: explore runs on servers without a display).
 */
public final class PlotFiles {
    private PlotFiles() {}

    private static final Templates TEMPLATES = new Templates("/org/tfq/explore");
    public static final Color GREY = new Color(0x9a9a9a);
    public static final Color RED = new Color(0xd62728);
    /** Where the legend's second entry starts, right of the first. */
    private static final double LEGEND_SECOND = 200;

    public static String svg(ScatterPlot p) {
        Map<String, Object> m = new LinkedHashMap<>();
        int w = ScatterPlot.WIDTH, h = ScatterPlot.HEIGHT;
        double left = ScatterPlot.LEFT, right = w - ScatterPlot.RIGHT, top = ScatterPlot.TOP, bottom = h - ScatterPlot.BOTTOM;
        m.put("width", Integer.toString(w));
        m.put("height", Integer.toString(h));
        m.put("title", p.title());
        m.put("xLabel", p.xLabel());
        m.put("yLabel", p.yLabel());
        m.put("xLog", p.xLog());
        m.put("yLog", p.yLog());
        m.put("left", ScatterPlot.px(left));
        m.put("right", ScatterPlot.px(right));
        m.put("top", ScatterPlot.px(top));
        m.put("bottom", ScatterPlot.px(bottom));
        m.put("frameWidth", ScatterPlot.px(right - left));
        m.put("frameHeight", ScatterPlot.px(bottom - top));
        m.put("centerX", ScatterPlot.px((left + right) / 2));
        m.put("centerY", ScatterPlot.px((top + bottom) / 2));
        m.put("bottomTick", ScatterPlot.px(bottom + 5));
        m.put("bottomText", ScatterPlot.px(bottom + 20));
        m.put("xLabelY", ScatterPlot.px(bottom + 45));
        m.put("leftTick", ScatterPlot.px(left - 5));
        m.put("leftText", ScatterPlot.px(left - 8));
        m.put("xTicks", ticks(p.xTicks()));
        m.put("yTicks", ticks(p.yTicks()));
        List<Map<String, Object>> dots = new ArrayList<>();
        for (ScatterPlot.Dot d : p.dots()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("x", ScatterPlot.px(d.px()));
            dm.put("y", ScatterPlot.px(d.py()));
            dm.put("labelX", ScatterPlot.px(d.labelLeftOf() ? d.px() - 7 : d.px() + 7));
            dm.put("labelAnchor", d.labelLeftOf() ? "end" : "start");
            dm.put("label", d.label());
            dm.put("pareto", d.pareto());
            dots.add(dm);
        }
        m.put("dots", dots);
        StringBuilder front = new StringBuilder();
        for (double[] q : p.front()) front.append(front.length() == 0 ? "" : " ").append(ScatterPlot.px(q[0])).append(',').append(ScatterPlot.px(q[1]));
        m.put("front", front.toString());
        // the legend sits in one line between the title and the frame, where it cannot hide a point
        m.put("legendX", ScatterPlot.px(left));
        m.put("legendTextX", ScatterPlot.px(left + 16));
        m.put("legendX2", ScatterPlot.px(left + LEGEND_SECOND));
        m.put("legendTextX2", ScatterPlot.px(left + LEGEND_SECOND + 16));
        m.put("legendY", ScatterPlot.px(top - 20));
        m.put("points", Integer.toString(p.dots().size()));
        m.put("paretoPoints", Integer.toString(p.paretoCount()));
        return TEMPLATES.render("plot.svg.ftl", m);
    }

    private static List<Map<String, Object>> ticks(List<ScatterPlot.Tick> ticks) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ScatterPlot.Tick t : ticks) out.add(Map.of("pos", ScatterPlot.px(t.pos()), "text", t.text()));
        return out;
    }

    public static BufferedImage png(ScatterPlot p) {
        System.setProperty("java.awt.headless", "true");
        int w = ScatterPlot.WIDTH, h = ScatterPlot.HEIGHT;
        double left = ScatterPlot.LEFT, right = w - ScatterPlot.RIGHT, top = ScatterPlot.TOP, bottom = h - ScatterPlot.BOTTOM;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(new Color(0xe4e4e4));
            for (ScatterPlot.Tick t : p.xTicks()) g.draw(new java.awt.geom.Line2D.Double(t.pos(), top, t.pos(), bottom));
            for (ScatterPlot.Tick t : p.yTicks()) g.draw(new java.awt.geom.Line2D.Double(left, t.pos(), right, t.pos()));
            g.setColor(Color.BLACK);
            g.draw(new java.awt.geom.Rectangle2D.Double(left, top, right - left, bottom - top));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (ScatterPlot.Tick t : p.xTicks()) {
                g.draw(new java.awt.geom.Line2D.Double(t.pos(), bottom, t.pos(), bottom + 5));
                g.drawString(t.text(), (float) (t.pos() - fm.stringWidth(t.text()) / 2.0), (float) (bottom + 20));
            }
            for (ScatterPlot.Tick t : p.yTicks()) {
                g.draw(new java.awt.geom.Line2D.Double(left - 5, t.pos(), left, t.pos()));
                g.drawString(t.text(), (float) (left - 8 - fm.stringWidth(t.text())), (float) (t.pos() + 4));
            }
            String xl = p.xLabel() + (p.xLog() ? " (log scale)" : "");
            g.drawString(xl, (float) ((left + right - fm.stringWidth(xl)) / 2), (float) (bottom + 45));
            String yl = p.yLabel() + (p.yLog() ? " (log scale)" : "");
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(yl, (float) (-(top + bottom + fm.stringWidth(yl)) / 2), 22f);
            g.setTransform(saved);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(p.title(), (float) ((w - g.getFontMetrics().stringWidth(p.title())) / 2.0), 24f);
            if (!p.front().isEmpty()) {
                Path2D.Double line = new Path2D.Double();
                for (int i = 0; i < p.front().size(); i++) {
                    double[] q = p.front().get(i);
                    if (i == 0) line.moveTo(q[0], q[1]);
                    else line.lineTo(q[0], q[1]);
                }
                g.setColor(RED);
                g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 3f}, 0f));
                g.draw(line);
                g.setStroke(new BasicStroke(1f));
            }
            for (ScatterPlot.Dot d : p.dots()) {
                if (d.pareto()) continue;
                g.setColor(GREY);
                g.fill(new Ellipse2D.Double(d.px() - 4, d.py() - 4, 8, 8));
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            for (ScatterPlot.Dot d : p.dots()) {
                if (!d.pareto()) continue;
                Ellipse2D.Double c = new Ellipse2D.Double(d.px() - 5.5, d.py() - 5.5, 11, 11);
                g.setColor(RED);
                g.fill(c);
                g.setColor(Color.BLACK);
                g.draw(c);
                int lw = g.getFontMetrics().stringWidth(d.label());
                g.drawString(d.label(), (float) (d.labelLeftOf() ? d.px() - 7 - lw : d.px() + 7), (float) (d.py() - 7));
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(GREY);
            g.fill(new java.awt.geom.Rectangle2D.Double(left, top - 20, 10, 10));
            g.setColor(RED);
            g.fill(new java.awt.geom.Rectangle2D.Double(left + LEGEND_SECOND, top - 20, 10, 10));
            g.setColor(Color.BLACK);
            g.drawString("fits the part (" + p.dots().size() + " points)", (float) (left + 16), (float) (top - 11));
            g.drawString("Pareto front (" + p.paretoCount() + " points)", (float) (left + LEGEND_SECOND + 16), (float) (top - 11));
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes {@code base}.svg and {@code base}.png, each whole or not at all. */
    public static void write(ScatterPlot p, Path base) throws IOException {
        WholeFile.write(base.resolveSibling(base.getFileName() + ".svg"), svg(p));
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        if (!ImageIO.write(png(p), "png", png)) throw new IOException("no PNG writer in this Java runtime");
        WholeFile.write(base.resolveSibling(base.getFileName() + ".png"), png.toByteArray());
    }
}
