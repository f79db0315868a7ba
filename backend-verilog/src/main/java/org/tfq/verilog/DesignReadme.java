package org.tfq.verilog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.tfq.ir.IntType;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.Value;
import org.tfq.ir.io.SafeText;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.schedule.Program;

/**
 * The generated folder's {@code README.md} ({@code engine/README.md.ftl}): what the design computes
 * and how to talk to it. How the host turns readings into input codes and output codes into a
 * forecast (scale, zero point, range, a C snippet), the counts and TDATA widths, cycles and latency,
 * the AXI4-Stream/start/busy/done protocol with a timing sketch, the SPI protocol when the design
 * has the SPI top level, the files, and how to simulate, estimate and build.
 *
 * <p>Built from the caller's values, fluently:
 * <pre>{@code
 * DesignReadme.of(program, im).model("ref.onnx").version(v).files(files.verilog(), files.memories())
 *         .spi(true).write(outDir);
 * }</pre>
 */
public final class DesignReadme {

    public static final String FILE = "README.md";

    /**
     * How codes map to real values: x = scale * (q - zeroPoint), codes in [min, max].
     */
    public record Quant(int bits, boolean signed, double scale, long zeroPoint, long min, long max) {
        public Quant {
            if (min > max) throw new IllegalArgumentException("empty code range [" + min + ", " + max + "]");
        }

        /** A per-tensor quantization (the model's input or output). */
        public static Quant of(QuantSpec q) {
            IntType t = q.intType();
            return new Quant(t.bits(), t.signed(), t.scale(), t.zeroPoint(), q.qmin(), q.qmax());
        }

        /** The full range of the type's codes. */
        public static Quant of(IntType t) {
            return new Quant(t.bits(), t.signed(), t.scale(), t.zeroPoint(), t.min(), t.max());
        }
    }

    private final SpiWrapper.Ports ports;
    private final long cycles;
    private final int lanes;
    private final Quant input;
    private final Quant output;
    private String model = "model.onnx";
    private String version = "";
    private String inputName = "input";
    private int[] inputShape;
    private String outputName = "output";
    private int[] outputShape;
    private List<String> rtlFiles = List.of(EngineGenerator.TOP + ".v");
    private List<String> memFiles = List.of();
    private boolean spi;
    private boolean sim = true;
    private boolean spiTestbench;
    private boolean vivado;
    private boolean ice40;
    private boolean makefile;
    private String part = "";
    private double clockMhz = 100;

    private DesignReadme(SpiWrapper.Ports ports, long cycles, int lanes, Quant input, Quant output) {
        this.ports = Objects.requireNonNull(ports);
        if (cycles < 1 || lanes < 1) throw new IllegalArgumentException("cycles and lanes must be positive");
        this.cycles = cycles;
        this.lanes = lanes;
        this.input = Objects.requireNonNull(input);
        this.output = Objects.requireNonNull(output);
        this.inputShape = new int[] {ports.nIn()};
        this.outputShape = new int[] {ports.nOut()};
    }

    /** From the numbers themselves. */
    public static DesignReadme of(SpiWrapper.Ports ports, long cyclesPerInference, int lanes, Quant input, Quant output) {
        return new DesignReadme(ports, cyclesPerInference, lanes, input, output);
    }

    /** From the schedule and the integer model: counts, widths, cycles, lanes, names, shapes and quantization. */
    public static DesignReadme of(Program p, IntegerModel im) {
        DesignReadme r = new DesignReadme(SpiWrapper.Ports.of(p), p.predictedCycles(), p.lanes(), Quant.of(im.input()), Quant.of(im.output()));
        Value in = im.graph().inputs().get(0), out = im.graph().outputs().get(0);
        return r.input(in.name(), in.type().shape().dims()).output(out.name(), out.type().shape().dims());
    }

    /** The model file's name, e.g. {@code ref_n12_d16_m3.onnx}. */
    public DesignReadme model(String name) {
        this.model = Objects.requireNonNull(name);
        return this;
    }

    public DesignReadme version(String v) {
        this.version = v == null ? "" : v;
        return this;
    }

    /** The input's name and shape; the shape's size must be the input code count. */
    public DesignReadme input(String name, int[] shape) {
        requireSize(shape, ports.nIn(), "input");
        this.inputName = Objects.requireNonNull(name);
        this.inputShape = shape.clone();
        return this;
    }

    /** The output's name and shape; the shape's size must be the output code count. */
    public DesignReadme output(String name, int[] shape) {
        requireSize(shape, ports.nOut(), "output");
        this.outputName = Objects.requireNonNull(name);
        this.outputShape = shape.clone();
        return this;
    }

    /** The Verilog files and ROM images of {@code rtl/}, by file name. */
    public DesignReadme files(List<String> verilog, List<String> memories) {
        this.rtlFiles = List.copyOf(verilog);
        this.memFiles = List.copyOf(memories);
        return this;
    }

    /** The design has the SPI top level ({@code --interface spi}); {@code testbench}: {@code sim/tb_tfq_spi.v} exists. */
    public DesignReadme spi(boolean spi, boolean testbench) {
        this.spi = spi;
        this.spiTestbench = spi && testbench;
        return this;
    }

    /** {@link #spi(boolean, boolean)} with the SPI testbench when {@code spi}. */
    public DesignReadme spi(boolean spi) {
        return spi(spi, spi);
    }

    /** Whether {@code sim/} (testbench and vectors) exists; default true. */
    public DesignReadme sim(boolean sim) {
        this.sim = sim;
        return this;
    }

    /** {@code vivado/} exists (for {@code part}, may be empty) and whether a {@code Makefile} does. */
    public DesignReadme vivado(boolean vivado, String part, boolean makefile) {
        this.vivado = vivado;
        this.part = part == null ? "" : part;
        this.makefile = makefile;
        return this;
    }

    /** The iCE40 flow ({@code ice40/}: Yosys, nextpnr-ice40, icepack) in place of Vivado's; default false. */
    public DesignReadme ice40(boolean ice40) {
        this.ice40 = ice40;
        return this;
    }

    /** The clock the latency figures assume; default 100 MHz. */
    public DesignReadme clockMhz(double mhz) {
        if (!(mhz > 0)) throw new IllegalArgumentException("clock must be positive: " + mhz);
        this.clockMhz = mhz;
        return this;
    }

    /** The README text. */
    public String render() {
        return Templates.standard().render("engine/README.md.ftl", model());
    }

    /** Writes {@code outDir/README.md} and returns its path. */
    public Path write(Path outDir) {
        return Templates.standard().render("engine/README.md.ftl", model(), outDir.resolve(FILE));
    }

    Map<String, Object> model() {
        Map<String, Object> m = new LinkedHashMap<>();
        String stem = model.endsWith(".onnx") ? model.substring(0, model.length() - 5) : model;
        m.put("title", SafeText.printable(stem));
        m.put("model", SafeText.markdownCode(model));
        m.put("version", version);
        m.put("spi", spi);
        m.put("spiTestbench", spiTestbench);
        m.put("sim", sim);
        m.put("vivado", vivado);
        m.put("ice40", ice40);
        m.put("makefile", makefile);
        m.put("part", part);
        m.put("inputName", SafeText.markdownCode(inputName));
        m.put("outputName", SafeText.markdownCode(outputName));
        m.put("inputShape", shapeText(inputShape));
        m.put("outputShape", shapeText(outputShape));
        m.put("inputOrder", order(SafeText.markdownCode(inputName), inputShape));
        ports.putInto(m);
        m.put("lanes", lanes);
        m.put("cyclesText", String.format(Locale.ROOT, "%,d", cycles));
        m.put("clockText", number(clockMhz));
        m.put("latencyText", String.format(Locale.ROOT, "%.2f", cycles / clockMhz));
        quant(m, "in", input);
        quant(m, "out", output);

        long writeBytes = (long) ports.nIn() * ports.inBytes(), readBytes = (long) ports.nOut() * ports.outBytes();
        double sckSafe = clockMhz / 8;
        m.put("writeBytes", writeBytes);
        m.put("readBytes", readBytes);
        m.put("writeBits", String.format(Locale.ROOT, "%,d", 8 * (writeBytes + 1)));
        m.put("readBits", String.format(Locale.ROOT, "%,d", 8 * (readBytes + 1)));
        m.put("sckMaxText", number(clockMhz / 4));
        m.put("sckSafeText", number(sckSafe));
        m.put("writeUsText", String.format(Locale.ROOT, "%.1f", 8 * (writeBytes + 1) / sckSafe));
        m.put("readUsText", String.format(Locale.ROOT, "%.1f", 8 * (readBytes + 1) / sckSafe));
        List<String> simFiles = new ArrayList<>();
        for (String f : rtlFiles) simFiles.add("../../rtl/" + f);
        m.put("spiSimFiles", String.join(" ", simFiles));
        m.put("rtlFiles", rtlFiles);
        m.put("memFiles", memFiles);
        return m;
    }

    private static void quant(Map<String, Object> m, String p, Quant q) {
        m.put(p + "Bits", q.bits());
        m.put(p + "SignedText", q.signed() ? "signed" : "unsigned");
        m.put(p + "Scale", Double.toString(q.scale()));
        m.put(p + "ScaleF", floatLiteral(q.scale()));
        m.put(p + "Zero", Long.toString(q.zeroPoint()));
        m.put(p + "Min", Long.toString(q.min()));
        m.put(p + "Max", Long.toString(q.max()));
        m.put(p + "CType", cType(q));
    }

    /** The narrowest C integer type that holds every code. */
    static String cType(Quant q) {
        for (int w : new int[] {8, 16, 32}) {
            long lo = q.signed() ? -(1L << (w - 1)) : 0, hi = q.signed() ? (1L << (w - 1)) - 1 : (1L << w) - 1;
            if (q.min() >= lo && q.max() <= hi) return (q.signed() ? "int" : "uint") + w + "_t";
        }
        return q.signed() ? "int64_t" : "uint64_t";
    }

    /** A float literal without the f suffix, e.g. {@code 0.022820748} or {@code 6.0210847e-05}. */
    static String floatLiteral(double v) {
        String s = Float.toString((float) v);
        if (s.contains("E")) s = s.replace("E", "e");
        return s.contains(".") || s.contains("e") ? s : s + ".0";
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String shapeText(int[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) b.append(i == 0 ? "" : ", ").append(shape[i]);
        return b.append(']').toString();
    }

    /** "code k of `x[i0][i1][i2]` is k = i0*36 + i1*3 + i2" (unit dimensions left out). */
    private static String order(String name, int[] shape) {
        List<String> terms = new ArrayList<>();
        StringBuilder index = new StringBuilder();
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            String v = "i" + d;
            index.insert(0, "[" + v + "]");
            if (shape[d] > 1) terms.add(0, stride == 1 ? v : v + "*" + stride);
            stride *= shape[d];
        }
        if (terms.isEmpty()) return "one code";
        return "`" + name + index + "` is code " + String.join(" + ", terms);
    }

    private static void requireSize(int[] shape, int count, String what) {
        long size = 1;
        for (int d : shape) size *= d;
        if (size != count) throw new IllegalArgumentException(what + " shape of " + size + " elements for " + count + " codes");
    }
}
