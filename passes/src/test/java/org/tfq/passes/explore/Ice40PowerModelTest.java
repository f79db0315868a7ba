package org.tfq.passes.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tfq.passes.resources.Capacity;
import org.tfq.passes.resources.Resources;

class Ice40PowerModelTest {

    /**
     * The measurements it comes from (tinyvision-ai-inc/ice40_power, core at 1.219 V): a design
     * clocked by the 48 MHz oscillator with a 28-cell counter draws 2,184 uA on the core, 2.66 mW;
     * the model puts 28 cells at 48 MHz at 0.146 + 48 x (52 + 28 x 0.053) / 1000 = 2.714 mW, within 5%.
     */
    @Test
    void matchesTheMeasuredCounterAt48MHz() {
        PowerModel.Power p = Ice40PowerModel.power(new Resources(28, 0, 28, 0, 0, 0, 0), 48);
        assertEquals(2184e-6 * 1.219, p.totalW(), 0.05 * 2184e-6 * 1.219);
    }

    /** The measured multiply in one SB_MAC16 at 12 MHz: 882 uA on the core, 1.08 mW, with 72 cells. */
    @Test
    void matchesTheMeasuredDspMultiplyAt12MHz() {
        PowerModel.Power p = Ice40PowerModel.power(new Resources(72, 0, 72, 1, 0, 0, 0), 12);
        assertEquals(882e-6 * 1.219, p.totalW(), 0.1 * 882e-6 * 1.219);
    }

    /**
     * By hand: 3,000 LUT4, 2,000 DFF, 4 SB_MAC16 and 20 EBR at 24 MHz: 52 + 3000 x 0.053 + 4 x 23 + 20 x 4 =
     * 383 uW/MHz, 9.192 mW dynamic, 9.338 mW in all; 10,000 cycles are 416.7 us, 3.891 uJ. Cells are
     * max(LUT4, DFF): a flip-flop shares its cell with a LUT4.
     */
    @Test
    void designByHand() {
        PowerModel.Power p = Ice40PowerModel.power(new Resources(3000, 0, 2000, 4, 0, 0, 20), 24);
        assertEquals(0.009192, p.dynamicW(), 1e-12);
        assertEquals(0.009338, p.totalW(), 1e-12);
        assertEquals(0.009338 * 10000 / 24, PowerModel.energyMicrojoules(p.totalW(), 10000, 24), 1e-9);
        assertEquals(p.dynamicW(), Ice40PowerModel.power(new Resources(2000, 0, 3000, 4, 0, 0, 20), 24).dynamicW(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Ice40PowerModel.power(Resources.NONE, 0));
    }

    /** The part picks the model: an UltraPlus design draws milliwatts, the 7 series model's static power alone is 32 mW. */
    @Test
    void thePartPicksTheFamilysModel() {
        Resources r = new Resources(3000, 0, 2000, 4, 0, 0, 20);
        Capacity up5k = new Capacity("ice40up5k", 5280, 5280, 8, 0, 30, 4);
        assertTrue(up5k.ice40());
        assertEquals(Ice40PowerModel.power(r, 24), PowerModel.power(r, up5k, 24));
        assertTrue(PowerModel.power(r, up5k, 24).totalW() < 0.02);
        assertEquals(PowerModel.power(r, 24), PowerModel.power(r, Capacity.XC7S15, 24));
        assertEquals(PowerModel.STATIC_W, PowerModel.power(r, Capacity.XC7S15, 24).staticW());
    }
}
