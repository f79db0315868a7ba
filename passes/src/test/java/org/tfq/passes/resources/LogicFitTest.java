package org.tfq.passes.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** An iCE40 design fits by the logic cells nextpnr will fill, not by its LUT4s alone. */
class LogicFitTest {

    static final Capacity UP5K = new Capacity("ice40up5k", 5_280, 5_280, 8, 0, 30, 4);

    @Test
    void anIce40DesignIsMeasuredInLogicCells() {
        // 3,000 LUT4 are 57% of the UP5K's cells as LUTs, but about 4,800 cells (91%) once placed
        Resources r = new Resources(3_000, 0, 2_000, 4, 0, 0, 20);
        assertEquals(4_800, r.logic(UP5K));
        assertFalse(r.fits(UP5K, 0.8));
        assertTrue(r.fits(UP5K, 1.0));
        ResourceEstimate e = new ResourceEstimate(1, List.of(new ResourceEstimate.Unit("logic", r, "")));
        assertEquals(List.of("LUT"), e.over(UP5K, 0.8));
        // the same LUT count on a 7 series part is LUTs, as Vivado reports them
        Resources x = new Resources(3_000, 0, 2_000, 4, 0, 0);
        assertEquals(3_000, x.logic(Capacity.XC7S15));
        assertTrue(x.fits(Capacity.XC7S15, 0.8));
    }
}
