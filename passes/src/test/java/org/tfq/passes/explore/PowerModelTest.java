package org.tfq.passes.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tfq.passes.resources.Resources;

class PowerModelTest {

    @Test
    void emptyDesignIsStaticPowerAndTheClock() {
        PowerModel.Power p = PowerModel.power(Resources.NONE, 100);
        assertEquals(PowerModel.STATIC_W, p.staticW());
        assertEquals(PowerModel.CLOCK_UW_PER_MHZ * 100e-6, p.dynamicW(), 1e-12);
    }

    /** The reference design's 4-bit point (about 3,000 LUT, 19 DSP, 5 BRAM36) lands near the 63 mW it reported. */
    @Test
    void referenceDesignOrderOfMagnitude() {
        PowerModel.Power p = PowerModel.power(new Resources(3000, 0, 2000, 19, 5, 0), 100);
        assertTrue(p.totalW() > 0.04 && p.totalW() < 0.09, "total " + p.totalW());
    }

    @Test
    void dynamicPowerScalesWithTheClockAndEnergyWithCycles() {
        Resources r = new Resources(1000, 100, 800, 4, 2, 1);
        assertEquals(2 * PowerModel.power(r, 50).dynamicW(), PowerModel.power(r, 100).dynamicW(), 1e-12);
        assertEquals(0.1 * 1000 / 100.0, PowerModel.energyMicrojoules(0.1, 1000, 100), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PowerModel.power(r, 0));
    }
}
