package org.tfq.passes.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The front of hand-made tables whose answer is known, and of random tables checked point by point. */
class ParetoFrontTest {

    /**
     * (rmse, latency): A..E on the front, F..J dominated. D2 duplicates D (kept: neither dominates),
     * G ties B in rmse and is slower (dropped), H ties C in latency and is worse (dropped).
     */
    @Test
    void handMadeTable() {
        record P(String name, double rmse, double latency) {}
        List<P> table = List.of(
                new P("F", 0.05, 60),   // dominated by B (0.04, 50)
                new P("A", 0.03, 100),
                new P("B", 0.04, 50),
                new P("G", 0.04, 55),   // same rmse as B, slower
                new P("C", 0.06, 20),
                new P("H", 0.07, 20),   // same latency as C, worse
                new P("D", 0.20, 5),
                new P("D2", 0.20, 5),   // duplicate of D
                new P("I", 0.30, 5),    // dominated by D
                new P("E", 0.50, 1),
                new P("J", 0.50, 1.5)); // dominated by E
        List<String> front = ParetoFront.of(table, P::rmse, P::latency).stream().map(P::name).toList();
        assertEquals(List.of("A", "B", "C", "D", "D2", "E"), front);
    }

    /**
     * Tie-breaking: X, Y and Z share (rmse, latency); Y uses more LUTs than X at the same energy,
     * so it goes; Z trades LUTs for energy against X, so both stay; X2 equals X everywhere and
     * stays; W is dominated on the primary objectives whatever its LUTs.
     */
    @Test
    void tiesBrokenBySecondaryObjectives() {
        double[][] primary = {{1, 10}, {1, 10}, {1, 10}, {1, 10}, {2, 20}, {0.5, 30}};
        double[][] secondary = {{100, 5}, {150, 5}, {80, 7}, {100, 5}, {1, 1}, {300, 9}};
        //                        X         Y          Z         X2        W        V
        assertEquals(List.of(0, 2, 3, 5), ParetoFront.indices(primary, secondary));
        assertEquals(List.of(0, 1, 2, 3, 5), ParetoFront.indices(primary));
        assertThrows(IllegalArgumentException.class, () -> ParetoFront.indices(primary, new double[2][2]));
    }

    @Test
    void singlePointAndEmptyTable() {
        assertEquals(List.of(0), ParetoFront.indices(new double[][] {{3, 4}}));
        assertEquals(List.of(), ParetoFront.indices(new double[0][]));
    }

    @Test
    void nanIsWorseThanAnyNumber() {
        assertEquals(List.of(1), ParetoFront.indices(new double[][] {{Double.NaN, 1}, {5, 1}}));
    }

    @Test
    void dominance() {
        assertTrue(ParetoFront.dominates(new double[] {1, 2}, new double[] {1, 3}));
        assertFalse(ParetoFront.dominates(new double[] {1, 2}, new double[] {1, 2}));
        assertFalse(ParetoFront.dominates(new double[] {1, 4}, new double[] {2, 3}));
        assertThrows(IllegalArgumentException.class, () -> ParetoFront.dominates(new double[] {1}, new double[] {1, 2}));
    }

    /** Random 3-objective tables on a coarse grid (many ties): every kept point undominated, every dropped point dominated by a kept one. */
    @Test
    void randomTablesAgainstTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int t = 0; t < 200; t++) {
            double[][] p = new double[1 + rnd.nextInt(30)][3];
            for (double[] row : p) for (int k = 0; k < 3; k++) row[k] = rnd.nextInt(5);
            List<Integer> front = ParetoFront.indices(p);
            List<Integer> dropped = new ArrayList<>();
            for (int i = 0; i < p.length; i++) if (!front.contains(i)) dropped.add(i);
            for (int i : front) for (double[] q : p) assertFalse(byHand(q, p[i]));
            for (int i : dropped) assertTrue(front.stream().anyMatch(f -> byHand(p[f], p[i])), "dropped " + i);
        }
    }

    /** Domination written out for three finite coordinates, independent of {@link ParetoFront#dominates}. */
    private static boolean byHand(double[] a, double[] b) {
        boolean noWorse = a[0] <= b[0] && a[1] <= b[1] && a[2] <= b[2];
        boolean better = a[0] < b[0] || a[1] < b[1] || a[2] < b[2];
        return noWorse && better;
    }
}
