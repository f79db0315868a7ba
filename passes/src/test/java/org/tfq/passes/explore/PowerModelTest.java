package org.tfq.passes.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tfq.passes.resources.Resources;

class PowerModelTest {

    /** docs/explore.md: P_static 32 mW; at 100 MHz the clock alone is 15 uW/MHz x 100 MHz = 1.5 mW. */
    @Test
    void emptyDesignIsStaticPowerAndTheClock() {
        PowerModel.Power p = PowerModel.power(Resources.NONE, 100);
        assertEquals(0.032, p.staticW(), 1e-12);
        assertEquals(0.0015, p.dynamicW(), 1e-12);
    }

    /**
     * By hand from the formula in docs/explore.md: 1,000 LUT, 800 FF, 4 DSP and 2.5 BRAM36 tiles
     * (two RAMB36 and one RAMB18) at 100 MHz: 15 + 0.045 x 1000 + 0.025 x 800 + 3 x 4 + 12 x 2.5 =
     * 122 uW/MHz, so 12.2 mW dynamic and 44.2 mW in all; 5,000 cycles are 50 us, 2.21 uJ.
     */
    @Test
    void smallDesignByHand() {
        PowerModel.Power p = PowerModel.power(new Resources(1000, 100, 800, 4, 2, 1), 100);
        assertEquals(0.0122, p.dynamicW(), 1e-12);
        assertEquals(0.0442, p.totalW(), 1e-12);
        assertEquals(2.21, PowerModel.energyMicrojoules(p.totalW(), 5000, 100), 1e-9);
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
