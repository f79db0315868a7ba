package org.tfq.passes.schedule;

import java.util.ArrayList;
import java.util.List;
import org.tfq.ir.IntTensor;
import org.tfq.ir.Shape;
import org.tfq.ir.op.Broadcast;

/**
 * The engine's ROM images as the scheduler fills them: the weight ROM ({@code lanes} weights per
 * word), the parameter ROM (the output unit's {@code {m1, m2, c, shift}} per entry) and the table
 * ROM (exponential and elementwise-function tables, concatenated). Each method appends and
 * returns the address of what it placed, for the instruction's stream.
 */
final class PackRoms {
    private final int lanes;
    private final List<long[]> weights = new ArrayList<>();
    private final List<long[]> params = new ArrayList<>();
    private final List<Long> table = new ArrayList<>();
    private int onesWord = -1;

    PackRoms(int lanes) {
        this.lanes = lanes;
    }

    /**
     * A linear layer's weights {@code w[o][i]} ({@code outF x k}, row-major) as tiles of
     * {@code lanes} outputs: word {@code t k + i} holds input {@code i} of outputs
     * {@code t lanes .. t lanes + lanes - 1} (zero past the last output).
     */
    int linearWeights(long[] w, int outF, int k) {
        int base = weights.size();
        int tiles = (outF + lanes - 1) / lanes;
        for (int t = 0; t < tiles; t++) {
            for (int i = 0; i < k; i++) {
                long[] word = new long[lanes];
                for (int j = 0; j < lanes && t * lanes + j < outF; j++) word[j] = w[(t * lanes + j) * k + i];
                weights.add(word);
            }
        }
        return base;
    }

    /** The word with weight 1 in lane 0 (a mean pool's sum), placed once. */
    int onesWord() {
        if (onesWord < 0) {
            onesWord = weights.size();
            long[] word = new long[lanes];
            word[0] = 1;
            weights.add(word);
        }
        return onesWord;
    }

    /** One parameter entry. */
    int param(long m1, long m2, long c, long shift) {
        params.add(new long[] {m1, m2, c, shift});
        return params.size() - 1;
    }

    /** The address the next parameter entry goes to. */
    int nextParam() {
        return params.size();
    }

    interface Entry {
        long[] of(long[] values);
    }

    /** One param entry per element of the broadcast shape of {@code consts}; returns the first entry's index. */
    long paramTable(List<IntTensor> consts, Entry entry) {
        Shape ps = Shape.of();
        for (IntTensor t : consts) ps = Broadcast.shape(ps, t.shape());
        int base = params.size();
        int size = Math.toIntExact(ps.size());
        List<int[]> offs = new ArrayList<>();
        for (IntTensor t : consts) offs.add(Broadcast.offsets(t.shape(), ps));
        for (int i = 0; i < size; i++) {
            long[] vals = new long[consts.size()];
            for (int c = 0; c < vals.length; c++) vals[c] = consts.get(c).data()[offs.get(c)[i]];
            params.add(entry.of(vals));
        }
        return base;
    }

    /** Strides of the param table over the output's axes (0 where a constant is broadcast). */
    static long[] paramStrides(Shape out, List<IntTensor> consts) {
        Shape ps = Shape.of();
        for (IntTensor t : consts) ps = Broadcast.shape(ps, t.shape());
        long[] st = new long[out.rank()];
        int[] psStr = ps.strides();
        int off = out.rank() - ps.rank();
        for (int a = 0; a < ps.rank(); a++) if (ps.dim(a) > 1) st[a + off] = psStr[a];
        return st;
    }

    /** Appends {@code count} entries of {@code values} to the table ROM; returns where they start. */
    int table(long[] values, int count) {
        int base = table.size();
        for (int i = 0; i < count; i++) table.add(values[i]);
        return base;
    }

    List<long[]> weightWords() {
        return List.copyOf(weights);
    }

    List<long[]> params() {
        return List.copyOf(params);
    }

    long[] table() {
        return table.stream().mapToLong(Long::longValue).toArray();
    }
}
