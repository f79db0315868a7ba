package org.tfq.compiler;

import org.tfq.passes.resources.LaneChooser;
import org.tfq.passes.resources.ResourceEstimate;
import org.tfq.passes.schedule.Program;

/**
 * The schedule stage's result: the lane choice (every lane count tried, with its estimate), and
 * the program of the chosen lane count, the same one the choice was made with.
 */
public record Scheduled(Quantized quantized, Target target, LaneChooser.Choice choice, Program program) {

    /** The resource model's estimate of {@link #program()}. */
    public ResourceEstimate estimate() {
        return choice.estimate();
    }

    public boolean fits() {
        return choice.fits();
    }

    /** Multiply-accumulates per inference over lane-cycles: how busy the lanes are. */
    public double macLaneUtilization() {
        return (double) quantized.model().graph().macs() / ((double) program.predictedCycles() * program.lanes());
    }
}
