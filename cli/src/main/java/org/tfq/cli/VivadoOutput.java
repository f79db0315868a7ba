package org.tfq.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tfq.compiler.Accuracy;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.NoLaneCountFits;
import org.tfq.compiler.Quantized;
import org.tfq.compiler.Scheduled;
import org.tfq.compiler.Target;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.LaneChooser;
import org.tfq.passes.resources.Resources;
import org.tfq.passes.schedule.ScheduleProgram;
import org.tfq.verilog.EngineGenerator;
import org.tfq.vivado.Part;
import org.tfq.vivado.PartDatabase;
import org.tfq.vivado.VivadoException;
import org.tfq.vivado.VivadoOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The target options of {@code tfq compile} and {@code tfq explore}, as a picocli mixin: the FPGA
 * part, the clock, the user's XDC, the utilization margin; the lane count ({@code --lanes N} or
 * {@code auto}, chosen with tfq's analytical resource model, {@link LaneChooser}), and the errors
 * and warnings about them in the words of these options. What goes into OUTDIR for Vivado
 * ({@code vivado/}, {@code Makefile}) is made by {@link Compiler#generate}.
 */
final class VivadoOutput {

    /**
     * Far beyond any 7 series part (the largest has 3,600 DSP48E1 slices, the XC7S15 20): a larger
     * number is a typo, and would build a design of millions of lanes before saying so.
     */
    static final int MAX_LANES = 4096;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--part", paramLabel = "PART", defaultValue = PartDatabase.DEFAULT_PART,
            description = "FPGA part for Vivado and for fitting the design, a full Vivado part name, or an iCE40 part built with"
                    + " Yosys and nextpnr (ice40up5k-sg48, ice40up5k-uwg30) (default: ${DEFAULT-VALUE}).")
    String part = PartDatabase.DEFAULT_PART;

    // NaN until options(): then the value given, or the part's default
    @Option(names = "--clock-mhz", paramLabel = "MHZ",
            description = "Clock the design is constrained to in vivado/constraints.xdc (iCE40: nextpnr's --freq), in MHz"
                    + " (default: 100, on an iCE40 24).")
    double clockMhz = Double.NaN;

    @Option(names = "--xdc", paramLabel = "FILE",
            description = "Your own constraints (pins, I/O standards), copied to vivado/user.xdc and read after the clock.")
    Path xdc;

    @Option(names = "--pcf", paramLabel = "FILE",
            description = "iCE40 parts: your own pin constraints for nextpnr, used in place of the generated ice40/pins.pcf.")
    Path pcf;

    @Option(names = "--allow-timing-violation",
            description = "make bitstream writes the bitstream even when the routed design misses the clock.")
    boolean allowTimingViolation;

    @Option(names = "--max-utilization", paramLabel = "PERCENT", defaultValue = "80",
            description = "--lanes auto: the largest share of the part's LUTs the resource model may predict"
                    + " (default: ${DEFAULT-VALUE}); FFs, DSPs and block RAM may go to 100%%.")
    double maxUtilization = LaneChooser.DEFAULT_MAX_UTILIZATION;

    private VivadoOptions options;

    /**
     * The Vivado options, checked: an unknown part, a clock that is not a positive frequency, an
     * XDC file that is not there are each a one-line error (exit 1). Call it before any work.
     */
    VivadoOptions options() {
        if (options == null) {
            // one option at a time from valid defaults, so that the error names the option that is wrong
            VivadoOptions withPart = checked("--part", () -> VivadoOptions.defaults().withPart(part));
            if (Double.isNaN(clockMhz)) clockMhz = PartDatabase.defaultClockMhz(withPart.part());
            VivadoOptions withClock = checked("--clock-mhz", () -> withPart.withClockMhz(clockMhz));
            VivadoOptions withXdc = checked("--xdc", () -> withClock.withUserXdc(xdc)).withAllowTimingViolation(allowTimingViolation);
            options = checked("--pcf", () -> withXdc.withUserPcf(pcf));
            if (!(maxUtilization > 0 && maxUtilization <= 100)) {
                throw new CliException("--max-utilization " + num(maxUtilization) + ": a percentage of the part's LUTs, above 0 and at most 100");
            }
        }
        return options;
    }

    private static VivadoOptions checked(String option, java.util.function.Supplier<VivadoOptions> withOption) {
        try {
            return withOption.get();
        } catch (VivadoException e) {
            throw new CliException(option + ": " + e.getMessage());
        }
    }

    /** The device of {@code --part}. */
    Part device() {
        return PartDatabase.lookup(options().part());
    }

    /**
     * The target of {@code --lanes VALUE} and {@code --activations}: the lane count given, or with
     * {@code auto} the fastest configuration the resource model says fits the part within
     * {@code --max-utilization}.
     */
    Target target(String value, EngineGenerator.Activations activations) {
        // an iCE40 has no LUT RAM: its activations are always in EBR, so the request would be ignored
        if (activations == EngineGenerator.Activations.LUTRAM && device().ice40()) {
            throw new CliException("--activations lutram: " + options().part() + " has no LUT RAM, so the activation memory is block RAM (EBR): drop the option");
        }
        return new Target(options(), maxUtilization, value == null || value.equals("auto") ? null : laneCount(value), activations);
    }

    /**
     * The model scheduled onto the engine of {@link #target}; when no lane count fits, an error
     * with the per-unit estimate of the smallest configuration and what would help. A number whose
     * design the model says does not fit is built, with a warning on stderr: the model is an
     * estimate.
     */
    Scheduled schedule(Compiler compiler, Quantized q, String value, EngineGenerator.Activations activations) {
        Target target = target(value, activations);
        Scheduled s;
        try {
            s = compiler.schedule(q, target);
        } catch (NoLaneCountFits e) {
            throw new CliException(doesNotFit(e.choice(), q.model()));
        } catch (ScheduleProgram.ScheduleException e) {
            throw new CliException(target.lanes() == null ? "cannot build hardware: " + e.getMessage()
                    : "cannot build hardware for " + q.imported().source().getFileName() + ": " + e.getMessage());
        }
        if (!s.fits()) {
            warn("the resource model predicts that " + s.program().lanes() + " lanes do not fit " + options().part() + " within "
                    + num(maxUtilization) + "% of its LUTs (" + s.estimate().total().summary(target.capacity())
                    + "); building it anyway: check with make estimate");
        }
        return s;
    }

    /** {@code --lanes VALUE} other than auto: a number of lanes, 1 to {@link #MAX_LANES}, or a one-line error. */
    static int laneCount(String value) {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new CliException("--lanes " + value + ": give a number of lanes or auto");
        }
        if (n < 1 || n > MAX_LANES) throw new CliException("--lanes " + n + ": give 1 to " + MAX_LANES + " lanes, or auto");
        return n;
    }

    /** The error when no lane count fits: the smallest configuration's estimate per unit, and what would help. */
    private String doesNotFit(LaneChooser.Choice c, IntegerModel im) {
        Capacity cap = Target.capacity(device());
        LaneChooser.Candidate least = c.candidates().get(0);
        StringBuilder b = new StringBuilder();
        Resources need = least.estimate().total();
        List<String> short_ = new ArrayList<>();
        for (String r : least.estimate().over(cap, maxUtilization / 100.0)) {
            short_.add(switch (r) {
                case "LUT" -> cap.ice40()
                        ? need.logic(cap) + " logic cells for " + need.lut() + " LUT4 (" + num(maxUtilization) + "% of the part's " + cap.luts() + ")"
                        : need.lut() + " LUTs (" + num(maxUtilization) + "% of the part's " + cap.luts() + ")";
                case "FF" -> need.ff() + " FFs of " + cap.ffs();
                case "DSP" -> need.dsp() + (cap.ice40() ? " SB_MAC16 of " : " DSP48E1 of ") + cap.dsps();
                case "EBR" -> need.ebr() + " EBR of " + cap.ebr();
                default -> num(need.bram36Tiles()) + " BRAM36 of " + cap.bram36();
            });
        }
        b.append("no lane count fits ").append(options().part()).append(": even ").append(least.lanes())
                .append(least.lanes() == 1 ? " lane needs " : " lanes need ").append(String.join(", ", short_))
                .append("; the resource model's estimate:\n");
        b.append(least.estimate().table(cap));
        b.append(memoryByLayer(im));
        List<String> help = new ArrayList<>();
        Resources over = least.estimate().total();
        if (over.bram36Tiles() > cap.bram36() || over.logic(cap) > cap.luts() * maxUtilization / 100.0) {
            int bits = Accuracy.bitsOf(im), weightBits = Accuracy.weightBitsOf(im);
            if (bits > weightBits) {
                help.add("narrower activations (--activation-bits " + Math.max(weightBits, bits - 4) + "): smaller activation memory and tables");
            } else if (bits > 2) {
                help.add("fewer bits (--bits " + Math.max(2, bits - 2) + "): narrower weights, activations and lanes");
            }
        }
        boolean actInLuts = least.estimate().units().stream().anyMatch(u -> u.name().equals("activation memory") && u.resources().lutram() > 0);
        if (actInLuts && over.logic(cap) > cap.luts() * maxUtilization / 100.0) {
            help.add("--activations bram: activation memory in block RAM instead of LUTs");
        }
        boolean actInBram = least.estimate().units().stream().anyMatch(u -> u.name().equals("activation memory") && u.resources().bram36Tiles() > 0);
        if (actInBram && over.bram36Tiles() > cap.bram36()) help.add("--activations lutram: activation memory in LUTs instead of block RAM");
        if (maxUtilization < 100 && over.logic(cap) > cap.luts() * maxUtilization / 100.0) {
            help.add("a higher --max-utilization (now " + num(maxUtilization) + "%), at the risk of a design that does not route");
        }
        String larger = largerPart(c);
        if (larger != null) help.add("a larger part: " + larger);
        b.append("what would help: ").append(help.isEmpty() ? "a larger part" : String.join("; ", help));
        return b.toString();
    }

    /**
     * What each linear layer stores, the largest first: its weights at the weight ROM's width (the
     * widest layer's) and its parameter words (one per output, or per row and output with a folded
     * positional encoding). The engine is shared, so memory is what a layer adds on its own; it
     * says where --bits-for or a smaller layer would save block RAM.
     */
    static String memoryByLayer(IntegerModel im) {
        record Layer(String name, long weights, long params) {}
        List<Layer> layers = new ArrayList<>();
        int width = 0;
        for (org.tfq.ir.Node n : im.graph().nodes()) {
            if (n.op() instanceof org.tfq.ir.op.IntLinear lin) {
                width = Math.max(width, lin.weightBits());
                long rows = lin.rowBias() == null ? 1 : lin.rowBias().shape().dim(0);
                layers.add(new Layer(n.name(), (long) lin.inFeatures() * lin.outFeatures(), rows * lin.outFeatures()));
            }
        }
        if (layers.isEmpty()) return "";
        layers.sort(java.util.Comparator.comparingLong(Layer::weights).reversed().thenComparing(Layer::name));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "memory by layer (weights at %d bits):%n", width));
        for (Layer l : layers) {
            b.append(String.format(Locale.ROOT, "  %-40s %,9d weights (%,.0f kbit), %,6d parameter words%n",
                    org.tfq.ir.io.SafeText.printable(l.name()), l.weights(), l.weights() * width / 1024.0, l.params()));
        }
        return b.toString();
    }

    /** The smallest known device of the same family on which the smallest configuration fits, as "name (N lanes)". */
    private String largerPart(LaneChooser.Choice c) {
        Part now = device();
        for (Part p : PartDatabase.all()) {
            if (p.luts() <= now.luts() || !p.family().equals(now.family())) continue;
            Capacity cap = Target.capacity(p);
            for (LaneChooser.Candidate cand : c.candidates()) {
                if (cand.estimate().fits(cap, maxUtilization / 100.0)) {
                    return p.name() + " (" + p.packageParts().get(0) + ", e.g. " + cand.lanes() + (cand.lanes() == 1 ? " lane)" : " lanes)");
                }
            }
        }
        return null;
    }

    private void warn(String message) {
        if (mixee == null) return;
        PrintWriter err = mixee.commandLine().getErr();
        err.println("tfq: warning: " + message);
        err.flush();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
