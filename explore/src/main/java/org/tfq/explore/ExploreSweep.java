package org.tfq.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.tfq.compiler.Accuracy;
import org.tfq.compiler.Compiler;
import org.tfq.compiler.Quantized;
import org.tfq.compiler.Target;
import org.tfq.ir.FloatTensor;
import org.tfq.onnx.ImportResult;
import org.tfq.passes.explore.PowerModel;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.ResourceEstimate;
import org.tfq.passes.resources.Resources;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;
import org.tfq.verilog.EngineGenerator;

/**
 * The configurations of {@code tfq explore}, evaluated on a fixed thread pool. The expensive
 * work is shared: each width configuration is quantized and run on the samples once (the RMSE
 * does not depend on the hardware), each (widths, lanes) pair is scheduled once (the cycles do
 * not depend on the data), and only the resource and power models run per activation memory.
 * Rows go to the listener as they finish, in whatever order the threads finish them.
 */
public final class ExploreSweep {

    /**
     * What the sweep measures with and against: {@code quantizer} makes the integer model of a
     * width configuration (the caller's quantization options with those widths).
     */
    public record Setup(Compiler compiler, ImportResult model, FloatTensor inputs, float[] targets, double rmseFloat, Quantizer quantizer,
            Capacity capacity, double maxLutFraction, double clockMhz) {}

    /** The integer model of one width configuration: {@code bits}, and per-layer widths for a mixed one. */
    @FunctionalInterface
    public interface Quantizer {
        Quantized quantize(int bits, SortedMap<String, Integer> bitsFor);
    }

    /** A width configuration: one --bits, and --bits-for for a mixed one. */
    public record Widths(int bits, SortedMap<String, Integer> bitsFor, boolean mixed) {}

    /** A configuration that could not be scheduled, and why. */
    public record Skipped(String name, String reason) {}

    private final Setup setup;
    private final int[] lanes;
    private final List<String> activations;
    private final ExecutorService pool;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicInteger expected = new AtomicInteger();
    private final List<Skipped> skipped = new ArrayList<>();

    public ExploreSweep(Setup setup, int[] lanes, List<String> activations, int threads) {
        this.setup = setup;
        this.lanes = lanes.clone();
        this.activations = List.copyOf(activations);
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tfq-explore");
            t.setDaemon(true); // a Ctrl-C must not wait for a half-done configuration
            return t;
        });
    }

    /** How many rows the sweep will deliver as far as it knows now (a mixed search may add some). */
    public int expected() {
        return expected.get();
    }

    public synchronized List<Skipped> skipped() {
        return List.copyOf(skipped);
    }

    /** Stops the sweep: no new configuration starts; rows already delivered stay delivered. */
    public void stop() {
        stopped.set(true);
        pool.shutdownNow();
    }

    public boolean stopped() {
        return stopped.get();
    }

    /**
     * Runs every uniform width of {@code bits} and, when {@code mixedBound} is not null, the
     * mixed-precision search within that RMSE; blocks until all rows are delivered or the sweep is
     * stopped. Returns the search's result (null without a search).
     */
    public MixedPrecision.Result run(List<Integer> bits, Double mixedBound, Consumer<ExploreRow> rows) {
        int perWidths = lanes.length * activations.size();
        expected.set(bits.size() * perWidths + (mixedBound == null ? 0 : perWidths));
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < bits.size(); i++) {
            Widths w = new Widths(bits.get(i), new TreeMap<>(), false);
            int order = i;
            all.add(CompletableFuture.supplyAsync(() -> quantize(w), pool).thenCompose(q -> hardware(order, w, q, rows)));
        }
        CompletableFuture<MixedPrecision.Result> mixed = null;
        if (mixedBound != null) {
            mixed = CompletableFuture.supplyAsync(() -> MixedPrecision.search(setup.model().graph(), bits, mixedBound,
                    bitsFor -> quantize(new Widths(max(bits), bitsFor, true)).rmse()), pool);
            all.add(mixed.thenCompose(m -> {
                if (m.bitsFor().isEmpty()) { // no layer could go narrower: the uniform row already covers it
                    expected.addAndGet(-perWidths);
                    return CompletableFuture.completedFuture(null);
                }
                Widths w = new Widths(m.baseBits(), m.bitsFor(), true);
                return CompletableFuture.supplyAsync(() -> quantize(w), pool).thenCompose(q -> hardware(bits.size(), w, q, rows));
            }));
        }
        try {
            await(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));
        } finally {
            pool.shutdownNow();
        }
        return mixed == null || stopped() ? null : mixed.getNow(null);
    }

    /**
     * Waits for {@code done}, or until the sweep is stopped: then the tasks shutdownNow dropped
     * from the queue never complete their futures, so waiting for them would never end.
     */
    private void await(CompletableFuture<Void> done) {
        while (true) {
            try {
                done.get(100, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (stopped()) return;
            } catch (InterruptedException e) {
                stop();
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                if (stopped()) return;
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    private static int max(List<Integer> bits) {
        return bits.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /** The integer model of a width configuration and its RMSE on the samples. */
    private record Measured(Quantized quantized, double rmse) {}

    private Measured quantize(Widths w) {
        checkStopped();
        Quantized q = setup.quantizer().quantize(w.bits(), w.bitsFor());
        return new Measured(q, rmse(q.model()));
    }

    private double rmse(IntegerModel im) {
        checkStopped();
        return Accuracy.rmse(Accuracy.integerOutputs(setup.model(), im, setup.inputs()).data(), setup.targets());
    }

    /** Schedules the model at every lane count, one task each, and estimates every activation memory. */
    private CompletableFuture<Void> hardware(int order, Widths w, Measured q, Consumer<ExploreRow> rows) {
        List<CompletableFuture<?>> tasks = new ArrayList<>();
        for (int li = 0; li < lanes.length; li++) {
            int n = lanes[li], laneOrder = li;
            tasks.add(CompletableFuture.runAsync(() -> {
                checkStopped();
                Program p;
                try {
                    p = setup.compiler().program(q.quantized().model(), n);
                } catch (ScheduleProgram.ScheduleException e) {
                    synchronized (this) {
                        for (String a : activations) skipped.add(new Skipped(ExploreRow.name(w.bits(), w.mixed(), n, a), e.getMessage()));
                    }
                    expected.addAndGet(-activations.size());
                    return;
                }
                for (int ai = 0; ai < activations.size(); ai++) {
                    String a = activations.get(ai);
                    int rowOrder = (order * lanes.length + laneOrder) * activations.size() + ai;
                    rows.accept(row(rowOrder, w, q.rmse(), p, a));
                }
            }, pool));
        }
        return CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new));
    }

    private ExploreRow row(int order, Widths w, double rmse, Program p, String activations) {
        ResourceEstimate e = org.tfq.passes.resources.LaneChooser.estimate(p, setup.capacity(),
                Target.memory(EngineGenerator.Activations.valueOf(activations.toUpperCase(java.util.Locale.ROOT))));
        Resources r = e.total();
        Capacity cap = setup.capacity();
        double mhz = setup.clockMhz();
        PowerModel.Power power = PowerModel.power(r, cap, mhz);
        long cycles = p.predictedCycles();
        return new ExploreRow(order, ExploreRow.name(w.bits(), w.mixed(), p.lanes(), activations), w.bits(), w.bitsFor(), p.lanes(),
                activations, setup.rmseFloat(), rmse, cycles, cycles / mhz, r.lut(), r.lutram(), r.ff(), r.dsp(), r.bram36Tiles(),
                100.0 * r.lut() / cap.luts(), e.fits(cap, setup.maxLutFraction()), ExploreRow.MODEL, power.totalW(),
                PowerModel.energyMicrojoules(power.totalW(), cycles, mhz), ExploreRow.MODEL, null, null, cap.ice40() ? r.ebr() : null);
    }

    private void checkStopped() {
        if (stopped()) throw new java.util.concurrent.CancellationException("explore stopped");
    }
}
