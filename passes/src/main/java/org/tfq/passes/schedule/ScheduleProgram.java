package org.tfq.passes.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tfq.ir.Graph;
import org.tfq.ir.IntTensor;
import org.tfq.ir.IntType;
import org.tfq.ir.Node;
import org.tfq.ir.Shape;
import org.tfq.ir.Value;
import org.tfq.ir.integer.IntLayerNorm;
import org.tfq.ir.integer.IntMath;
import org.tfq.ir.integer.IntRange;
import org.tfq.ir.integer.IntSoftmax;
import org.tfq.ir.integer.Requantizer;
import org.tfq.ir.op.Broadcast;
import org.tfq.ir.op.Concat;
import org.tfq.ir.op.IntPadConstant;
import org.tfq.ir.op.IntAdd;
import org.tfq.ir.op.IntAffine;
import org.tfq.ir.op.IntLayerNormOp;
import org.tfq.ir.op.IntLinear;
import org.tfq.ir.op.IntMatMul;
import org.tfq.ir.op.IntMaxPool;
import org.tfq.ir.op.IntMeanPool;
import org.tfq.ir.op.IntMul;
import org.tfq.ir.op.IntRelabel;
import org.tfq.ir.op.IntSoftmaxOp;
import org.tfq.ir.op.IntTableOp;
import org.tfq.ir.op.LayoutOp;
import org.tfq.passes.layout.ResolveViews;
import org.tfq.passes.layout.View;
import org.tfq.passes.memory.AllocateActivations;
import org.tfq.passes.quant.IntegerModel;

/**
 * Turns an integer graph into the engine's program: one instruction per op (two for a matmul
 * of activations, whose second operand is first loaded into the lane-banked B buffer), in graph
 * order, with layout ops and relabels folded into address streams, tensors placed in the
 * activation memory by liveness, and every constant placed in a ROM. Each instruction's cycle
 * count is a closed formula ({@link Instruction#cycles()}) because nothing in the engine waits on
 * data: the tails below are the pipeline depths behind the last slot, so the next instruction
 * never reads a value still in flight.
 */
public final class ScheduleProgram {
    private ScheduleProgram() {}

    /** Latencies of the hardware units the program's timing depends on (the Verilog backend knows them). */
    public interface UnitLatencies {
        /** In-valid to out-valid of the output unit. */
        int post();

        /** In-valid to out-valid of the pipelined rounding divider with this many quotient bits. */
        int divider(int quotientBits);
    }

    /** A graph the engine cannot run: which node and why. */
    public static final class ScheduleException extends RuntimeException {
        public ScheduleException(String message) {
            super(message);
        }
    }

    public static Program run(IntegerModel model, int lanes, UnitLatencies latencies) {
        if (lanes < 1) throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
        return new Builder(model, lanes, latencies).build();
    }

    private static final class Builder {
        final Graph g;
        final IntegerModel model;
        final int lanes;
        final UnitLatencies lat;
        final ResolveViews.Result views;
        final AllocateActivations.Allocation alloc;
        final List<Instruction> program = new ArrayList<>();
        final List<long[]> weights = new ArrayList<>();
        final List<long[]> params = new ArrayList<>();
        final List<Long> table = new ArrayList<>();
        final Set<String> toOutput = new HashSet<>();
        final List<Program.Check> checks = new ArrayList<>();
        /** Per instruction index: the stored values (and B-buffer regions) it reads and writes. */
        final Set<Integer> overlapped = new HashSet<>();
        final Map<Integer, Set<String>> readsOf = new java.util.HashMap<>(), writesOf = new java.util.HashMap<>();
        // widths gathered while scheduling
        int actW = 1, accW = 1, weightW = 1, tableW = 1, bufferDepth = 0;
        int divNumW = 0, divDenW = 0, divQW = 0, sqrtW = 0, smKW = 1, lnNW = 1, lnEW = 1;
        int postAW = 1, maxDividerQ = 0;
        boolean buffer, divider, sqrt;
        int onesWord = -1;
        /** B-buffer words taken by operands that their producers write directly; loads go above. */
        int bufferRegions = 0;
        /** The LOAD_B instructions and the matmuls reading what they load, and the most they load. */
        final List<Integer> loadUsers = new ArrayList<>();
        int loadDepth = 0;
        /** Linear layers whose output could drain straight into the B buffer: instruction index, rows, features. */
        final Map<String, Produced> producers = new java.util.HashMap<>();

        record Produced(int index, int rows, int features) {}

        Builder(IntegerModel model, int lanes, UnitLatencies lat) {
            this.model = model;
            this.g = model.graph();
            this.lanes = lanes;
            this.lat = lat;
            this.views = ResolveViews.run(g);
            this.alloc = AllocateActivations.run(g, views);
        }

        Program build() {
            Value input = g.inputs().get(0);
            Value output = g.outputs().get(0);
            Node producer = producerOf(output);
            boolean direct = producer != null && views.placements().get(output.name()).base().equals(output.name())
                    && readers(output.name()) == 0 && !(producer.op() instanceof LayoutOp)
                    && views.placements().get(output.name()).stored();
            if (direct) toOutput.add(output.name());
            for (Value v : g.inputs()) actW = Math.max(actW, storage(v.type().intType()));
            for (Node n : g.nodes()) {
                if (views.placements().get(n.output().name()).base().equals(n.output().name()) && !toOutput.contains(n.output().name())) {
                    actW = Math.max(actW, storage(n.output().type().intType()));
                }
            }
            for (Node n : g.nodes()) sizeDivider(n);
            for (Node n : g.nodes()) schedule(n);
            if (!direct) {
                copy(output);
                check(output, "output");
            }
            placeLoads();
            overlapDrains();
            program.add(Instruction.end());
            return new Program(g.name(), lanes, List.copyOf(program), List.copyOf(weights), List.copyOf(params),
                    table.stream().mapToLong(Long::longValue).toArray(), widths(output), (int) base(input.name()),
                    size(input), input.type().intType(), size(output), output.type().intType(), Math.max(1, alloc.size()),
                    Math.max(1, bufferDepth), List.copyOf(checks));
        }

        /** The linear layer that produced {@code v} if {@code v} is its whole output read in place, else null. */
        Produced directProducer(Value v) {
            ResolveViews.Placement p = views.placements().get(v.name());
            if (p.view().offset() != 0) return null;
            return producers.get(p.base());
        }

        /** The divider is shared, so its widths (and latency) are the widest any op needs, known before scheduling. */
        void sizeDivider(Node n) {
            if (n.op() instanceof IntSoftmaxOp op) {
                IntSoftmax sm = op.softmax();
                divider = true;
                divNumW = Math.max(divNumW, sm.dividendBits() + 1);
                divDenW = Math.max(divDenW, sm.divisorBits());
                divQW = Math.max(divQW, sm.quotientBits());
            } else if (n.op() instanceof IntLayerNormOp op) {
                IntLayerNorm ln = op.norm();
                divider = true;
                divNumW = Math.max(divNumW, ln.engineDividendBits());
                divDenW = Math.max(divDenW, ln.sigmaBits());
                divQW = Math.max(divQW, ln.engineQuotientBits());
                sqrt = true;
                sqrtW = Math.max(sqrtW, ln.radicandBits());
            }
        }

        // ---- ops ----

        void schedule(Node n) {
            if (n.op() instanceof IntRelabel) return;
            if (n.op() instanceof LayoutOp) {
                if (views.materialised().containsKey(n.output().name())) {
                    copyInto(n.input(0), n.output(), n.name());
                    check(n.output(), n.name());
                }
                return;
            }
            try {
                int before = program.size();
                scheduleOp(n);
                // a tensor stored in another axis order than row-major has no layer check
                if (program.size() > before && views.placements().get(n.output().name()).stored()) check(n.output(), n.name());
                for (int i = before; i < program.size(); i++) {
                    Set<String> r = readsOf.computeIfAbsent(i, k -> new HashSet<>());
                    for (Value in : n.inputs()) r.add(views.placements().get(in.name()).base());
                    writesOf.computeIfAbsent(i, k -> new HashSet<>()).add(n.output().name());
                }
            } catch (ScheduleException e) {
                throw new ScheduleException("node " + n.name() + " (" + n.op().mnemonic() + "): " + e.getMessage());
            }
        }

        /**
         * A MAC instruction followed by another that reads nothing it writes need not wait for its
         * last tile to drain: the next one's first outputs reach the output unit only after its
         * first tile ({@code K'} slots), and the drain keeps its own copy of what it needs. The
         * tail then only has to keep the two drains apart.
         */
        void overlapDrains() {
            for (int i = 0; i + 1 < program.size(); i++) {
                Instruction cur = program.get(i), next = program.get(i + 1);
                if (cur.kind() != Instruction.Kind.MAC || next.kind() != Instruction.Kind.MAC) continue;
                Set<String> written = writesOf.getOrDefault(i, Set.of());
                boolean independent = true;
                for (String r : readsOf.getOrDefault(i + 1, Set.of())) independent &= !written.contains(r);
                if (!independent) continue;
                int slack = cur.counts()[3] - cur.kcount();
                // the last capture (3 cycles after the last slot) latches this instruction's constants, so
                // the next fetch may not come before it
                int tail = Math.max(Math.max(1, 2 - slack), cur.lanesLast() - next.kcount() - slack);
                if (tail < cur.tail()) {
                    program.set(i, cur.withTail(tail));
                    overlapped.add(i);
                }
            }
            // a value is complete only once no drain behind it is still running
            for (int c = 0; c < checks.size(); c++) {
                Program.Check k = checks.get(c);
                int pc = k.pc();
                while (overlapped.contains(pc - 1)) pc++;
                checks.set(c, new Program.Check(pc, k.value(), k.node(), k.base(), k.count(), k.output()));
            }
        }

        /** Loaded operands share one region, above the directly written ones. */
        void placeLoads() {
            for (int i : loadUsers) program.set(i, program.get(i).withBufferBase(bufferRegions));
            bufferDepth = Math.max(bufferDepth, bufferRegions + loadDepth);
        }

        /** The value the last instruction wrote, for the layer-by-layer check. */
        void check(Value v, String node) {
            Out o = out(v);
            checks.add(new Program.Check(program.size(), v.name(), node, o.base, size(v), o.toOutput));
        }

        void scheduleOp(Node n) {
            {
                if (n.op() instanceof IntLinear op) linear(n, op);
                else if (n.op() instanceof IntMatMul op) matmul(n, op);
                else if (n.op() instanceof IntMeanPool op) meanPool(n, op);
                else if (n.op() instanceof IntMaxPool op) maxPool(n, op);
                else if (n.op() instanceof IntAffine op) affine(n, op);
                else if (n.op() instanceof IntAdd op) add(n, op);
                else if (n.op() instanceof IntTableOp op) tableOp(n, op);
                else if (n.op() instanceof IntMul op) product(n, op);
                else if (n.op() instanceof IntSoftmaxOp op) softmax(n, op);
                else if (n.op() instanceof IntLayerNormOp op) layerNorm(n, op);
                else if (n.op() instanceof Concat op) concat(n, op);
                else if (n.op() instanceof IntPadConstant op) pad(n, op);
                else throw new ScheduleException("no hardware for " + n.op().mnemonic());
            }
        }

        void linear(Node n, IntLinear op) {
            Access x = access(n.input(0));
            int k = op.inFeatures(), outF = op.outFeatures();
            int[] rowDims = Arrays.copyOf(x.dims, x.dims.length - 1);
            long[] outStrides = rowMajorRows(rowDims, outF);
            Loops.Nest rows = rows(rowDims, Arrays.copyOf(x.strides, rowDims.length), outStrides);
            int tiles = ceilDiv(outF, lanes), full = Math.min(lanes, outF), last = outF - (tiles - 1) * lanes;
            int slots = Math.max(k, full);
            int wBase = weights.size();
            long[] w = op.weight().data();
            for (int t = 0; t < tiles; t++) {
                for (int i = 0; i < k; i++) {
                    long[] word = new long[lanes];
                    for (int j = 0; j < lanes && t * lanes + j < outF; j++) word[j] = w[(t * lanes + j) * k + i];
                    weights.add(word);
                }
            }
            weightW = Math.max(weightW, op.weightBits());
            // the bias is the output unit's offset, per output or, with a folded positional encoding,
            // per row and output (the table is then laid out like the output)
            int pBase = params.size();
            IntTensor rowBias = op.rowBias();
            int biasRows = rowBias == null ? 1 : rowBias.shape().dim(0);
            for (int row = 0; row < biasRows; row++) {
                for (int o = 0; o < outF; o++) {
                    Requantizer r = op.requant(o);
                    params.add(new long[] {r.multiplier(), 0, op.offset(row, o), r.shift()});
                }
            }
            IntRange[] ranges = IntLinear.accumulatorRanges(op.weight(), op.in());
            for (IntRange r : ranges) accW = Math.max(accW, r.signedBits());
            long xk = x.strides[x.strides.length - 1];
            Out o = out(n.output());
            if (!o.toOutput && rows.counts()[0] == 1 && outF <= lanes) {
                producers.put(n.output().name(), new Produced(program.size(), rows.counts()[1], outF));
            }
            program.add(mac(n.name(), new int[] {rows.counts()[0], rows.counts()[1], tiles, slots}, k, full, last,
                    Stream.of(x.base, rows.strides().get(0)[0], rows.strides().get(0)[1], 0, xk),
                    Stream.of(wBase, 0, 0, k, 1),
                    rowBias == null ? Stream.of(pBase, 0, 0, lanes, 0)
                            : Stream.of(pBase, rows.strides().get(1)[0], rows.strides().get(1)[1], lanes, 0), 1,
                    Stream.of(o.base, rows.strides().get(1)[0], rows.strides().get(1)[1], lanes, 0), 1,
                    false, o.toOutput, 0, 0, op.out(), op.relu()));
        }

        void meanPool(Node n, IntMeanPool op) {
            Access x = access(n.input(0));
            int axis = new Shape(x.dims).axis(op.axis());
            int[] rowDims = without(x.dims, axis);
            long[] rowStrides = without(x.strides, axis);
            int k = x.dims[axis];
            Loops.Nest rows = rows(rowDims, rowStrides, rowMajor(rowDims));
            if (onesWord < 0) {
                onesWord = weights.size();
                long[] word = new long[lanes];
                word[0] = 1;
                weights.add(word);
                weightW = Math.max(weightW, 2);
            }
            int pBase = params.size();
            params.add(new long[] {op.requant().multiplier(), 0, 0, op.requant().shift()});
            accW = Math.max(accW, op.accBits());
            Out o = out(n.output());
            program.add(mac(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 1, Math.max(k, 1)}, k, 1, 1,
                    Stream.of(x.base, rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides[axis]),
                    Stream.of(onesWord, 0, 0, 0, 0),
                    Stream.of(pBase, 0, 0, 0, 0), 0,
                    Stream.of(o.base, rows.strides().get(1)[0], rows.strides().get(1)[1], 0, 0), 0,
                    false, o.toOutput, op.in().zeroPoint(), 0, op.out(), false));
        }

        /**
         * One element per slot, one row after another; the output unit writes the code each row
         * kept (the input's quantization, so y = v: m1 = 1, c = 0, z = 0), or, for a minimum, the
         * complement of the largest complement (m1 = c = -1).
         */
        void maxPool(Node n, IntMaxPool op) {
            Access x = access(n.input(0));
            int axis = new Shape(x.dims).axis(op.axis());
            int[] rowDims = without(x.dims, axis);
            int k = x.dims[axis];
            Loops.Nest rows = rows(rowDims, without(x.strides, axis), rowMajor(rowDims));
            int pBase = params.size();
            params.add(op.minimum() ? new long[] {-1, 0, -1, 0} : new long[] {1, 0, 0, 0});
            postAW = Math.max(postAW, actW + 1);
            Out o = out(n.output());
            program.add(Instruction.max(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 1, k}).kcount(k)
                    .a(Stream.of(x.base, rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides[axis]))
                    .p(Stream.of(pBase, 0, 0, 0, 0)).o(Stream.of(o.base, rows.strides().get(1)[0], rows.strides().get(1)[1], 0, 0))
                    .toOutput(o.toOutput).clamp(0, op.type().min(), op.type().max()).tail(2 + lat.post() + 1).build());
        }

        void matmul(Node n, IntMatMul op) {
            Shape outShape = n.output().type().shape();
            int r = outShape.rank();
            if (r < 2) throw new ScheduleException("matmul result of rank " + r);
            Access a = access(n.input(0)).broadcastTo(outShape, 2);
            Access b = access(n.input(1)).broadcastTo(outShape, 2);
            int[] batchDims = Arrays.copyOf(outShape.dims(), r - 2);
            Loops.Nest batch = Loops.collapse(batchDims, List.of(Arrays.copyOf(a.strides, r - 2), Arrays.copyOf(b.strides, r - 2),
                    Arrays.copyOf(rowMajor(outShape.dims()), r - 2)), Loops.LEVELS);
            if (batch == null) throw new ScheduleException("batch dimensions too irregular for " + Loops.LEVELS + " loops");
            batch = Loops.pad(batch, Loops.LEVELS);
            // the MAC instruction walks one batch loop; the outer ones (a multi-head view of a tensor
            // with its own batch axis, e.g. PatchTST's [channel, head] batches) become one instruction each
            int[] c = batch.counts();
            long[] sa = batch.strides().get(0), sb = batch.strides().get(1), so = batch.strides().get(2);
            int inner = Loops.LEVELS - 1;
            boolean split = c[0] * c[1] * c[2] > 1;
            if (split && out(n.output()).toOutput()) {
                throw new ScheduleException("a model output computed by a matmul over irregular batch dimensions");
            }
            for (int i0 = 0; i0 < c[0]; i0++) {
                for (int i1 = 0; i1 < c[1]; i1++) {
                    for (int i2 = 0; i2 < c[2]; i2++) {
                        matmulBatches(n, op, a, b, split, c[inner], sa[inner], sb[inner], so[inner],
                                i0 * sa[0] + i1 * sa[1] + i2 * sa[2], i0 * sb[0] + i1 * sb[1] + i2 * sb[2],
                                i0 * so[0] + i1 * so[1] + i2 * so[2]);
                    }
                }
            }
        }

        /** One MAC instruction (after a LOAD_B, unless B's producer writes the buffer) over {@code batches} batches from the given offsets. */
        private void matmulBatches(Node n, IntMatMul op, Access a, Access b, boolean split, int batches, long aBatch, long bBatch, long oBatch,
                long aOff, long bOff, long oOff) {
            Shape outShape = n.output().type().shape();
            int r = outShape.rank();
            int m = outShape.dim(r - 2), outN = outShape.dim(r - 1);
            int k = a.dims[a.dims.length - 1];
            int tiles = ceilDiv(outN, lanes), full = Math.min(lanes, outN), last = outN - (tiles - 1) * lanes;
            // B[.., kk, j] (or B[.., j, kk] transposed): strides of the k and j axes of the view
            long sk = op.transposeB() ? b.strides[r - 1] : b.strides[r - 2];
            long sj = op.transposeB() ? b.strides[r - 2] : b.strides[r - 1];
            buffer = true;
            // a loaded operand goes above every directly written one (placed once all are known, see
            // placeLoads): a direct write may precede a load that comes before its own matmul
            long region = 0;
            Produced direct = batches == 1 && tiles == 1 && !split ? directProducer(n.input(1)) : null;
            boolean swap = false;
            if (direct != null) {
                // B[kk][j] is the producer's output[r][o]: either kk = r, j = o, or (a transposed view) kk = o, j = r
                boolean plain = sk == direct.features() && sj == 1 && k == direct.rows() && outN == direct.features();
                swap = sk == 1 && sj == direct.features() && k == direct.features() && outN == direct.rows();
                if (!plain && !swap) direct = null;
            }
            if (direct != null) {
                region = bufferRegions;
                program.set(direct.index(), program.get(direct.index()).withBufferWrite(region, swap));
                writesOf.computeIfAbsent(direct.index(), i -> new HashSet<>()).add("bbuf:" + region);
                bufferRegions += k;
                bufferDepth = Math.max(bufferDepth, bufferRegions);
            } else {
                loadDepth = Math.max(loadDepth, batches * tiles * k);
                loadUsers.add(program.size());
                loadUsers.add(program.size() + 1);
            }
            readsOf.computeIfAbsent(program.size() + (direct == null ? 1 : 0), i -> new HashSet<>())
                    .add(direct == null ? "bbuf:load" : "bbuf:" + region);
            if (direct == null) program.add(Instruction.loadB(n.name() + " (load B)", new int[] {batches, tiles, k, full})
                    .a(Stream.of(b.base + bOff, bBatch, lanes * sj, sk, sj)).w(Stream.of(region, (long) tiles * k, k, 1, 0))
                    .lanes(full, last).tail(1).build());
            int pBase = params.size();
            params.add(new long[] {op.requant().multiplier(), 0, 0, op.requant().shift()});
            accW = Math.max(accW, op.accBits());
            Out o = out(n.output());
            program.add(mac(n.name(), new int[] {batches, m, tiles, Math.max(k, full)}, k, full, last,
                    Stream.of(a.base + aOff, aBatch, a.strides[r - 2], 0, a.strides[r - 1]),
                    Stream.of(region, (long) tiles * k, 0, k, 1),
                    Stream.of(pBase, 0, 0, 0, 0), 0,
                    Stream.of(o.base + oOff, oBatch, outN, lanes, 0), 1,
                    true, o.toOutput, op.a().zeroPoint(), op.b().zeroPoint(), op.out(), false));
        }

        void affine(Node n, IntAffine op) {
            Shape s = n.output().type().shape();
            long pBase = paramTable(s, List.of(op.multiplier(), op.offset()), (vals) -> new long[] {vals[0], 0, vals[1], op.shift()});
            elementwise(n.name(), n.output(), access(n.input(0)), null, paramStrides(s, List.of(op.multiplier(), op.offset())),
                    pBase, op.in().zeroPoint(), 0, false, 0, 0, false, op.out(), op.relu());
        }

        void add(Node n, IntAdd op) {
            Shape s = n.output().type().shape();
            List<IntTensor> consts = List.of(op.multiplierA(), op.multiplierB(), op.offset());
            long pBase = paramTable(s, consts, (vals) -> new long[] {vals[0], vals[1], vals[2], op.shift()});
            elementwise(n.name(), n.output(), access(n.input(0)).broadcastTo(s, 0), access(n.input(1)).broadcastTo(s, 0),
                    paramStrides(s, consts), pBase, op.a().zeroPoint(), op.b().zeroPoint(), false, 0, 0, false, op.out(), op.relu());
        }

        /** The product of two broadcast operands, one element per slot, requantized by the output unit. */
        void product(Node n, IntMul op) {
            Shape s = n.output().type().shape();
            long pBase = params.size();
            params.add(new long[] {op.requant().multiplier(), 0, 0, op.requant().shift()});
            postAW = Math.max(postAW, op.productBits());
            elementwise(Instruction.Kind.PRODUCT, n.name(), n.output(), s, access(n.input(0)).broadcastTo(s, 0),
                    access(n.input(1)).broadcastTo(s, 0), null, pBase, op.a().zeroPoint(), op.b().zeroPoint(), false, 0, 0, false,
                    op.out(), false);
        }

        void tableOp(Node n, IntTableOp op) {
            int tBase = table.size();
            for (long v : op.table().table()) {
                table.add(v);
                tableW = Math.max(tableW, IntMath.signedBits(Math.min(v, 0), Math.max(v, 0)));
            }
            postAW = Math.max(postAW, tableW);
            elementwise(n.name(), n.output(), access(n.input(0)), null, null, 0, 0, 0, true, tBase,
                    (1L << op.table().inBits()) - 1, true, identity(op.out()), false);
        }

        /** A reshape that has no view, or the output: the elements in the row-major order of the source view. */
        void copyInto(Value from, Value to, String name) {
            IntType t = identity(to.type().intType());
            Access a = access(from);
            Shape s = new Shape(a.dims);
            elementwise(name + " (copy)", to, s, a, null, null, 0, 0, 0, false, 0, 0, true, t, false);
        }

        void copy(Value output) {
            toOutput.add(output.name());
            copyInto(output, output, "output");
        }

        void elementwise(String name, Value outV, Access a, Access b, long[] pStrides, long pBase, long za, long zb,
                boolean useTable, long tBase, long tMask, boolean postConst, IntType outType, boolean relu) {
            elementwise(name, outV, outV.type().shape(), a, b, pStrides, pBase, za, zb, useTable, tBase, tMask, postConst, outType, relu);
        }

        /** One output element per slot, over {@code s} in row-major order (the output is stored that way). */
        void elementwise(String name, Value outV, Shape s, Access a, Access b, long[] pStrides, long pBase, long za, long zb,
                boolean useTable, long tBase, long tMask, boolean postConst, IntType outType, boolean relu) {
            elementwise(Instruction.Kind.ELEMENTWISE, name, outV, s, a, b, pStrides, pBase, za, zb, useTable, tBase, tMask, postConst,
                    outType, relu);
        }

        void elementwise(Instruction.Kind kind, String name, Value outV, Shape s, Access a, Access b, long[] pStrides, long pBase,
                long za, long zb, boolean useTable, long tBase, long tMask, boolean postConst, IntType outType, boolean relu) {
            Out o = out(outV);
            elementwiseAt(kind, name, s, a, b, pStrides, pBase, za, zb, useTable, tBase, tMask, postConst, outType.zeroPoint(),
                    low(outType, relu), outType.max(), o, rowMajor(s.dims()));
        }

        /** One output element per slot, over {@code s}, written at {@code o.base} + the index times {@code oStrides}, clamped to [lo, hi]. */
        void elementwiseAt(Instruction.Kind kind, String name, Shape s, Access a, Access b, long[] pStrides, long pBase, long za, long zb,
                boolean useTable, long tBase, long tMask, boolean postConst, long z, long lo, long hi, Out o, long[] oStrides) {
            int rank = s.rank();
            if (a.dims.length != rank) a = a.broadcastTo(s, 0);
            long[] bStr = b == null ? new long[rank] : b.strides;
            long[] pStr = pStrides == null ? new long[rank] : pStrides;
            Loops.Nest nest = Loops.collapse(s.dims(), List.of(a.strides, bStr, pStr, oStrides), Loops.LEVELS);
            if (nest == null) throw new ScheduleException("view of " + s + " needs more than " + Loops.LEVELS + " loops");
            nest = Loops.pad(nest, Loops.LEVELS);
            postAW = Math.max(postAW, actW + 1);
            Instruction.Builder i = kind == Instruction.Kind.PRODUCT ? Instruction.product(name, nest.counts())
                    : Instruction.elementwise(name, nest.counts());
            if (useTable) i.table(tBase, tMask);
            program.add(i.a(stream(a.base, nest, 0)).b(stream(b == null ? 0 : b.base, nest, 1)).p(stream(pBase, nest, 2))
                    .o(stream(o.base, nest, 3)).toOutput(o.toOutput).postConst(postConst).centre(za, zb).clamp(z, lo, hi)
                    .tail(2 + lat.post() + 1).build());
        }

        /**
         * A concat that is not a view: each input copied into its region of the output (one
         * element per cycle), in the output's storage order. The inputs have the output's
         * quantization, so the copies pass codes through.
         */
        void concat(Node n, Concat op) {
            if (!views.placements().get(n.output().name()).base().equals(n.output().name())) return; // a view of its inputs
            int[] starts = op.starts(n.inputs().stream().map(v -> v.type().shape()).toList());
            for (int i = 0; i < n.inputs().size(); i++) {
                region(n.name() + " (part " + i + ")", n.output(), access(n.inputs().get(i)), op.axis(), starts[i]);
            }
        }

        /** The input copied into the middle of its region, the fill code written around it by the output unit's clamp. */
        void pad(Node n, IntPadConstant op) {
            Shape out = n.output().type().shape();
            int a = out.axis(op.axis());
            if (op.before() > 0) fill(n.name() + " (before)", n.output(), out.withDim(a, op.before()), a, 0, op.fill());
            region(n.name() + " (copy)", n.output(), access(n.input(0)), a, op.before());
            if (op.after() > 0) fill(n.name() + " (after)", n.output(), out.withDim(a, op.after()), a, out.dim(a) - op.after(), op.fill());
        }

        /** Copies {@code src} into the stored value {@code to} from index {@code start} of {@code axis} on. */
        void region(String name, Value to, Access src, int axis, int start) {
            long[] st = storedStrides(to);
            Out o = out(to);
            IntType t = to.type().intType();
            elementwiseAt(Instruction.Kind.ELEMENTWISE, name, new Shape(src.dims), src, null, null, 0, 0, 0, false, 0, 0, true, 0, t.min(), t.max(),
                    new Out(o.base + start * st[axis], o.toOutput), st);
        }

        /** Writes {@code code} into the region {@code s} of {@code to} from index {@code start} of {@code axis}: lo = hi = code. */
        void fill(String name, Value to, Shape s, int axis, int start, long code) {
            long[] st = storedStrides(to);
            Out o = out(to);
            elementwiseAt(Instruction.Kind.ELEMENTWISE, name, s, new Access(0, s.dims(), new long[s.rank()]), null, null, 0, 0, 0, false, 0, 0, true, 0, code, code,
                    new Out(o.base + start * st[axis], o.toOutput), st);
        }

        long[] storedStrides(Value v) {
            int[] s = views.placements().get(v.name()).view().strides();
            long[] st = new long[s.length];
            for (int i = 0; i < s.length; i++) st[i] = s[i];
            return st;
        }

        void softmax(Node n, IntSoftmaxOp op) {
            Access x = access(n.input(0));
            int axis = new Shape(x.dims).axis(op.axis());
            int len = x.dims[axis];
            Shape s = n.output().type().shape();
            long[] oStr = rowMajor(s.dims());
            Loops.Nest rows = rows(without(x.dims, axis), without(x.strides, axis), without(oStr, axis));
            IntSoftmax sm = op.softmax();
            // the entries before the first zero and one zero: an index past them reads that zero
            int tBase = table.size();
            long[] exp = sm.table();
            int kept = sm.nonZeroEntries();
            for (int i = 0; i < kept; i++) table.add(exp[i]);
            table.add(0L);
            tableW = Math.max(tableW, sm.expBits() + 1);
            smKW = Math.max(smKW, IntMath.unsignedBits(sm.outMultiplier()));
            Out o = out(n.output());
            int dq = dividerQuotientBits();
            postAW = Math.max(postAW, dq + 1);
            // phase 2 reads e_i from the buffer phase 1 writes two cycles after e_i's slot: phase 1 and
            // its extra slots must span three, or a row of one element reads its exponential stale
            int extra = Math.max(1, 3 - len);
            program.add(Instruction.softmax(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 3, len}).kcount(len).extra(extra)
                    .a(Stream.of(x.base, rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides[axis]))
                    .o(Stream.of(o.base, rows.strides().get(1)[0], rows.strides().get(1)[1], 0, oStr[axis])).toOutput(o.toOutput)
                    .table(tBase, kept).postConst(true).clamp(sm.outZeroPoint(), op.out().min(), op.out().max())
                    .softmaxScale(sm.outMultiplier(), sm.outShift()).tail(2 + lat.divider(dq) + lat.post() + 1)
                    .mask(op.mask().none() ? 0 : Math.min(op.mask().diagonal(), len), maskPeriod(op, x, axis)).build());
        }

        /**
         * Rows per restart of a causal mask's limit: the length of the axis before the softmax's,
         * whose index is the row number modulo it when the softmax axis is the last (0: no mask).
         */
        long maskPeriod(IntSoftmaxOp op, Access x, int axis) {
            if (op.mask().none()) return 0;
            if (axis != x.dims.length - 1) throw new ScheduleException("a causal mask needs the softmax over the last axis");
            return x.dims[axis - 1];
        }

        void layerNorm(Node n, IntLayerNormOp op) {
            Access x = access(n.input(0));
            IntLayerNorm ln = op.norm();
            int len = ln.length();
            int last = new Shape(x.dims).axis(op.axis()); // the axis normalized: the element stride of both streams
            Shape s = n.output().type().shape();
            long[] oStr = rowMajor(s.dims());
            Loops.Nest rows = rows(without(x.dims, last), without(x.strides, last), without(oStr, last));
            int pBase = params.size();
            long[] gamma = ln.gammaConstants(), beta = ln.betaConstants();
            for (int i = 0; i < len; i++) params.add(new long[] {gamma[i], 0, beta[i], 0});
            lnNW = Math.max(lnNW, IntMath.unsignedBits(len) + 1);
            lnEW = Math.max(lnEW, IntMath.unsignedBits(ln.epsilonTerm()));
            accW = Math.max(accW, ln.varianceBits() + 1);
            Out o = out(n.output());
            int dq = dividerQuotientBits();
            postAW = Math.max(postAW, dq + 1);
            int extra = IntMath.isqrtCycles(sqrtW) + 2; // the square root is shared: the widest one's cycles
            program.add(Instruction.layerNorm(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 3, len}).kcount(len).extra(extra)
                    .a(Stream.of(x.base, rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides[last]))
                    .p(Stream.of(pBase, 0, 0, 0, 1))
                    .o(Stream.of(o.base, rows.strides().get(1)[0], rows.strides().get(1)[1], 0, oStr[last])).toOutput(o.toOutput)
                    .postConst(true).postShift(ln.fracBits()).clamp(ln.outZeroPoint(), op.out().min(), op.out().max())
                    .norm(len, 2 * ln.sqrtShift(), ln.epsilonTerm()).tail(3 + lat.divider(dq) + lat.post() + 1).build());
        }

        Instruction mac(String name, int[] counts, int k, int full, int last, Stream a, Stream w, Stream p, long pLane, Stream o,
                long oLane, boolean fromBuffer, boolean toOut, long za, long zb, IntType out, boolean relu) {
            int slots = counts[3];
            // the last tile drains behind the loop: accumulate (3), capture, param read, output unit, write
            int tail = Math.max(1, 3 + last + lat.post() - (slots - k) + 1);
            postAW = Math.max(postAW, accW);
            return Instruction.mac(name, counts).kcount(k).a(a).w(w).p(p).o(o).laneSteps(oLane, pLane).lanes(full, last)
                    .fromBuffer(fromBuffer).toOutput(toOut).centre(za, zb).clamp(out.zeroPoint(), low(out, relu), out.max()).tail(tail)
                    .build();
        }

        /** The divider is shared: its quotient width is the widest any op needs. */
        int dividerQuotientBits() {
            return divQW;
        }

        // ---- constants ----

        interface Entry {
            long[] of(long[] values);
        }

        /** One param entry per element of the broadcast shape of {@code consts}; returns the first entry's index. */
        long paramTable(Shape out, List<IntTensor> consts, Entry entry) {
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
        long[] paramStrides(Shape out, List<IntTensor> consts) {
            Shape ps = Shape.of();
            for (IntTensor t : consts) ps = Broadcast.shape(ps, t.shape());
            long[] st = new long[out.rank()];
            int[] psStr = ps.strides();
            int off = out.rank() - ps.rank();
            for (int a = 0; a < ps.rank(); a++) if (ps.dim(a) > 1) st[a + off] = psStr[a];
            return st;
        }

        // ---- addressing ----

        /** A value as the engine reads it: element address base + sum idx * stride over dims. */
        record Access(long base, int[] dims, long[] strides) {
            /** Right-aligned to {@code s}'s rank (leading axes of size 1, stride 0), broadcast axes get stride 0. */
            Access broadcastTo(Shape s, int keepLast) {
                int r = s.rank(), off = r - dims.length;
                if (off < 0) throw new ScheduleException("cannot broadcast " + Arrays.toString(dims) + " to " + s);
                int[] d = new int[r];
                long[] st = new long[r];
                for (int i = 0; i < r; i++) {
                    int src = i - off;
                    boolean bcast = i < r - keepLast && (src < 0 || dims[src] == 1);
                    d[i] = i < r - keepLast ? s.dim(i) : dims[src];
                    st[i] = bcast ? 0 : strides[src];
                }
                return new Access(base, d, st);
            }
        }

        record Out(long base, boolean toOutput) {}

        Access access(Value v) {
            ResolveViews.Placement p = views.placements().get(v.name());
            View view = p.view();
            int[] s = view.strides();
            long[] st = new long[s.length];
            for (int i = 0; i < s.length; i++) st[i] = s[i];
            return new Access(base(p.base()) + view.offset(), view.shape().dims(), st);
        }

        Out out(Value v) {
            if (toOutput.contains(v.name())) return new Out(0, true);
            return new Out(base(v.name()), false);
        }

        long base(String stored) {
            AllocateActivations.Buffer b = alloc.buffers().get(stored);
            if (b == null) throw new ScheduleException("value " + stored + " has no place in the activation memory");
            return b.offset();
        }

        Loops.Nest rows(int[] dims, long[] inStrides, long[] outStrides) {
            Loops.Nest nest = Loops.collapse(dims, List.of(inStrides, outStrides), 2);
            if (nest == null) throw new ScheduleException("rows of " + Arrays.toString(dims) + " need more than two loops");
            return Loops.pad(nest, 2);
        }

        static Stream stream(long base, Loops.Nest nest, int which) {
            long[] s = nest.strides().get(which);
            return Stream.of(base, s[0], s[1], s[2], s[3]);
        }

        // ---- small helpers ----

        Node producerOf(Value v) {
            return g.uses().producer(v.name());
        }

        int readers(String value) {
            int c = 0;
            for (Node n : g.nodes()) {
                for (Value in : n.inputs()) if (views.placements().get(in.name()).base().equals(value)) c++;
            }
            return c;
        }

        static int storage(IntType t) {
            return t.bits() + (t.signed() ? 0 : 1);
        }

        /** {@code t} with zero point 0: the output unit passes codes through (copies, tables) without adding one. */
        static IntType identity(IntType t) {
            return new IntType(t.bits(), t.signed(), t.scale(), 0);
        }

        static long low(IntType t, boolean relu) {
            return relu ? Math.max(t.min(), t.zeroPoint()) : t.min();
        }

        static int size(Value v) {
            return Math.toIntExact(v.type().shape().size());
        }

        static long[] rowMajor(int[] dims) {
            long[] s = new long[dims.length];
            long acc = 1;
            for (int i = dims.length - 1; i >= 0; i--) {
                s[i] = acc;
                acc *= dims[i];
            }
            return s;
        }

        static long[] rowMajorRows(int[] rowDims, int inner) {
            long[] s = new long[rowDims.length];
            long acc = inner;
            for (int i = rowDims.length - 1; i >= 0; i--) {
                s[i] = acc;
                acc *= rowDims[i];
            }
            return s;
        }

        static int[] without(int[] a, int i) {
            int[] r = new int[a.length - 1];
            for (int k = 0, j = 0; k < a.length; k++) if (k != i) r[j++] = a[k];
            return r;
        }

        static long[] without(long[] a, int i) {
            long[] r = new long[a.length - 1];
            for (int k = 0, j = 0; k < a.length; k++) if (k != i) r[j++] = a[k];
            return r;
        }

        static int ceilDiv(int a, int b) {
            return (a + b - 1) / b;
        }

        Program.Widths widths(Value output) {
            IntType outT = output.type().intType();
            int outW = storage(outT);
            int m1 = 1, m2 = 1, c = 1, sh = 1;
            for (long[] e : params) {
                m1 = Math.max(m1, IntMath.signedBits(Math.min(e[0], 0), Math.max(e[0], 0)));
                m2 = Math.max(m2, IntMath.signedBits(Math.min(e[1], 0), Math.max(e[1], 0)));
                c = Math.max(c, IntMath.signedBits(Math.min(e[2], 0), Math.max(e[2], 0)));
                sh = Math.max(sh, IntMath.unsignedBits(e[3]));
            }
            for (Instruction i : program) sh = Math.max(sh, IntMath.unsignedBits(i.postShift()));
            m1 = Math.max(m1, 2); // the constant 1 of the division results
            int operandB = buffer ? Math.max(weightW, actW + 1) : weightW;
            int yW = Math.max(actW, outW);
            long maxCount = 1, maxAddr = Math.max(alloc.size(), Math.max(weights.size(), Math.max(params.size(), table.size())));
            maxAddr = Math.max(maxAddr, Math.max(bufferDepth, size(output)));
            for (Instruction i : program) {
                for (int n : i.counts()) maxCount = Math.max(maxCount, n);
                maxCount = Math.max(maxCount, (long) i.counts()[3] + i.extra());
                maxCount = Math.max(maxCount, i.tail());
                maxCount = Math.max(maxCount, i.lanesFull());
                maxCount = Math.max(maxCount, Math.max(i.maskStart(), i.maskPeriod()));
                for (Stream s : List.of(i.a(), i.b(), i.w(), i.p(), i.o())) {
                    maxAddr = Math.max(maxAddr, Math.abs(s.base()));
                    for (long st : s.strides()) maxAddr = Math.max(maxAddr, Math.abs(st) * lanes);
                }
            }
            int counter = IntMath.unsignedBits(maxCount) + 1;
            int address = IntMath.unsignedBits(maxAddr) + 2;
            int dq = divider ? divQW : 0;
            return new Program.Widths(actW, outW, storage(model.input().intType()), weightW, accW, operandB, m1, m2, c, sh,
                    Math.max(postAW, Math.max(accW, actW + 1)), yW, tableW, divider ? divNumW : 0, divider ? divDenW : 0, dq,
                    sqrtW, smKW, lnNW, lnEW, counter, address, buffer, !table.isEmpty(), divider, sqrt, lat.post(),
                    divider ? lat.divider(dq) : 0);
        }
    }
}
