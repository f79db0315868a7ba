package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfq.ir.integer.IntMath;

/** The Java side of the units: parameters chosen from IR objects, cycle counts, resources. */
class UnitParametersTest {

    @Test
    void cycleCounts() {
        assertEquals(IntMath.isqrtCycles(42), new IsqrtUnit(42).cycles());
        assertEquals(21, new IsqrtUnit(42).rootW());
    }

    @Test
    void rejectsImpossibleWidths() {
        assertThrows(IllegalArgumentException.class, () -> new IsqrtUnit(63));
    }

    @Test
    void rtlResourcesArePackagedWithTheirDependencies() {
        for (RtlModule m : RtlModule.values()) {
            assertTrue(m.source().contains("module " + m.moduleName() + " #("), m.moduleName());
            assertEquals(m, m.withDependencies().get(m.withDependencies().size() - 1));
        }
        assertEquals(List.of(RtlModule.POST), RtlModule.POST.withDependencies());
    }
}
