package org.tfq.compiler;

import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.ResourceModel;
import org.tfq.verilog.EngineGenerator;
import org.tfq.vivado.Part;
import org.tfq.vivado.PartDatabase;
import org.tfq.vivado.VivadoOptions;

/**
 * What the engine is built for: the Vivado options (part, clock, constraints), the share of the
 * part's LUTs the resource model may fill, the lane count ({@code null}: the fastest that fits)
 * and the activation memory.
 */
public record Target(VivadoOptions vivado, double maxUtilizationPercent, Integer lanes, EngineGenerator.Activations activations) {

    public Part part() {
        return PartDatabase.lookup(vivado.part());
    }

    public Capacity capacity() {
        return capacity(part());
    }

    public double maxLutFraction() {
        return maxUtilizationPercent / 100.0;
    }

    public ResourceModel.ActivationMemory memory() {
        return memory(activations);
    }

    public static Capacity capacity(Part p) {
        return new Capacity(p.name(), p.luts(), p.ffs(), p.dsps(), p.bram36(), p.ebr(), p.spram());
    }

    /** The resource model's name for the engine's activation memory. */
    public static ResourceModel.ActivationMemory memory(EngineGenerator.Activations a) {
        return switch (a) {
            case BRAM -> ResourceModel.ActivationMemory.BRAM;
            case LUTRAM -> ResourceModel.ActivationMemory.LUTRAM;
            case AUTO -> ResourceModel.ActivationMemory.AUTO;
        };
    }
}
