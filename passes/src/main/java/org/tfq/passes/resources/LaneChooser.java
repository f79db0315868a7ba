package org.tfq.passes.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.tfq.passes.schedule.Program;
import org.tfq.passes.schedule.ScheduleProgram;

/**
 * {@code --lanes auto}: schedules the model at every candidate lane count, estimates each
 * configuration with the {@link ResourceModel}, and picks the fastest (fewest predicted cycles;
 * on a tie, fewer lanes) that fits the part with at most {@code maxLutFraction} of its LUTs and
 * at most all of its flip-flops, DSPs and block RAM. The cycle counts are the scheduler's exact
 * predictions; the resources are the model's estimate, not a synthesis result.
 */
public final class LaneChooser {
    private LaneChooser() {}

    /** Percent of the part's LUTs the model may fill by default, leaving room for place and route. */
    public static final double DEFAULT_MAX_UTILIZATION = 80;

    /** Powers of two, and multiples of 8 up to 64. */
    public static final int[] CANDIDATES = {1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64};

    /** One lane count: its predicted cycles, its estimate, and whether that fits. */
    public record Candidate(int lanes, long cycles, ResourceEstimate estimate, boolean fits) {}

    /**
     * The outcome: {@code lanes} is the choice (when {@code fits}), or the fewest lanes tried
     * (when nothing fits); {@code candidates} every lane count that could be scheduled, by lanes.
     */
    public record Choice(int lanes, boolean fits, boolean auto, ResourceModel.ActivationMemory memory, List<Candidate> candidates) {
        public Choice {
            candidates = List.copyOf(candidates);
        }

        public Candidate chosen() {
            for (Candidate c : candidates) if (c.lanes() == lanes) return c;
            throw new IllegalStateException("no candidate with " + lanes + " lanes");
        }

        public ResourceEstimate estimate() {
            return chosen().estimate();
        }
    }

    /**
     * The fastest candidate that fits; {@link Choice#fits()} false when none does.
     *
     * @throws ScheduleProgram.ScheduleException when the model cannot be scheduled at any lane count
     */
    public static Choice choose(IntFunction<Program> schedule, Capacity cap, double maxLutFraction,
            ResourceModel.ActivationMemory memory, int[] lanes) {
        List<Candidate> all = new ArrayList<>();
        ScheduleProgram.ScheduleException first = null;
        for (int n : lanes) {
            try {
                all.add(candidate(schedule.apply(n), cap, maxLutFraction, memory));
            } catch (ScheduleProgram.ScheduleException e) {
                if (first == null) first = e;
            }
        }
        if (all.isEmpty()) {
            if (first != null) throw first;
            throw new IllegalArgumentException("no lane counts to choose from");
        }
        Candidate best = null;
        for (Candidate c : all) {
            if (!c.fits()) continue;
            if (best == null || c.cycles() < best.cycles()) best = c;
        }
        return best == null ? new Choice(all.get(0).lanes(), false, true, memory, all) : new Choice(best.lanes(), true, true, memory, all);
    }

    /** The estimate of exactly {@code lanes} lanes, for a lane count the user gave. */
    public static Choice evaluate(IntFunction<Program> schedule, Capacity cap, double maxLutFraction,
            ResourceModel.ActivationMemory memory, int lanes) {
        Candidate c = candidate(schedule.apply(lanes), cap, maxLutFraction, memory);
        return new Choice(lanes, c.fits(), false, memory, List.of(c));
    }

    private static Candidate candidate(Program p, Capacity cap, double maxLutFraction, ResourceModel.ActivationMemory memory) {
        ResourceEstimate e = estimate(p, cap, memory);
        return new Candidate(p.lanes(), p.predictedCycles(), e, e.fits(cap, maxLutFraction));
    }

    /**
     * The estimate of {@code p} on the part {@code cap} describes: by the iCE40 model for that
     * family, else by the 7 series model with the memories planned to fit the part.
     */
    public static ResourceEstimate estimate(Program p, Capacity cap, ResourceModel.ActivationMemory memory) {
        return cap.ice40() ? Ice40ResourceModel.estimate(p) : ResourceModel.estimate(p, memory, MemoryPlanner.plan(p, memory, cap));
    }
}
