package org.tfq.verilog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Shape;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntSoftmax;
import org.tfq.ir.integer.Requantizer;
import org.tfq.ir.op.IntAffine;

/** The Java side of the units: parameters chosen from IR objects, cycle counts, resources. */
class UnitParametersTest {

    @Test
    void requantUnitCoversItsRequantizers() {
        List<Requantizer> rs = List.of(Requantizer.of(0.0123, 16, 3, 8, true), Requantizer.of(3.5e-6, 16, 3, 8, true));
        RequantUnit u = RequantUnit.of(24, rs);
        assertEquals(16, u.multiplierW());
        assertEquals(IntMath.unsignedBits(Math.max(rs.get(0).shift(), rs.get(1).shift())), u.shiftW());
        assertEquals(List.of("ACC_W", "M_W", "SHIFT_W", "OUT_W", "OUT_SIGNED"), List.copyOf(u.parameters().keySet()));
        assertEquals(1L, u.parameters().get("OUT_SIGNED"));
        assertThrows(IllegalArgumentException.class,
                () -> RequantUnit.of(24, List.of(Requantizer.of(0.5, 16, 0, 8, true), Requantizer.of(0.5, 16, 0, 8, false))));
    }

    @Test
    void affineUnitFromAnOp() {
        IntType in = new IntType(8, false, 0.1, 128), out = new IntType(8, true, 0.05, -3);
        FloatTensor a = new FloatTensor(Shape.of(4), new float[] {1.5f, -0.25f, 2f, 0.75f});
        FloatTensor t = new FloatTensor(Shape.of(4), new float[] {0.1f, -3f, 0f, 1f});
        IntAffine op = IntAffine.of("batchnorm", in, a, t, true, out, 16);
        AffineUnit u = AffineUnit.of(op);
        assertEquals(8, u.inW());
        assertEquals(false, u.inSigned());
        assertTrue(u.multiplierW() <= 17, u.toString());
        assertEquals(IntMath.unsignedBits(op.shift()), u.shiftW());
    }

    @Test
    void cycleCounts() {
        assertEquals(IntMath.divideCycles(8) + 2, new DividerUnit(32, false, 30, 8).cycles());
        assertEquals(IntMath.isqrtCycles(42), new IsqrtUnit(42).cycles());
        assertEquals(21, new IsqrtUnit(42).rootW());
        IntSoftmax s = IntSoftmax.of(0.05, 8, 64, 1.0 / 255, 0, 8, false);
        DividerUnit d = DividerUnit.forSoftmax(s);
        assertEquals(s.quotientBits(), d.quotientW());
        assertEquals(s.divisorBits(), d.denW());
    }

    @Test
    void dividerFromRangesHoldsEveryQuotient() {
        DividerUnit u = DividerUnit.of(-1000, 700, 3, 90);
        for (long num = -1000; num <= 700; num++) {
            for (long den = 3; den <= 90; den++) {
                assertTrue(Math.abs(IntMath.divRound(num, den)) < 1L << u.quotientW(), num + " / " + den);
            }
        }
        assertTrue(u.numSigned());
        assertEquals(IntMath.signedBits(-1000, 700), u.numW());
        assertEquals(7, u.denW());
    }

    @Test
    void rejectsImpossibleWidths() {
        assertThrows(IllegalArgumentException.class, () -> new MacLanesUnit(4, 8, true, 8, true, 15));
        assertThrows(IllegalArgumentException.class, () -> new RequantUnit(32, 32, 6, 8, true));
        assertThrows(IllegalArgumentException.class, () -> new IsqrtUnit(63));
    }

    @Test
    void rtlResourcesArePackagedWithTheirDependencies() {
        for (RtlModule m : RtlModule.values()) {
            assertTrue(m.source().contains("module " + m.moduleName() + " #("), m.moduleName());
            assertEquals(m, m.withDependencies().get(m.withDependencies().size() - 1));
        }
        assertEquals(List.of(RtlModule.RSHIFT_SAT, RtlModule.REQUANT), RtlModule.REQUANT.withDependencies());
    }
}
