package org.tfq.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tfq.ir.FloatInterpreter;
import org.tfq.ir.FloatTensor;
import org.tfq.ir.Graph;
import org.tfq.ir.IntInterpreter;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.passes.quant.IntegerModel;
import org.tfq.passes.quant.QuantOptions;
import org.tfq.passes.quant.QuantPlan;
import org.tfq.passes.quant.Quantize;

/**
 * Why w4a4 fine-tuning of ref_n12_d16_m1 stays about 4x float (0.12 vs 0.028): not because
 * training optimises another function than the integer model computes (after training the two
 * agree value by value, to a rare one-step tie), but because 4-bit input codes alone cost the
 * forecast more than 2x float, and training cannot recover what the input rounding removed.
 */
class FourBitGapTest {
    static final QuantOptions Q8 = QuantOptions.uniform(8);

    /**
     * After fine-tuning, every requantized integer value, dequantized, is the fake-quantized
     * graph's value to within a step or two (requantization by multiplier and shift can round a
     * tie the other way, and the flip travels a layer or two): measured 0.035% of 754k values a
     * step apart, at most 2 steps; the two models' RMSEs agree to 0.2% (the test asks for 1%).
     */
    @Test
    void theTrainedFunctionIsTheIntegerModel() {
        FinetuneTest.Data d = FinetuneTest.load("ref_n12_d16_m1");
        Finetune.Result r = Finetune.run(d.graph(), Finetune.plan(d.graph(), d.cal(), FinetuneTest.Q4), Finetune.split(d.x(), d.y(), 8),
                Finetune.Options.defaults().withEpochs(5), null);
        IntegerModel im = Quantize.run(r.graph(), FinetuneTest.Q4, true, null);
        double worst = 0, steps = 0, values = 0;
        for (FloatTensor x : d.x()) {
            Map<String, FloatTensor> f = FloatInterpreter.runAll(r.graph(), Map.of(r.graph().inputs().get(0).name(), x));
            Map<String, IntTensor> q = IntInterpreter.runAll(im.graph(), im.quantizeInput(x));
            for (Node n : im.graph().nodes()) {
                String name = n.output().name();
                // the integer graph names a requantized op by the value before its FakeQuant; the
                // forecast's 16-bit steps are far finer than the 4-bit steps before it: the RMSEs judge it
                String quantized = name.endsWith("_float") ? name.substring(0, name.length() - 6) : null;
                if (quantized == null || r.graph().outputs().stream().anyMatch(v -> v.name().equals(quantized))) continue;
                FloatTensor ref = f.get(quantized);
                if (ref == null || !(n.output().type().element() instanceof IntType t) || !ref.shape().equals(q.get(name).shape())) continue;
                long[] codes = q.get(name).data();
                for (int i = 0; i < codes.length; i++) {
                    double e = Math.abs((codes[i] - t.zeroPoint()) * t.scale() - ref.data()[i]) / t.scale();
                    worst = Math.max(worst, e);
                    if (e > 0.5) steps++;
                    values++;
                }
            }
        }
        double integer = FinetuneTest.rmse(im, d.x(), d.y()), fake = FinetuneTest.rmse(r.graph(), d.x(), d.y());
        System.out.printf("ref_n12_d16_m1 w4a4 after 5 epochs: fake-quantized %.4f, integer %.4f, %.3f%% of %d values a step apart (at most %.2f steps)%n",
                fake, integer, 100 * steps / values, (long) values, worst);
        assertTrue(values > 100_000, "values compared: " + values);
        assertTrue(worst <= 3, "worst " + worst + " steps");
        assertTrue(steps < 0.01 * values, steps + " of " + values + " values a step or more apart");
        assertEquals(fake, integer, 0.01 * fake);
    }

    /**
     * Fine-tuned (per-tensor weights, seed 1) with only the input at 4 bits and every weight and
     * activation at 8, the model stays at 0.081 (float 0.028): the input's rounding is a floor no
     * training closes. Keeping the input codes at 8 bits and everything else at 4 brings
     * fine-tuning from 0.151 to 0.124. The test asks for 2.5x float and 10% respectively.
     */
    @Test
    void fourBitInputCodesBoundTheError() {
        FinetuneTest.Data d = FinetuneTest.load("ref_n12_d16_m1");
        Finetune.Split split = Finetune.split(d.x(), d.y(), 8);
        double flt = FinetuneTest.rmse(d.graph(), d.x(), d.y());
        QuantPlan p4 = Finetune.plan(d.graph(), d.cal(), FinetuneTest.Q4), p8 = Finetune.plan(d.graph(), d.cal(), Q8);
        String input = d.graph().inputs().get(0).name();
        double inputOnly = tuned(d, FinetuneProbe.with(p8, input, p4.activation(input)), split);
        double all4 = tuned(d, p4, split), input8 = tuned(d, FinetuneProbe.with(p4, input, p8.activation(input)), split);
        System.out.printf("ref_n12_d16_m1 fine-tuned: float %.4f, only the input at 4 bits %.4f, w4a4 %.4f, w4a4 with 8-bit input %.4f%n", flt, inputOnly, all4, input8);
        assertTrue(inputOnly > 2.5 * flt, "only the input at 4 bits: " + inputOnly + ", float " + flt);
        assertTrue(input8 < 0.9 * all4, "8-bit input " + input8 + " vs w4a4 " + all4);
    }

    private static double tuned(FinetuneTest.Data d, QuantPlan p, Finetune.Split split) {
        Finetune.Result r = Finetune.run(d.graph(), p, split, Finetune.Options.defaults(), null);
        return FinetuneTest.rmse(Quantize.run(r.graph(), FinetuneBench.trained(4), true, null), d.x(), d.y());
    }
}
