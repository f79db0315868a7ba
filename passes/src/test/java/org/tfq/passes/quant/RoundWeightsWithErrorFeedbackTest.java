package org.tfq.passes.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.Node;
import org.tfq.ir.QuantSpec;
import org.tfq.ir.op.Linear;

class RoundWeightsWithErrorFeedbackTest {

    @Test
    void choleskyFactorsAndInverts() {
        Random r = new Random(3);
        int n = 12;
        double[][] b = new double[n][n], a = new double[n][n];
        for (double[] row : b) for (int j = 0; j < n; j++) row[j] = r.nextGaussian();
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            for (int k = 0; k < n; k++) a[i][j] += b[i][k] * b[j][k];
            if (i == j) a[i][j] += 0.5;
        }
        double[][] l = RoundWeightsWithErrorFeedback.cholesky(a);
        double[][] inv = RoundWeightsWithErrorFeedback.inverse(l);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double llt = 0, aInv = 0;
                for (int k = 0; k < n; k++) {
                    llt += l[i][k] * l[j][k];
                    aInv += a[i][k] * inv[k][j];
                }
                if (j > i) assertEquals(0, l[i][j]);
                assertEquals(a[i][j], llt, 1e-9 * Math.abs(a[i][i]));
                assertEquals(i == j ? 1 : 0, aInv, 1e-8);
            }
        }
    }

    /** Inputs that move together, as a Transformer's features do: a few shared factors plus noise. */
    private static double[][] correlatedInputs(Random r, int rows, int in) {
        double[][] mix = new double[3][in];
        for (double[] m : mix) for (int j = 0; j < in; j++) m[j] = r.nextGaussian();
        double[][] x = new double[rows][in];
        for (double[] row : x) {
            double[] z = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
            for (int j = 0; j < in; j++) row[j] = z[0] * mix[0][j] + z[1] * mix[1][j] + z[2] * mix[2][j] + 0.1 * r.nextGaussian();
        }
        return x;
    }

    private static double[][] gram(double[][] x) {
        int in = x[0].length;
        double[][] h = new double[in][in];
        for (double[] row : x) for (int i = 0; i < in; i++) for (int j = 0; j < in; j++) h[i][j] += row[i] * row[j];
        return h;
    }

    /** sum over rows and outputs of ((W - Q) x)^2, computed directly from the inputs. */
    private static double outputError(float[] w, float[] q, int out, int in, double[][] x) {
        double e = 0;
        for (double[] row : x) {
            for (int o = 0; o < out; o++) {
                double d = 0;
                for (int i = 0; i < in; i++) d += (w[o * in + i] - q[o * in + i]) * row[i];
                e += d * d;
            }
        }
        return e;
    }

    @Test
    void movesTheOutputLessThanNearestRoundingAndStaysOnTheGrid() {
        int out = 8, in = 16, bits = 4, better = 0, seeds = 20;
        double nearestTotal = 0, gptqTotal = 0;
        for (int seed = 0; seed < seeds; seed++) {
            Random r = new Random(seed);
            float[] w = new float[out * in];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            double[][] x = correlatedInputs(r, 400, in);
            Linear lin = new Linear(new FloatTensor(org.tfq.ir.Shape.of(out, in), w), null);
            QuantSpec grid = PlanPostTraining.weight(lin, bits, true);
            float[] nearest = new float[w.length];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) nearest[o * in + i] = (float) (Math.rint(w[o * in + i] / grid.scale(o)) * grid.scale(o));
            }
            double[][] h = gram(x);
            QuantSpec clipped = RoundWeightsWithErrorFeedback.clipScales(w, out, in, h, grid);
            float[] q = RoundWeightsWithErrorFeedback.round(w, out, in, h, clipped);
            for (int o = 0; o < out; o++) {
                assertTrue(clipped.scale(o) <= grid.scale(o) && clipped.scale(o) >= 0.8 * grid.scale(o) - 1e-12);
                for (int i = 0; i < in; i++) {
                    double code = q[o * in + i] / clipped.scale(o);
                    assertEquals(Math.rint(code), code, 1e-4, "on the grid");
                    assertTrue(Math.abs(code) <= 7 + 1e-4, "within the 4-bit narrow range: " + code);
                }
            }
            double en = outputError(w, nearest, out, in, x), eg = outputError(w, q, out, in, x);
            nearestTotal += en;
            gptqTotal += eg;
            if (eg < en) better++;
        }
        assertTrue(better >= seeds - 1, better + " of " + seeds);
        assertTrue(gptqTotal < 0.5 * nearestTotal, gptqTotal + " vs nearest " + nearestTotal);
    }

    @Test
    void anInputThatIsAlwaysZeroGetsNoWeight() {
        int out = 2, in = 3;
        float[] w = {0.5f, -0.25f, 0.75f, 0.1f, 0.9f, -0.3f};
        double[][] x = new double[50][in];
        Random r = new Random(1);
        for (double[] row : x) {
            row[0] = r.nextGaussian();
            row[2] = r.nextGaussian();
        }
        Linear lin = new Linear(new FloatTensor(org.tfq.ir.Shape.of(out, in), w), null);
        float[] q = RoundWeightsWithErrorFeedback.round(w, out, in, gram(x), PlanPostTraining.weight(lin, 8, true));
        assertEquals(0f, q[1]);
        assertEquals(0f, q[4]);
    }

    @Test
    void everyLinearOfAGraphGetsItsGridAndTheGraphStillComputesTheSame() {
        Graph g = SmallGraphs.encoder(7, 6, 2, 8);
        List<FloatTensor> samples = SmallGraphs.inputs(8, 32, 6, 2);
        QuantOptions o = new QuantOptions(6, Map.of(), QuantOptions.RangeMethod.MINMAX, true, 16, 6, 0, QuantOptions.WeightRounding.GPTQ);
        Graph rounded = RoundWeightsWithErrorFeedback.run(g, samples, o);
        assertEquals(g.nodes().size(), rounded.nodes().size());
        int linears = 0;
        for (int k = 0; k < g.nodes().size(); k++) {
            Node before = g.nodes().get(k), after = rounded.nodes().get(k);
            assertEquals(before.name(), after.name());
            if (before.op() instanceof Linear) {
                Linear l = (Linear) after.op();
                assertEquals(6, l.weightQuant().bits());
                assertEquals(((Linear) before.op()).bias(), l.bias());
                linears++;
            } else {
                assertEquals(before.op(), after.op());
            }
        }
        assertTrue(linears > 0);
    }
}
