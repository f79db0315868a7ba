package org.tfq.passes.schedule;

import static org.tfq.passes.schedule.Addresses.rowMajor;
import static org.tfq.passes.schedule.Addresses.rowMajorRows;
import static org.tfq.passes.schedule.Addresses.rows;
import static org.tfq.passes.schedule.Addresses.size;
import static org.tfq.passes.schedule.Addresses.stream;
import static org.tfq.passes.schedule.Addresses.without;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
import org.tfq.passes.schedule.Addresses.Access;
import org.tfq.passes.schedule.Addresses.Out;
import org.tfq.passes.schedule.ScheduleProgram.ScheduleException;
import org.tfq.passes.schedule.ScheduleProgram.UnitLatencies;

/**
 * Instruction selection: the engine's instructions for each op of an integer graph, in graph
 * order (one per op; two for a matmul of activations, whose second operand is first loaded into
 * the lane-banked B buffer, unless its producer writes it there), with the op's constants placed
 * in the ROMs ({@link PackRoms}) and the widths it needs noted ({@link InferProgramWidths}).
 * The tails are the pipeline depths behind the last slot, so the next instruction never reads a
 * value still in flight.
 */
final class SelectInstructions {
    private final Graph g;
    private final int lanes;
    private final UnitLatencies lat;
    private final Addresses addr;
    private final ResolveViews.Result views;
    private final PackRoms roms;
    private final InferProgramWidths widths;
    private final List<Instruction> program = new ArrayList<>();
    private final List<Program.Check> checks = new ArrayList<>();
    /** Per instruction index: the stored values (and B-buffer regions) it reads and writes. */
    private final Map<Integer, Set<String>> readsOf = new HashMap<>(), writesOf = new HashMap<>();
    private int bufferDepth = 0;
    /** B-buffer words taken by operands that their producers write directly; loads go above. */
    private int bufferRegions = 0;
    /** The LOAD_B instructions and the matmuls reading what they load, and the most they load. */
    private final List<Integer> loadUsers = new ArrayList<>();
    private int loadDepth = 0;
    /** Linear layers whose output could drain straight into the B buffer: instruction index, rows, features. */
    private final Map<String, Produced> producers = new HashMap<>();

    private record Produced(int index, int rows, int features) {}

    SelectInstructions(Graph g, int lanes, UnitLatencies lat, Addresses addr, PackRoms roms, InferProgramWidths widths) {
        this.g = g;
        this.lanes = lanes;
        this.lat = lat;
        this.addr = addr;
        this.views = addr.views;
        this.roms = roms;
        this.widths = widths;
    }

    /** The linear layer that produced {@code v} if {@code v} is its whole output read in place, else null. */
    private Produced directProducer(Value v) {
        ResolveViews.Placement p = views.placements().get(v.name());
        if (p.view().offset() != 0) return null;
        return producers.get(p.base());
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

    /** Loaded operands share one region, above the directly written ones. */
    private void placeLoads() {
        for (int i : loadUsers) program.set(i, program.get(i).withBufferBase(bufferRegions));
        bufferDepth = Math.max(bufferDepth, bufferRegions + loadDepth);
    }

    /** The value the last instruction wrote, for the layer-by-layer check. */
    private void check(Value v, String node) {
        Out o = out(v);
        checks.add(new Program.Check(program.size(), v.name(), node, o.base(), size(v), o.toOutput()));
    }

    private void scheduleOp(Node n) {
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

    private void linear(Node n, IntLinear op) {
        Access x = access(n.input(0));
        int k = op.inFeatures(), outF = op.outFeatures();
        int[] rowDims = Arrays.copyOf(x.dims(), x.dims().length - 1);
        long[] outStrides = rowMajorRows(rowDims, outF);
        Loops.Nest rows = rows(rowDims, Arrays.copyOf(x.strides(), rowDims.length), outStrides);
        int tiles = ceilDiv(outF, lanes), full = Math.min(lanes, outF), last = outF - (tiles - 1) * lanes;
        int slots = Math.max(k, full);
        int wBase = roms.linearWeights(op.weight().data(), outF, k);
        widths.weight(op.weightBits());
        // the bias is the output unit's offset, per output or, with a folded positional encoding,
        // per row and output (the table is then laid out like the output)
        int pBase = roms.nextParam();
        IntTensor rowBias = op.rowBias();
        int biasRows = rowBias == null ? 1 : rowBias.shape().dim(0);
        for (int row = 0; row < biasRows; row++) {
            for (int o = 0; o < outF; o++) {
                Requantizer r = op.requant(o);
                roms.param(r.multiplier(), 0, op.offset(row, o), r.shift());
            }
        }
        IntRange[] ranges = IntLinear.accumulatorRanges(op.weight(), op.in());
        for (IntRange r : ranges) widths.accumulator(r.signedBits());
        long xk = x.strides()[x.strides().length - 1];
        Out o = out(n.output());
        if (!o.toOutput() && rows.counts()[0] == 1 && outF <= lanes) {
            producers.put(n.output().name(), new Produced(program.size(), rows.counts()[1], outF));
        }
        program.add(mac(n.name(), new int[] {rows.counts()[0], rows.counts()[1], tiles, slots}, k, full, last,
                Stream.of(x.base(), rows.strides().get(0)[0], rows.strides().get(0)[1], 0, xk),
                Stream.of(wBase, 0, 0, k, 1),
                rowBias == null ? Stream.of(pBase, 0, 0, lanes, 0)
                        : Stream.of(pBase, rows.strides().get(1)[0], rows.strides().get(1)[1], lanes, 0), 1,
                Stream.of(o.base(), rows.strides().get(1)[0], rows.strides().get(1)[1], lanes, 0), 1,
                false, o.toOutput(), 0, 0, op.out(), op.relu()));
    }

    private void meanPool(Node n, IntMeanPool op) {
        Access x = access(n.input(0));
        int axis = new Shape(x.dims()).axis(op.axis());
        int[] rowDims = without(x.dims(), axis);
        long[] rowStrides = without(x.strides(), axis);
        int k = x.dims()[axis];
        Loops.Nest rows = rows(rowDims, rowStrides, rowMajor(rowDims));
        int onesWord = roms.onesWord();
        widths.weight(2);
        int pBase = roms.param(op.requant().multiplier(), 0, 0, op.requant().shift());
        widths.accumulator(op.accBits());
        Out o = out(n.output());
        program.add(mac(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 1, Math.max(k, 1)}, k, 1, 1,
                Stream.of(x.base(), rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides()[axis]),
                Stream.of(onesWord, 0, 0, 0, 0),
                Stream.of(pBase, 0, 0, 0, 0), 0,
                Stream.of(o.base(), rows.strides().get(1)[0], rows.strides().get(1)[1], 0, 0), 0,
                false, o.toOutput(), op.in().zeroPoint(), 0, op.out(), false));
    }

    /**
     * One element per slot, one row after another; the output unit writes the code each row
     * kept (the input's quantization, so y = v: m1 = 1, c = 0, z = 0), or, for a minimum, the
     * complement of the largest complement (m1 = c = -1).
     */
    private void maxPool(Node n, IntMaxPool op) {
        Access x = access(n.input(0));
        int axis = new Shape(x.dims()).axis(op.axis());
        int[] rowDims = without(x.dims(), axis);
        int k = x.dims()[axis];
        Loops.Nest rows = rows(rowDims, without(x.strides(), axis), rowMajor(rowDims));
        int pBase = op.minimum() ? roms.param(-1, 0, -1, 0) : roms.param(1, 0, 0, 0);
        widths.postInput(widths.act() + 1);
        Out o = out(n.output());
        program.add(Instruction.max(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 1, k}).kcount(k)
                .a(Stream.of(x.base(), rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides()[axis]))
                .p(Stream.of(pBase, 0, 0, 0, 0)).o(Stream.of(o.base(), rows.strides().get(1)[0], rows.strides().get(1)[1], 0, 0))
                .toOutput(o.toOutput()).clamp(0, op.type().min(), op.type().max()).tail(2 + lat.post() + 1).build());
    }

    private void matmul(Node n, IntMatMul op) {
        Shape outShape = n.output().type().shape();
        int r = outShape.rank();
        if (r < 2) throw new ScheduleException("matmul result of rank " + r);
        Access a = access(n.input(0)).broadcastTo(outShape, 2);
        Access b = access(n.input(1)).broadcastTo(outShape, 2);
        int[] batchDims = Arrays.copyOf(outShape.dims(), r - 2);
        Loops.Nest batch = Loops.collapse(batchDims, List.of(Arrays.copyOf(a.strides(), r - 2), Arrays.copyOf(b.strides(), r - 2),
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
        int k = a.dims()[a.dims().length - 1];
        int tiles = ceilDiv(outN, lanes), full = Math.min(lanes, outN), last = outN - (tiles - 1) * lanes;
        // B[.., kk, j] (or B[.., j, kk] transposed): strides of the k and j axes of the view
        long sk = op.transposeB() ? b.strides()[r - 1] : b.strides()[r - 2];
        long sj = op.transposeB() ? b.strides()[r - 2] : b.strides()[r - 1];
        widths.buffer();
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
        }
        // a partial last tile loads only its columns, in a LOAD_B of its own: loading it as a full
        // tile would read columns past the matrix, maybe past the activation memory
        int fullTiles = last < full ? tiles - 1 : tiles;
        int loads = direct != null ? 0 : fullTiles < tiles ? 2 : 1;
        if (direct == null) {
            loadDepth = Math.max(loadDepth, batches * tiles * k);
            for (int i = 0; i <= loads; i++) loadUsers.add(program.size() + i);
        }
        readsOf.computeIfAbsent(program.size() + loads, i -> new HashSet<>())
                .add(direct == null ? "bbuf:load" : "bbuf:" + region);
        if (direct == null) {
            program.add(Instruction.loadB(n.name() + " (load B)", new int[] {batches, fullTiles, k, full})
                    .a(Stream.of(b.base() + bOff, bBatch, lanes * sj, sk, sj)).w(Stream.of(region, (long) tiles * k, k, 1, 0))
                    .lanes(full, full).tail(1).build());
            if (fullTiles < tiles) {
                program.add(Instruction.loadB(n.name() + " (load B, last tile)", new int[] {batches, 1, k, last})
                        .a(Stream.of(b.base() + bOff + (long) fullTiles * lanes * sj, bBatch, 0, sk, sj))
                        .w(Stream.of(region + (long) fullTiles * k, (long) tiles * k, 0, 1, 0))
                        .lanes(last, last).tail(1).build());
            }
        }
        int pBase = roms.param(op.requant().multiplier(), 0, 0, op.requant().shift());
        widths.accumulator(op.accBits());
        Out o = out(n.output());
        program.add(mac(n.name(), new int[] {batches, m, tiles, Math.max(k, full)}, k, full, last,
                Stream.of(a.base() + aOff, aBatch, a.strides()[r - 2], 0, a.strides()[r - 1]),
                Stream.of(region, (long) tiles * k, 0, k, 1),
                Stream.of(pBase, 0, 0, 0, 0), 0,
                Stream.of(o.base() + oOff, oBatch, outN, lanes, 0), 1,
                true, o.toOutput(), op.a().zeroPoint(), op.b().zeroPoint(), op.out(), false));
    }

    private void affine(Node n, IntAffine op) {
        Shape s = n.output().type().shape();
        long pBase = roms.paramTable(List.of(op.multiplier(), op.offset()), (vals) -> new long[] {vals[0], 0, vals[1], op.shift()});
        elementwise(n.name(), n.output(), access(n.input(0)), null, PackRoms.paramStrides(s, List.of(op.multiplier(), op.offset())),
                pBase, op.in().zeroPoint(), 0, false, 0, 0, false, op.out(), op.relu());
    }

    private void add(Node n, IntAdd op) {
        Shape s = n.output().type().shape();
        List<IntTensor> consts = List.of(op.multiplierA(), op.multiplierB(), op.offset());
        long pBase = roms.paramTable(consts, (vals) -> new long[] {vals[0], vals[1], vals[2], op.shift()});
        elementwise(n.name(), n.output(), access(n.input(0)).broadcastTo(s, 0), access(n.input(1)).broadcastTo(s, 0),
                PackRoms.paramStrides(s, consts), pBase, op.a().zeroPoint(), op.b().zeroPoint(), false, 0, 0, false, op.out(), op.relu());
    }

    /** The product of two broadcast operands, one element per slot, requantized by the output unit. */
    private void product(Node n, IntMul op) {
        Shape s = n.output().type().shape();
        long pBase = roms.param(op.requant().multiplier(), 0, 0, op.requant().shift());
        widths.postInput(op.productBits());
        elementwise(Instruction.Kind.PRODUCT, n.name(), n.output(), s, access(n.input(0)).broadcastTo(s, 0),
                access(n.input(1)).broadcastTo(s, 0), null, pBase, op.a().zeroPoint(), op.b().zeroPoint(), false, 0, 0, false,
                op.out(), false);
    }

    private void tableOp(Node n, IntTableOp op) {
        long[] values = op.table().table();
        int tBase = roms.table(values, values.length);
        for (long v : values) widths.table(IntMath.signedBits(Math.min(v, 0), Math.max(v, 0)));
        widths.postInput(widths.table());
        elementwise(n.name(), n.output(), access(n.input(0)), null, null, 0, 0, 0, true, tBase,
                (1L << op.table().inBits()) - 1, true, identity(op.out()), false);
    }

    /** A reshape that has no view, or the output: the elements in the row-major order of the source view. */
    private void copyInto(Value from, Value to, String name) {
        IntType t = identity(to.type().intType());
        Access a = access(from);
        Shape s = new Shape(a.dims());
        elementwise(name + " (copy)", to, s, a, null, null, 0, 0, 0, false, 0, 0, true, t, false);
    }

    /** The model's output, computed elsewhere, copied to the output memory as the program's last step. */
    void copyToOutput(Value output) {
        addr.writeToOutput(output.name());
        copyInto(output, output, "output");
        check(output, "output");
    }

    private void elementwise(String name, Value outV, Access a, Access b, long[] pStrides, long pBase, long za, long zb,
            boolean useTable, long tBase, long tMask, boolean postConst, IntType outType, boolean relu) {
        elementwise(name, outV, outV.type().shape(), a, b, pStrides, pBase, za, zb, useTable, tBase, tMask, postConst, outType, relu);
    }

    /** One output element per slot, over {@code s} in row-major order (the output is stored that way). */
    private void elementwise(String name, Value outV, Shape s, Access a, Access b, long[] pStrides, long pBase, long za, long zb,
            boolean useTable, long tBase, long tMask, boolean postConst, IntType outType, boolean relu) {
        elementwise(Instruction.Kind.ELEMENTWISE, name, outV, s, a, b, pStrides, pBase, za, zb, useTable, tBase, tMask, postConst,
                outType, relu);
    }

    private void elementwise(Instruction.Kind kind, String name, Value outV, Shape s, Access a, Access b, long[] pStrides, long pBase,
            long za, long zb, boolean useTable, long tBase, long tMask, boolean postConst, IntType outType, boolean relu) {
        Out o = out(outV);
        elementwiseAt(kind, name, s, a, b, pStrides, pBase, za, zb, useTable, tBase, tMask, postConst, outType.zeroPoint(),
                low(outType, relu), outType.max(), o, rowMajor(s.dims()));
    }

    /** One output element per slot, over {@code s}, written at {@code o.base()} + the index times {@code oStrides}, clamped to [lo, hi]. */
    private void elementwiseAt(Instruction.Kind kind, String name, Shape s, Access a, Access b, long[] pStrides, long pBase, long za, long zb,
            boolean useTable, long tBase, long tMask, boolean postConst, long z, long lo, long hi, Out o, long[] oStrides) {
        int rank = s.rank();
        if (a.dims().length != rank) a = a.broadcastTo(s, 0);
        long[] bStr = b == null ? new long[rank] : b.strides();
        long[] pStr = pStrides == null ? new long[rank] : pStrides;
        Loops.Nest nest = Loops.collapse(s.dims(), List.of(a.strides(), bStr, pStr, oStrides), Loops.LEVELS);
        if (nest == null) throw new ScheduleException("view of " + s + " needs more than " + Loops.LEVELS + " loops");
        nest = Loops.pad(nest, Loops.LEVELS);
        widths.postInput(widths.act() + 1);
        Instruction.Builder i = kind == Instruction.Kind.PRODUCT ? Instruction.product(name, nest.counts())
                : Instruction.elementwise(name, nest.counts());
        if (useTable) i.table(tBase, tMask);
        program.add(i.a(stream(a.base(), nest, 0)).b(stream(b == null ? 0 : b.base(), nest, 1)).p(stream(pBase, nest, 2))
                .o(stream(o.base(), nest, 3)).toOutput(o.toOutput()).postConst(postConst).centre(za, zb).clamp(z, lo, hi)
                .tail(2 + lat.post() + 1).build());
    }

    /**
     * A concat that is not a view: each input copied into its region of the output (one
     * element per cycle), in the output's storage order. The inputs have the output's
     * quantization, so the copies pass codes through.
     */
    private void concat(Node n, Concat op) {
        if (!views.placements().get(n.output().name()).base().equals(n.output().name())) return; // a view of its inputs
        int[] starts = op.starts(n.inputs().stream().map(v -> v.type().shape()).toList());
        for (int i = 0; i < n.inputs().size(); i++) {
            region(n.name() + " (part " + i + ")", n.output(), access(n.inputs().get(i)), op.axis(), starts[i]);
        }
    }

    /** The input copied into the middle of its region, the fill code written around it by the output unit's clamp. */
    private void pad(Node n, IntPadConstant op) {
        Shape out = n.output().type().shape();
        int a = out.axis(op.axis());
        if (op.before() > 0) fill(n.name() + " (before)", n.output(), out.withDim(a, op.before()), a, 0, op.fill());
        region(n.name() + " (copy)", n.output(), access(n.input(0)), a, op.before());
        if (op.after() > 0) fill(n.name() + " (after)", n.output(), out.withDim(a, op.after()), a, out.dim(a) - op.after(), op.fill());
    }

    /** Copies {@code src} into the stored value {@code to} from index {@code start} of {@code axis} on. */
    private void region(String name, Value to, Access src, int axis, int start) {
        long[] st = addr.storedStrides(to);
        Out o = out(to);
        IntType t = to.type().intType();
        elementwiseAt(Instruction.Kind.ELEMENTWISE, name, new Shape(src.dims()), src, null, null, 0, 0, 0, false, 0, 0, true, 0, t.min(), t.max(),
                new Out(o.base() + start * st[axis], o.toOutput()), st);
    }

    /** Writes {@code code} into the region {@code s} of {@code to} from index {@code start} of {@code axis}: lo = hi = code. */
    private void fill(String name, Value to, Shape s, int axis, int start, long code) {
        long[] st = addr.storedStrides(to);
        Out o = out(to);
        elementwiseAt(Instruction.Kind.ELEMENTWISE, name, s, new Access(0, s.dims(), new long[s.rank()]), null, null, 0, 0, 0, false, 0, 0, true, 0, code, code,
                new Out(o.base() + start * st[axis], o.toOutput()), st);
    }

    private void softmax(Node n, IntSoftmaxOp op) {
        Access x = access(n.input(0));
        int axis = new Shape(x.dims()).axis(op.axis());
        int len = x.dims()[axis];
        Shape s = n.output().type().shape();
        long[] oStr = rowMajor(s.dims());
        Loops.Nest rows = rows(without(x.dims(), axis), without(x.strides(), axis), without(oStr, axis));
        IntSoftmax sm = op.softmax();
        // the entries before the first zero and one zero: an index past them reads that zero
        int kept = sm.nonZeroEntries();
        int tBase = roms.table(sm.table(), kept);
        roms.table(new long[] {0}, 1);
        widths.table(sm.expBits() + 1);
        widths.softmaxMultiplier(IntMath.unsignedBits(sm.outMultiplier()));
        Out o = out(n.output());
        int dq = widths.dividerQuotientBits();
        widths.postInput(dq + 1);
        // phase 2 reads e_i from the buffer phase 1 writes two cycles after e_i's slot: phase 1 and
        // its extra slots must span three, or a row of one element reads its exponential stale
        int extra = Math.max(1, 3 - len);
        program.add(Instruction.softmax(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 3, len}).kcount(len).extra(extra)
                .a(Stream.of(x.base(), rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides()[axis]))
                .o(Stream.of(o.base(), rows.strides().get(1)[0], rows.strides().get(1)[1], 0, oStr[axis])).toOutput(o.toOutput())
                .table(tBase, kept).postConst(true).clamp(sm.outZeroPoint(), op.out().min(), op.out().max())
                .softmaxScale(sm.outMultiplier(), sm.outShift()).tail(2 + lat.divider(dq) + lat.post() + 1)
                .mask(op.mask().none() ? 0 : Math.min(op.mask().diagonal(), len), maskPeriod(op, x, axis)).build());
    }

    /**
     * Rows per restart of a causal mask's limit: the length of the axis before the softmax's,
     * whose index is the row number modulo it when the softmax axis is the last (0: no mask).
     */
    private long maskPeriod(IntSoftmaxOp op, Access x, int axis) {
        if (op.mask().none()) return 0;
        if (axis != x.dims().length - 1) throw new ScheduleException("a causal mask needs the softmax over the last axis");
        return x.dims()[axis - 1];
    }

    private void layerNorm(Node n, IntLayerNormOp op) {
        Access x = access(n.input(0));
        IntLayerNorm ln = op.norm();
        int len = ln.length();
        int last = new Shape(x.dims()).axis(op.axis()); // the axis normalized: the element stride of both streams
        Shape s = n.output().type().shape();
        long[] oStr = rowMajor(s.dims());
        Loops.Nest rows = rows(without(x.dims(), last), without(x.strides(), last), without(oStr, last));
        int pBase = roms.nextParam();
        long[] gamma = ln.gammaConstants(), beta = ln.betaConstants();
        for (int i = 0; i < len; i++) roms.param(gamma[i], 0, beta[i], 0);
        widths.normLength(IntMath.unsignedBits(len) + 1);
        widths.normEpsilon(IntMath.unsignedBits(ln.epsilonTerm()));
        widths.accumulator(ln.varianceBits() + 1);
        Out o = out(n.output());
        int dq = widths.dividerQuotientBits();
        widths.postInput(dq + 1);
        int extra = IntMath.isqrtCycles(widths.sqrtOperandBits()) + 2; // the square root is shared: the widest one's cycles
        program.add(Instruction.layerNorm(n.name(), new int[] {rows.counts()[0], rows.counts()[1], 3, len}).kcount(len).extra(extra)
                .a(Stream.of(x.base(), rows.strides().get(0)[0], rows.strides().get(0)[1], 0, x.strides()[last]))
                .p(Stream.of(pBase, 0, 0, 0, 1))
                .o(Stream.of(o.base(), rows.strides().get(1)[0], rows.strides().get(1)[1], 0, oStr[last])).toOutput(o.toOutput())
                .postConst(true).postShift(ln.fracBits()).clamp(ln.outZeroPoint(), op.out().min(), op.out().max())
                .norm(len, 2 * ln.sqrtShift(), ln.epsilonTerm()).tail(3 + lat.divider(dq) + lat.post() + 1).build());
    }

    private Instruction mac(String name, int[] counts, int k, int full, int last, Stream a, Stream w, Stream p, long pLane, Stream o,
            long oLane, boolean fromBuffer, boolean toOut, long za, long zb, IntType out, boolean relu) {
        int slots = counts[3];
        // the last tile drains behind the loop: accumulate (3), capture, param read, output unit, write
        int tail = Math.max(1, 3 + last + lat.post() - (slots - k) + 1);
        widths.postInput(widths.accumulator());
        return Instruction.mac(name, counts).kcount(k).a(a).w(w).p(p).o(o).laneSteps(oLane, pLane).lanes(full, last)
                .fromBuffer(fromBuffer).toOutput(toOut).centre(za, zb).clamp(out.zeroPoint(), low(out, relu), out.max()).tail(tail)
                .build();
    }

    /** Places the loaded B operands, overlaps independent drains and ends the program. */
    List<Instruction> finish() {
        placeLoads();
        OverlapDrains.run(program, readsOf, writesOf, checks);
        program.add(Instruction.end());
        return List.copyOf(program);
    }

    List<Program.Check> checks() {
        return List.copyOf(checks);
    }

    /** B-buffer words per lane. */
    int bufferDepth() {
        return bufferDepth;
    }

    private Access access(Value v) {
        return addr.access(v);
    }

    private Out out(Value v) {
        return addr.out(v);
    }

    /** {@code t} with zero point 0: the output unit passes codes through (copies, tables) without adding one. */
    private static IntType identity(IntType t) {
        return new IntType(t.bits(), t.signed(), t.scale(), 0);
    }

    private static long low(IntType t, boolean relu) {
        return relu ? Math.max(t.min(), t.zeroPoint()) : t.min();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
