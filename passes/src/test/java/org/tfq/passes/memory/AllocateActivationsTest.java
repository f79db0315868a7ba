package org.tfq.passes.memory;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tfq.ir.Graph;
import org.tfq.passes.layout.ResolveViews;
import org.tfq.passes.quant.SmallGraphs;

class AllocateActivationsTest {

    @Test
    void liveTensorsNeverShareAnElementAndMemoryIsReused() {
        for (long seed = 1; seed <= 20; seed++) {
            Graph g = SmallGraphs.encoder(seed, 12, 3, 8 * (1 + (int) (seed % 4)));
            AllocateActivations.Allocation a = AllocateActivations.run(g, ResolveViews.run(g));
            List<AllocateActivations.Buffer> bs = List.copyOf(a.buffers().values());
            int sum = 0;
            for (int i = 0; i < bs.size(); i++) {
                sum += bs.get(i).size();
                assertTrue(bs.get(i).offset() + bs.get(i).size() <= a.size());
                for (int j = i + 1; j < bs.size(); j++) {
                    AllocateActivations.Buffer x = bs.get(i), y = bs.get(j);
                    assertFalse(x.overlapsInTime(y) && x.overlapsInSpace(y), x + " and " + y + " overlap");
                }
            }
            assertTrue(a.size() < sum / 2, "memory " + a.size() + " should be well below the sum of all tensors " + sum);
        }
    }
}
