#!/usr/bin/python3
"""Generate tfq's ONNX test models and their reference data.

Run from the repository root with Debian's Python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 testdata/make_testdata.py

Inputs:  testdata/data/seattle-weather-hourly-normals.csv (from the npm package
         vega-datasets 3.2.1; fetched with `npm pack` if missing).
Outputs: testdata/models/*.onnx, *.npy, manifest.json, normalisation.json, summary.txt.

Everything is deterministic: fixed seeds, torch.use_deterministic_algorithms(True),
one intra-op thread.  See testdata/README.md.
"""

import collections
import copy
import csv
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
import zlib

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data")
MODEL_DIR = os.path.join(HERE, "models")
VEGA_PKG = "vega-datasets@3.2.1"
CSV_HOURLY = "seattle-weather-hourly-normals.csv"
CSV_DAILY = "seattle-weather.csv"

N_TEST_SAMPLES = 256
N_CALIB_SAMPLES = 256
BATCH = 64
QONNX_DOMAIN = "qonnx.custom_op.general"
QAT_EPOCHS, QAT_LR, QAT_RANGE_LR = 40, 3e-3, 1e-2

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

T0 = time.time()


def log(*a):
    print("[%6.1fs]" % (time.time() - T0), *a, flush=True)


def seed_for(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


# ----------------------------------------------------------------------------- data

def ensure_data():
    """Copy the two CSVs from the npm package vega-datasets if testdata/data lacks them."""
    need = [f for f in (CSV_HOURLY, CSV_DAILY) if not os.path.exists(os.path.join(DATA_DIR, f))]
    if not need:
        return
    os.makedirs(DATA_DIR, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        log("fetching", VEGA_PKG, "with npm pack")
        subprocess.run(["npm", "pack", VEGA_PKG, "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        tgz = [f for f in os.listdir(tmp) if f.endswith(".tgz")][0]
        with tarfile.open(os.path.join(tmp, tgz)) as tf:
            for f in need:
                src = tf.extractfile("package/data/" + f)
                with open(os.path.join(DATA_DIR, f), "wb") as out:
                    shutil.copyfileobj(src, out)


def load_hourly():
    rows = []
    with open(os.path.join(DATA_DIR, CSV_HOURLY), newline="") as f:
        for r in csv.DictReader(f):
            rows.append((r["date"], float(r["pressure"]), float(r["temperature"]), float(r["wind"])))
    rows.sort(key=lambda r: r[0])
    arr = np.array([r[1:] for r in rows], dtype=np.float64)  # pressure, temperature, wind
    assert np.isfinite(arr).all()
    return [r[0] for r in rows], arr


FEATURES = {1: ["temperature"], 3: ["pressure", "temperature", "wind"]}
COLS = {"pressure": 0, "temperature": 1, "wind": 2}


SPLIT_DAYS = dict(train=(1, 20), val=(21, 24), test=(25, 31))  # day-of-month ranges, inclusive
SPLITS = ("train", "val", "test")


def split_blocks(dates):
    """Blocked time split: within each calendar month, days 1-20 train, 21-24 validation,
    25-end test. Returns {split: [(start, end), ...]}, contiguous row ranges [start, end)
    in time order (one block per month and split; the rows are hourly without gaps)."""
    def split_of(date):
        day = int(date[8:10])
        return next(k for k, (a, b) in SPLIT_DAYS.items() if a <= day <= b)
    blocks = {k: [] for k in SPLITS}
    start = 0
    for i in range(1, len(dates) + 1):
        if i == len(dates) or dates[i][:7] != dates[start][:7] or split_of(dates[i]) != split_of(dates[start]):
            blocks[split_of(dates[start])].append((start, i))
            start = i
    return blocks


class Dataset:
    """Standardised windows for one (n, m) on the blocked time split (split_blocks).

    A window for target row t is rows [t-n, t); the target is the standardised
    temperature of row t. A window and its target lie inside one block (never across a
    block boundary); windows keep their time order, blocks are concatenated in time order."""

    def __init__(self, raw, n, m, norm, blocks):
        cols = [COLS[c] for c in FEATURES[m]]
        mean = np.array([norm["mean"][c] for c in FEATURES[m]])
        std = np.array([norm["std"][c] for c in FEATURES[m]])
        feat = ((raw[:, cols] - mean) / std).astype(np.float32)
        targ = ((raw[:, COLS["temperature"]] - norm["mean"]["temperature"])
                / norm["std"]["temperature"]).astype(np.float32)
        self.temp_idx = FEATURES[m].index("temperature")

        def windows(blist):
            ts = np.concatenate([np.arange(a + n, b) for (a, b) in blist])
            X = np.stack([feat[t - n:t] for t in ts]).astype(np.float32)
            y = targ[ts].reshape(-1, 1).astype(np.float32)
            return X, y

        self.train = windows(blocks["train"])
        self.val = windows(blocks["val"])
        self.test = windows(blocks["test"])
        pick = lambda N, k: np.unique(np.round(np.linspace(0, N - 1, k)).astype(np.int64))
        self.test_pick = pick(len(self.test[0]), N_TEST_SAMPLES)
        self.calib_pick = pick(len(self.train[0]), N_CALIB_SAMPLES)
        assert len(self.test_pick) == N_TEST_SAMPLES and len(self.calib_pick) == N_CALIB_SAMPLES

    def persistence_rmse(self, split):
        X, y = getattr(self, split)
        return float(np.sqrt(np.mean((X[:, -1, self.temp_idx] - y[:, 0]) ** 2)))

    def range_check(self):
        """How far the test inputs leave the range the training inputs cover: fraction of the
        test split's input values outside the training windows' [min, max] per feature and per
        tensor (one range over all features, what a per-tensor input quantizer sees), the
        largest overshoot (standardised units), and the same fractions for the 256 saved test
        inputs against the 256 calibration windows."""
        tr, te = self.train[0], self.test[0]
        cal, sav = tr[self.calib_pick], te[self.test_pick]

        def frac(X, ref, per_feature):
            ax = (0, 1) if per_feature else None
            return float(np.mean((X < ref.min(axis=ax)) | (X > ref.max(axis=ax))))

        over = max(0.0, float((tr.min(axis=(0, 1)) - te.min(axis=(0, 1))).max()),
                   float((te.max(axis=(0, 1)) - tr.max(axis=(0, 1))).max()))
        return dict(test_outside_train_range=frac(te, tr, True),
                    test_outside_train_range_per_tensor=frac(te, tr, False),
                    test_max_overshoot=over,
                    inputs_outside_calibration_range=frac(sav, cal, True),
                    inputs_outside_calibration_range_per_tensor=frac(sav, cal, False))


# ----------------------------------------------------------------------------- fake quantization

class FakeQuant(torch.autograd.Function):
    """Per-tensor asymmetric fake quantization, signed b-bit range, STE backward.

    mode "qcdq":  q = clamp(round(x / s) + z)   (ONNX QuantizeLinear, round half to even)
    mode "qonnx": q = clamp(round(x / s + z))   (QONNX Quant, rounding_mode ROUND)
    y = (q - z) * s. scale s is a float32 value, z an integer, both Python scalars.
    """

    @staticmethod
    def forward(ctx, x, scale, zp, bits, mode):
        # "+ 0" / "- 0" are skipped: torch 1.13 records this forward as a sub-block of the
        # PythonOp, and its peephole pass crashes ("Argument passed to at() was not in the
        # map") when it tries to simplify x + 0 inside that block.
        qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
        if mode == "qonnx":
            t = x / scale
            q = torch.clamp(torch.round(t + zp if zp else t), qmin, qmax)
        else:
            q = torch.round(x / scale)
            q = torch.clamp(q + zp if zp else q, qmin, qmax)
        return (q - zp if zp else q) * scale

    @staticmethod
    def backward(ctx, g):
        return g, None, None, None, None

    @staticmethod
    def symbolic(g, x, scale, zp, bits, mode):
        qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
        f32 = lambda v: g.op("Constant", value_t=torch.tensor(v, dtype=torch.float32))
        i8 = lambda v: g.op("Constant", value_t=torch.tensor(v, dtype=torch.int8))
        if mode == "qonnx":
            y = g.op(QONNX_DOMAIN + "::Quant", x, f32(scale), f32(float(zp)), f32(float(bits)),
                     signed_i=1, narrow_i=0, rounding_mode_s="ROUND")
            y.setType(x.type())
            return y
        s, z = f32(scale), i8(zp)
        q = g.op("QuantizeLinear", x, s, z)
        if bits < 8:
            q = g.op("Clip", q, i8(qmin), i8(qmax))
        return g.op("DequantizeLinear", q, s, z)


def qparams(lo, hi, bits):
    """scale (float32 value as Python float) and integer zero point for range [lo, hi]."""
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = np.float32(max((hi - lo) / (qmax - qmin), 1e-8))
    zp = min(max(round(qmin - lo / float(scale)), qmin), qmax)  # round half to even
    return float(scale), zp


class LearnedRangeFQ(torch.autograd.Function):
    """Training-time activation fake quantizer whose range [lo, hi] is learned (LSQ-style
    gradients). The forward is exactly FakeQuant's "qcdq" forward for qparams(lo, hi, bits),
    so the model trained is the model exported. Backward: straight-through for x inside the
    range (zero where clamped); d/dhi = sum of the gradients clamped at the top + the rounding
    residual term through the scale, d/dlo likewise at the bottom (zero point treated as
    continuous)."""

    @staticmethod
    def forward(ctx, x, lo, hi, bits):
        qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
        s, z = qparams(lo, hi, bits)
        xs = x / s
        t = torch.round(xs)
        q = t + z if z else t
        above, below = q > qmax, q < qmin
        ctx.save_for_backward(above, below, t - xs)
        ctx.L, ctx.lo_free, ctx.hi_free = qmax - qmin, float(lo) < 0, float(hi) > 0
        q = torch.clamp(q, qmin, qmax)
        return (q - z if z else q) * s

    @staticmethod
    def backward(ctx, g):
        above, below, r = ctx.saved_tensors
        inside = ~(above | below)
        gx = g * inside
        gs = (gx * r).sum() / ctx.L
        g_hi = (g * above).sum() + gs
        g_lo = (g * below).sum() - gs
        zero = torch.zeros((), dtype=g.dtype)
        return gx, g_lo if ctx.lo_free else zero, g_hi if ctx.hi_free else zero, None


class ActFQ(nn.Module):
    """Activation fake quantizer. Range [lo, hi]: set by calibrate mode (observe=True in
    training mode: the first batch seen sets min/max, later batches widen it), learned by
    gradient (LearnedRangeFQ) while training, fixed in eval mode; freeze() fixes (scale,
    zero point) as Python numbers for export."""

    def __init__(self, bits):
        super().__init__()
        self.bits, self.observe, self.seen, self.mode, self.qp = bits, False, False, "qcdq", None
        self.lo = nn.Parameter(torch.zeros(()))
        self.hi = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        if self.qp is not None:
            s, z = self.qp
        elif self.observe and self.training:
            with torch.no_grad():
                first, self.seen = not self.seen, True
                self.lo.copy_(x.min() if first else torch.minimum(self.lo, x.min()))
                self.hi.copy_(x.max() if first else torch.maximum(self.hi, x.max()))
            s, z = qparams(self.lo, self.hi, self.bits)
        elif self.training:
            return LearnedRangeFQ.apply(x, self.lo, self.hi, self.bits)
        else:
            s, z = qparams(self.lo, self.hi, self.bits)
        return FakeQuant.apply(x, s, z, self.bits, self.mode)

    def freeze(self):
        self.observe, self.qp = False, qparams(self.lo, self.hi, self.bits)


class WeightFQ(nn.Module):
    """Weight fake quantizer: range = current min/max of the weight tensor.

    freeze() fixes (scale, zero point) as Python numbers so that tracing for export
    records no tensor reads for them (reading tensors inside the traced forward made
    torch 1.13's export fail intermittently in _jit_pass_peephole)."""

    def __init__(self, bits):
        super().__init__()
        self.bits, self.mode, self.qp = bits, "qcdq", None

    def forward(self, w):
        if self.qp is not None:
            s, z = self.qp
        else:
            s, z = qparams(w.detach().min(), w.detach().max(), self.bits)
        return FakeQuant.apply(w, s, z, self.bits, self.mode)

    def freeze(self, w):
        self.qp = qparams(w.detach().min(), w.detach().max(), self.bits)


def fq(bits):
    return ActFQ(bits) if bits else nn.Identity()


class QLinear(nn.Linear):
    """nn.Linear; with bits: fake-quantized weight and (unless quant_out=False) fake-quantized
    output, float bias."""

    def __init__(self, fin, fout, bits=None, quant_out=True):
        super().__init__(fin, fout)
        self.wq = WeightFQ(bits) if bits else nn.Identity()
        self.oq = fq(bits) if quant_out else nn.Identity()

    def forward(self, x):
        return self.oq(F.linear(x, self.wq(self.weight), self.bias))


def sincos(n, d):
    pos = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


# ----------------------------------------------------------------------------- models

class RefModel(nn.Module):
    """The PAPER.md design. Parameters: 12 d^2 + (15 + m) d + 1. Input [B, n, m]."""

    def __init__(self, n, d, m, bits=None):
        super().__init__()
        self.n, self.d, self.scale = n, d, 1.0 / math.sqrt(d)
        self.register_buffer("pe", sincos(n, d).unsqueeze(0))
        self.inp = QLinear(m, d, bits)
        self.q, self.k, self.v, self.o = (QLinear(d, d, bits) for _ in range(4))
        self.bn1 = nn.BatchNorm1d(d)
        self.ff1, self.ff2 = QLinear(d, 4 * d, bits), QLinear(4 * d, d, bits)
        self.bn2 = nn.BatchNorm1d(d)
        self.out = QLinear(d, 1, bits, quant_out=False)  # the forecast stays unquantized
        (self.fq_in, self.fq_pe, self.fq_scores, self.fq_softmax, self.fq_ctx, self.fq_res1,
         self.fq_bn1, self.fq_relu, self.fq_res2, self.fq_bn2, self.fq_pool) = (fq(bits) for _ in range(11))

    def forward(self, x):
        x = self.fq_in(x)
        h = self.fq_pe(self.inp(x) + self.pe)
        q, k, v = self.q(h), self.k(h), self.v(h)
        s = self.fq_scores(torch.matmul(q, k.transpose(1, 2))) * self.scale
        a = self.fq_softmax(torch.softmax(s, dim=-1))
        c = self.fq_ctx(torch.matmul(a, v))
        h = self.fq_res1(h + self.o(c))
        h = self.fq_bn1(self.bn1(h.transpose(1, 2)).transpose(1, 2))
        f = self.ff2(self.fq_relu(torch.relu(self.ff1(h))))
        h = self.fq_res2(h + f)
        h = self.fq_bn2(self.bn2(h.transpose(1, 2)).transpose(1, 2))
        p = self.fq_pool(h.mean(dim=1))
        return self.out(p)


class EncModel(nn.Module):
    """Linear m->d, optional sin/cos PE, nn.TransformerEncoder, pooling, Linear d->1."""

    def __init__(self, n, d, m, heads, layers, ff, act, batch_first, norm_first, pool,
                 pe=True, final_norm=False, squeeze_out=False):
        super().__init__()
        self.batch_first, self.pool, self.use_pe, self.squeeze_out = batch_first, pool, pe, squeeze_out
        self.inp = nn.Linear(m, d)
        p = sincos(n, d)
        self.register_buffer("pe", p.unsqueeze(0) if batch_first else p.unsqueeze(1))
        layer = nn.TransformerEncoderLayer(d, heads, ff, 0.1, activation=act,
                                           batch_first=batch_first, norm_first=norm_first)
        self.enc = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d) if final_norm else None,
                                         enable_nested_tensor=False)
        self.out = nn.Linear(d, 1)

    def forward(self, x):
        h = self.inp(x)
        if self.use_pe:
            h = h + self.pe
        h = self.enc(h)
        bf = self.batch_first
        if self.pool == "mean":
            h = h.mean(dim=1 if bf else 0)
        elif self.pool == "last_gather":
            h = h[:, -1, :] if bf else h[-1]
        elif self.pool == "last_slice":
            h = h[:, -1:, :].flatten(1) if bf else h[-1:].flatten(0, 1)
        y = self.out(h)
        return y.squeeze(-1) if self.squeeze_out else y


class HandModel(nn.Module):
    """Hand-written multi-head attention encoder layer, nn.LayerNorm, GELU FFN."""

    def __init__(self, n, d, m, heads, approximate, norm_first, batch_from_shape, pool):
        super().__init__()
        self.n, self.d, self.h, self.dh = n, d, heads, d // heads
        self.norm_first, self.batch_from_shape, self.pool = norm_first, batch_from_shape, pool
        self.register_buffer("pe", sincos(n, d).unsqueeze(0))
        self.inp = nn.Linear(m, d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff1, self.act, self.ff2 = nn.Linear(d, 4 * d), nn.GELU(approximate=approximate), nn.Linear(4 * d, d)
        self.out = nn.Linear(d, 1)

    def attn(self, z):
        B = z.shape[0] if self.batch_from_shape else -1
        split = lambda t: t.view(B, self.n, self.h, self.dh).transpose(1, 2)  # [B, h, n, dh]
        q, k, v = split(self.q(z)), split(self.k(z)), split(self.v(z))
        s = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.dh)
        a = torch.softmax(s, dim=-1)
        c = torch.matmul(a, v).transpose(1, 2).reshape(B, self.n, self.d)
        return self.o(c)

    def ffn(self, z):
        return self.ff2(self.act(self.ff1(z)))

    def forward(self, x):
        h = self.inp(x) + self.pe
        if self.norm_first:
            h = h + self.attn(self.ln1(h))
            h = h + self.ffn(self.ln2(h))
        else:
            h = self.ln1(h + self.attn(h))
            h = self.ln2(h + self.ffn(h))
        h = h.mean(dim=1) if self.pool == "mean" else h[:, -1, :]
        return self.out(h)


# ----------------------------------------------------------------------------- training / eval

def to_model_layout(X, batch_first):
    X = torch.from_numpy(X)
    return X if batch_first else X.transpose(0, 1).contiguous()


def predict(model, X, batch_first=True, chunk=512):
    """Eval-mode outputs. Grad stays enabled so nn.TransformerEncoderLayer takes the same
    (non-fused) path that is exported; the fused fast path only runs under no_grad."""
    model.eval()
    outs = []
    with torch.enable_grad():
        for i in range(0, len(X), chunk):
            outs.append(model(to_model_layout(X[i:i + chunk], batch_first)).detach())
    return torch.cat(outs).numpy().astype(np.float32)


def rmse(model, split, batch_first=True):
    X, y = split
    p = predict(model, X, batch_first).reshape(-1)
    return float(np.sqrt(np.mean((p - y[:, 0]) ** 2)))


def train(model, ds, name, epochs, lr, batch_first=True, wd=0.0, freeze_bn=False, include_initial=False,
          range_lr=None):
    """Adam + cosine schedule, MSE; keeps the state with the best validation RMSE
    (include_initial: the state before training competes too). freeze_bn keeps
    BatchNorm layers in eval mode (running statistics fixed) while training. range_lr:
    learning rate of the fake quantizers' learned ranges (ActFQ lo/hi), default lr."""
    torch.manual_seed(seed_for(name))
    gen = torch.Generator().manual_seed(seed_for(name) + 1)
    is_range = lambda n: n.endswith((".lo", ".hi"))
    groups = [dict(params=[p for n, p in model.named_parameters() if not is_range(n)])]
    ranges = [p for n, p in model.named_parameters() if is_range(n)]
    if ranges:
        groups.append(dict(params=ranges, lr=range_lr or lr, weight_decay=0.0))
    opt = torch.optim.Adam(groups, lr=lr, weight_decay=wd)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    X, y = torch.from_numpy(ds.train[0]), torch.from_numpy(ds.train[1])
    best, best_state = float("inf"), None
    if include_initial:
        best, best_state = rmse(model, ds.val, batch_first), copy.deepcopy(model.state_dict())
    for ep in range(epochs):
        model.train()
        if freeze_bn:
            for mod in model.modules():
                if isinstance(mod, nn.BatchNorm1d):
                    mod.eval()
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), BATCH):
            idx = perm[i:i + BATCH]
            if len(idx) < 2:
                continue
            xb = X[idx] if batch_first else X[idx].transpose(0, 1)
            out = model(xb).reshape(-1, 1)
            loss = F.mse_loss(out, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        v = rmse(model, ds.val, batch_first)
        if v < best:
            best, best_state = v, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    model.eval()
    return best


# ----------------------------------------------------------------------------- numpy ONNX evaluator
# A small independent interpreter for the ops these exports use; it checks that each
# .onnx file computes what PyTorch computed (no onnxruntime in Debian's Python).

def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _slice(x, starts, ends, axes=None, steps=None):
    axes = list(range(len(starts))) if axes is None else [int(a) % x.ndim for a in axes]
    steps = [1] * len(starts) if steps is None else steps
    sl = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        e = int(e)
        e = None if (st < 0 and e < -x.shape[a]) else min(e, 2 ** 62)
        sl[a] = slice(int(s), e, int(st))
    return x[tuple(sl)]


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x.astype(np.float64)).astype(x.dtype)


def _np_dtype(t):
    return onnx.helper.tensor_dtype_to_np_dtype(t) if hasattr(onnx.helper, "tensor_dtype_to_np_dtype") \
        else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t]


def _quant(x, s, z, lo, hi, dtype):
    return np.clip(np.rint(x / s) + z, lo, hi).astype(dtype)


def _run_node(op, ins, a, node):
    f32 = np.float32
    if op == "Constant":
        return [numpy_helper.to_array(a["value"])]
    if op == "Identity":
        return [ins[0]]
    if op in ("Add", "Sub", "Mul", "Div", "Pow"):
        x, y = ins
        if op == "Div" and np.issubdtype(x.dtype, np.integer):
            return [(np.trunc(x / y)).astype(x.dtype)]
        r = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power}[op](x, y)
        return [r.astype(x.dtype)]
    if op == "Sqrt":
        return [np.sqrt(ins[0])]
    if op == "Erf":
        return [_erf(ins[0])]
    if op == "Tanh":
        return [np.tanh(ins[0])]
    if op == "Relu":
        return [np.maximum(ins[0], 0).astype(ins[0].dtype)]
    if op == "Neg":
        return [-ins[0]]
    if op == "MatMul":
        return [np.matmul(ins[0], ins[1])]
    if op == "Gemm":
        A, B = ins[0], ins[1]
        A = A.T if a.get("transA", 0) else A
        B = B.T if a.get("transB", 0) else B
        y = a.get("alpha", 1.0) * (A @ B)
        if len(ins) > 2 and ins[2] is not None:
            y = y + a.get("beta", 1.0) * ins[2]
        return [y.astype(f32)]
    if op == "Transpose":
        return [np.transpose(ins[0], a.get("perm"))]
    if op == "Reshape":
        x, shp = ins[0], [int(v) for v in ins[1]]
        shp = [x.shape[i] if v == 0 and not a.get("allowzero", 0) else v for i, v in enumerate(shp)]
        return [x.reshape(shp)]
    if op == "Flatten":
        ax = a.get("axis", 1) % max(ins[0].ndim, 1)
        return [ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)]
    if op == "Softmax":
        x = ins[0]
        ax = a.get("axis", -1)
        e = np.exp(x - x.max(axis=ax, keepdims=True))
        return [(e / e.sum(axis=ax, keepdims=True)).astype(x.dtype)]
    if op == "ReduceMean":
        axes = a.get("axes", None)
        if axes is None and len(ins) > 1 and ins[1] is not None:
            axes = ins[1]
        axes = tuple(int(v) for v in axes) if axes is not None else None
        return [np.mean(ins[0], axis=axes, keepdims=bool(a.get("keepdims", 1))).astype(ins[0].dtype)]
    if op == "Shape":
        return [np.array(ins[0].shape[a.get("start", 0):a.get("end", None)], dtype=np.int64)]
    if op == "Gather":
        return [np.take(ins[0], ins[1].astype(np.int64), axis=a.get("axis", 0))]
    if op == "Slice":
        g = lambda i: None if len(ins) <= i or ins[i] is None else [int(v) for v in ins[i]]
        return [_slice(ins[0], g(1), g(2), g(3), g(4))]
    if op == "Unsqueeze":
        axes = a.get("axes", None)
        axes = [int(v) for v in (ins[1] if axes is None else axes)]
        x = ins[0]
        r = x.ndim + len(axes)
        for ax in sorted(v % r for v in axes):
            x = np.expand_dims(x, ax)
        return [x]
    if op == "Squeeze":
        axes = a.get("axes", None)
        if axes is None and len(ins) > 1:
            axes = ins[1]
        axes = tuple(int(v) for v in axes) if axes is not None else None
        return [np.squeeze(ins[0], axis=axes)]
    if op == "Concat":
        return [np.concatenate(ins, axis=a["axis"])]
    if op == "Cast":
        return [ins[0].astype(_np_dtype(a["to"]))]
    if op == "Equal":
        return [np.equal(ins[0], ins[1])]
    if op == "Where":
        return [np.where(ins[0], ins[1], ins[2])]
    if op == "Expand":
        shp = np.broadcast_shapes(ins[0].shape, tuple(int(v) for v in ins[1]))
        return [np.broadcast_to(ins[0], shp).copy()]
    if op == "ConstantOfShape":
        v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, f32)
        return [np.full(tuple(int(s) for s in ins[0]), v.reshape(-1)[0], dtype=v.dtype)]
    if op == "Split":
        ax = a.get("axis", 0)
        split = a.get("split", None)
        if split is None and len(ins) > 1 and ins[1] is not None:
            split = [int(v) for v in ins[1]]
        if split is None:
            split = [ins[0].shape[ax] // len(node.output)] * len(node.output)
        return np.split(ins[0], np.cumsum(split)[:-1], axis=ax)
    if op == "BatchNormalization":
        x, sc, b, mu, var = ins
        shp = [1, -1] + [1] * (x.ndim - 2)
        r = (x - mu.reshape(shp)) / np.sqrt(var.reshape(shp) + f32(a.get("epsilon", 1e-5)))
        return [(r * sc.reshape(shp) + b.reshape(shp)).astype(x.dtype)]
    if op == "LayerNormalization":
        x = ins[0]
        ax = a.get("axis", -1) % x.ndim
        axes = tuple(range(ax, x.ndim))
        mu = x.mean(axis=axes, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
        r = (x - mu) / np.sqrt(var + f32(a.get("epsilon", 1e-5)))
        r = r * ins[1]
        if len(ins) > 2 and ins[2] is not None:
            r = r + ins[2]
        return [r.astype(x.dtype)]
    if op == "QuantizeLinear":
        x, s = ins[0], ins[1]
        z = ins[2] if len(ins) > 2 and ins[2] is not None else np.uint8(0)
        info = np.iinfo(z.dtype)
        return [_quant(x, s, z.astype(np.int32), info.min, info.max, z.dtype)]
    if op == "DequantizeLinear":
        x, s = ins[0], ins[1]
        z = ins[2] if len(ins) > 2 and ins[2] is not None else 0
        return [((x.astype(np.int32) - np.int32(z)).astype(f32) * s).astype(f32)]
    if op == "Clip":
        x = ins[0]
        lo = ins[1] if len(ins) > 1 and ins[1] is not None else None
        hi = ins[2] if len(ins) > 2 and ins[2] is not None else None
        return [np.clip(x, lo, hi).astype(x.dtype)]
    if op == "Quant":  # QONNX
        x, s, z, bw = ins
        b = int(bw)
        assert a["signed"] == 1 and a.get("narrow", 0) == 0 and a.get("rounding_mode", b"ROUND") in (b"ROUND", "ROUND")
        q = np.clip(np.rint(x / s + z), -2 ** (b - 1), 2 ** (b - 1) - 1)
        return [((q - z) * s).astype(f32)]
    raise NotImplementedError(op)


def np_run(model, x):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        ins = [env[i] if i else None for i in node.input]
        outs = _run_node(node.op_type, ins, _attrs(node), node)
        for nm, v in zip(node.output, outs):
            env[nm] = np.asarray(v)
    return env[model.graph.output[0].name]


# ----------------------------------------------------------------------------- export

MANIFEST = []
NPFMT = lambda a: np.ascontiguousarray(a.astype(np.float32))


def op_counts(model):
    c = collections.Counter(n.op_type if n.domain in ("", "ai.onnx") else n.domain + "::" + n.op_type
                            for n in model.graph.node)
    return dict(sorted(c.items()))


def export(model, name, ds, *, family, n, d, m, heads, layers, opset, dynamic, batch_first,
           norm_first, activation, pooling, pos_encoding, bits=None, encoding="float",
           custom_opsets=None, extra=None):
    model.eval()
    path = os.path.join(MODEL_DIR, name + ".onnx")
    bax = 0 if batch_first else 1
    Xs = ds.test[0][ds.test_pick]
    dummy = to_model_layout(Xs[:1], batch_first)
    dyn = {"input": {bax: "batch"}, "output": {0: "batch"}} if dynamic else None
    kw = {"custom_opsets": custom_opsets} if custom_opsets else {}
    with torch.enable_grad():  # keep nn.TransformerEncoderLayer off the fused fast path
        torch.onnx.export(model, (dummy,), path, input_names=["input"], output_names=["output"],
                          opset_version=opset, do_constant_folding=True, dynamic_axes=dyn,
                          training=torch.onnx.TrainingMode.EVAL, **kw)
    om = onnx.load(path)
    check = "ok"
    try:
        onnx.checker.check_model(om, full_check=True)
    except Exception as e:  # noqa
        try:
            onnx.checker.check_model(om)
            check = "ok (full_check/shape inference failed: %s)" % str(e).splitlines()[0][:160]
        except Exception as e2:  # noqa
            check = "FAILED: %s" % str(e2).splitlines()[0][:200]
    counts = op_counts(om)
    bad = [k for k in counts if k.startswith("ATen") or "aten" in k.lower() or "PythonOp" in k]
    assert not bad, (name, counts)

    # reference data
    outs = predict(model, Xs, batch_first)
    ys = ds.test[1][ds.test_pick]
    out_shape_per_sample = list(outs.shape[1:])
    if out_shape_per_sample == []:
        ys = ys[:, 0]
    np.save(os.path.join(MODEL_DIR, name + ".inputs.npy"), NPFMT(Xs))
    np.save(os.path.join(MODEL_DIR, name + ".targets.npy"), NPFMT(ys))
    np.save(os.path.join(MODEL_DIR, name + ".torch_outputs.npy"), NPFMT(outs))
    np.save(os.path.join(MODEL_DIR, name + ".calibration.npy"), NPFMT(ds.train[0][ds.calib_pick]))

    # independent numpy evaluation of the ONNX graph
    try:
        if dynamic:
            onx = np_run(om, np.ascontiguousarray(to_model_layout(Xs, batch_first).numpy()))
        else:
            onx = np.concatenate([np_run(om, to_model_layout(Xs[i:i + 1], batch_first).numpy())
                                  for i in range(len(Xs))])
        npdiff = float(np.max(np.abs(onx.reshape(outs.shape) - outs)))
    except NotImplementedError as e:
        npdiff = None
        log("  numpy evaluator lacks op", e)

    ts = rmse(model, ds.test, batch_first)
    t_std = NORM["std"]["temperature"]
    rc = ds.range_check()
    in_shape = [int(s) for s in dummy.shape]
    in_shape[bax] = "batch" if dynamic else 1
    out_shape = ["batch" if dynamic else 1] + out_shape_per_sample
    entry = dict(
        name=name, file=name + ".onnx", family=family, n=n, d_model=d, m=m,
        features=FEATURES[m], heads=heads, layers=layers, opset=opset, dynamic_batch=dynamic,
        batch_first=batch_first, norm_first=norm_first, activation=activation, pooling=pooling,
        positional_encoding=pos_encoding, bits=bits, encoding=encoding,
        input_name="input", input_shape=in_shape, batch_axis=bax,
        output_name="output", output_shape=out_shape,
        inputs=name + ".inputs.npy", targets=name + ".targets.npy",
        torch_outputs=name + ".torch_outputs.npy", calibration=name + ".calibration.npy",
        params=int(sum(p.numel() for n, p in model.named_parameters() if not n.endswith((".lo", ".hi")))),
        test_rmse=ts, test_rmse_degC=ts * t_std,
        test_rmse_256=float(np.sqrt(np.mean((outs.reshape(-1) - ys.reshape(-1)) ** 2))),
        persistence_test_rmse=ds.persistence_rmse("test"),
        persistence_test_rmse_degC=ds.persistence_rmse("test") * t_std,
        input_range_check=rc,
        op_counts=counts, onnx_checker=check, numpy_onnx_max_abs_diff=npdiff,
        file_sha256=hashlib.sha256(open(path, "rb").read()).hexdigest(),
    )
    entry.update(extra or {})
    MANIFEST.append(entry)
    log("%-34s rmse %.4f (%.3f C)  np-diff %s  %s" % (name, ts, ts * t_std,
        "n/a" if npdiff is None else "%.2e" % npdiff, check if check != "ok" else ""))
    log("   test inputs outside the training range: %.4f per feature, %.4f per tensor, overshoot %.3f; "
        "saved inputs outside the calibration range: %.4f per feature, %.4f per tensor"
        % (rc["test_outside_train_range"], rc["test_outside_train_range_per_tensor"], rc["test_max_overshoot"],
           rc["inputs_outside_calibration_range"], rc["inputs_outside_calibration_range_per_tensor"]))
    log("   ops", counts)
    return entry


# ----------------------------------------------------------------------------- main

def main():
    ensure_data()
    if os.path.isdir(MODEL_DIR):
        shutil.rmtree(MODEL_DIR)
    os.makedirs(MODEL_DIR)
    global NORM
    dates, raw = load_hourly()
    T = raw.shape[0]
    blocks = split_blocks(dates)
    train_rows = np.concatenate([np.arange(a, b) for (a, b) in blocks["train"]])
    mean, std = raw[train_rows].mean(axis=0), raw[train_rows].std(axis=0)
    names = ["pressure", "temperature", "wind"]
    NORM = dict(
        source="testdata/data/" + CSV_HOURLY, rows=T,
        split=dict(
            kind="blocked time split: within each calendar month, days %d-%d train, %d-%d validation, "
                 "%d-end test" % (SPLIT_DAYS["train"] + SPLIT_DAYS["val"] + SPLIT_DAYS["test"][:1]),
            days_of_month={k: list(v) for k, v in SPLIT_DAYS.items()},
            rows={k: sum(b - a for a, b in blocks[k]) for k in SPLITS},
            blocks={k: [dict(rows=[a, b], dates=[dates[a], dates[b - 1]]) for a, b in blocks[k]]
                    for k in SPLITS},
            note="blocks are row index ranges [start, end) with their first and last date; a window "
                 "for target row t is rows [t-n, t), and a window and its target lie inside one block; "
                 "windows of a split are taken in time order, block after block"),
        mean={k: float(mean[i]) for i, k in enumerate(names)},
        std={k: float(std[i]) for i, k in enumerate(names)},
        std_note="population std (ddof=0) over the rows of the training blocks",
        target="standardised temperature of the next row: (temperature - mean.temperature) / std.temperature",
        rmse_to_degC="multiply an RMSE in standardised units by std.temperature",
        features={str(k): v for k, v in FEATURES.items()},
    )
    with open(os.path.join(MODEL_DIR, "normalisation.json"), "w") as f:
        json.dump(NORM, f, indent=2)
    log("rows", T, "train/val/test rows", *[NORM["split"]["rows"][k] for k in SPLITS],
        "in", *[len(blocks[k]) for k in SPLITS], "blocks")

    datasets = {}

    def ds_for(n, m):
        if (n, m) not in datasets:
            datasets[(n, m)] = Dataset(raw, n, m, NORM, blocks)
        return datasets[(n, m)]

    # 1. reference design ------------------------------------------------------------------
    ref_models = {}
    for (n, d) in [(12, 16), (12, 32), (24, 16)]:
        for m in (1, 3):
            name = "ref_n%d_d%d_m%d" % (n, d, m)
            ds = ds_for(n, m)
            torch.manual_seed(seed_for(name))
            model = RefModel(n, d, m)
            assert sum(p.numel() for p in model.parameters()) == 12 * d * d + (15 + m) * d + 1
            epochs = {(12, 16): 30, (12, 32): 15, (24, 16): 20}[(n, d)]
            train(model, ds, name, epochs=epochs, lr=3e-3)
            ref_models[name] = model
            export(model, name, ds, family="ref", n=n, d=d, m=m, heads=1, layers=1, opset=13,
                   dynamic=True, batch_first=True, norm_first=False, activation="relu",
                   pooling="mean", pos_encoding=True,
                   extra=dict(ffn_dim=4 * d, norm="BatchNorm1d", epochs=epochs))

    # 2. nn.TransformerEncoder variants --------------------------------------------------
    n = 12
    ENC = [
        # d, m, heads, layers, ff, act, batch_first, norm_first, opset, dynamic, pool, pe, final_norm, squeeze
        (16, 1, 1, 1, 64, "relu", True, False, 13, True, "last_gather", True, False, False),
        (16, 3, 2, 2, 32, "gelu", True, True, 17, True, "mean", True, True, False),
        (32, 3, 4, 1, 64, "relu", False, False, 13, True, "last_gather", False, False, False),
        (32, 1, 8, 2, 128, "gelu", False, True, 17, False, "mean", True, False, False),
        (16, 3, 2, 3, 32, "relu", True, False, 17, False, "last_slice", True, False, False),
        (16, 1, 4, 4, 32, "relu", True, True, 13, True, "last_slice", False, True, False),
        (32, 3, 1, 2, 128, "gelu", True, False, 13, False, "mean", True, False, False),
        (32, 3, 8, 1, 128, "relu", True, False, 17, True, "last_gather", True, False, True),
        (16, 1, 2, 1, 64, "gelu", False, False, 17, True, "last_slice", True, False, False),
        (16, 3, 4, 2, 64, "relu", False, True, 13, False, "mean", True, False, False),
        (16, 3, 2, 1, 64, "relu", True, False, 13, False, "mean", True, False, False),
        (32, 3, 4, 3, 64, "gelu", True, True, 17, True, "last_gather", True, True, False),
    ]
    for (d, m, h, L, ff, act, bf, nf, opset, dyn, pool, pe, fnorm, sq) in ENC:
        name = "enc_d%d_m%d_h%d_l%d_%s_%s_%s_o%d" % (d, m, h, L, "bf" if bf else "sf",
                                                     "pre" if nf else "post", act, opset)
        ds = ds_for(n, m)
        torch.manual_seed(seed_for(name))
        model = EncModel(n, d, m, h, L, ff, act, bf, nf, pool, pe, fnorm, sq)
        train(model, ds, name, epochs=6, lr=2e-3, batch_first=bf)
        export(model, name, ds, family="enc", n=n, d=d, m=m, heads=h, layers=L, opset=opset,
               dynamic=dyn, batch_first=bf, norm_first=nf, activation=act, pooling=pool,
               pos_encoding=pe,
               extra=dict(ffn_dim=ff, norm="LayerNorm", final_norm=fnorm, dropout=0.1,
                          output_squeezed=sq))

    # 3. hand-written attention ----------------------------------------------------------
    HAND = [
        # name, d, m, approximate, norm_first, batch_from_shape, pool, opset, dynamic
        ("hand_d16_m3_h2_gelu_erf_o13", 16, 3, "none", False, True, "mean", 13, True),
        ("hand_d16_m1_h2_gelu_tanh_o17", 16, 1, "tanh", True, False, "last_gather", 17, False),
    ]
    for (name, d, m, approx, nf, bfs, pool, opset, dyn) in HAND:
        ds = ds_for(n, m)
        torch.manual_seed(seed_for(name))
        model = HandModel(n, d, m, 2, approx, nf, bfs, pool)
        train(model, ds, name, epochs=8, lr=2e-3)
        export(model, name, ds, family="hand", n=n, d=d, m=m, heads=2, layers=1, opset=opset,
               dynamic=dyn, batch_first=True, norm_first=nf,
               activation="gelu" if approx == "none" else "gelu_tanh", pooling=pool,
               pos_encoding=True,
               extra=dict(ffn_dim=4 * d, norm="LayerNorm",
                          reshape_batch="x.shape[0]" if bfs else "-1"))

    # 4. QAT of the reference design -----------------------------------------------------
    base_name = "ref_n12_d16_m3"
    base = ref_models[base_name]
    ds = ds_for(12, 3)
    float_rmse = rmse(base, ds.test)
    # control: the float model trained on with the QAT schedule, without quantizers; QAT
    # continues training too, and the float models are not trained to convergence
    ctrl = copy.deepcopy(base)
    train(ctrl, ds, base_name + "_continued", epochs=QAT_EPOCHS, lr=QAT_LR, freeze_bn=True,
          include_initial=True)
    cont_rmse = rmse(ctrl, ds.test)
    log("%s: float test rmse %.4f; trained on with the QAT schedule, no quantizers: %.4f"
        % (base_name, float_rmse, cont_rmse))
    for bits in (8, 6, 4):
        tag = "qat_n12_d16_m3_b%d" % bits
        torch.manual_seed(seed_for(tag))
        model = RefModel(12, 16, 3, bits=bits)
        missing, unexpected = model.load_state_dict(base.state_dict(), strict=False)
        assert not unexpected and all(k.endswith((".lo", ".hi")) for k in missing), (missing, unexpected)
        acts = [mod for mod in model.modules() if isinstance(mod, ActFQ)]
        # calibration: one eval-mode pass over all training windows sets every activation
        # range to its min/max over the training blocks
        for a in acts:
            a.observe = True
        model.eval()
        for a in acts:
            a.train()  # observers only; BatchNorm keeps its running statistics
        with torch.no_grad():
            model(torch.from_numpy(ds.train[0]))
        for a in acts:
            a.observe = False
        ptq_rmse = rmse(model, ds.test)
        # QAT: STE, learned activation ranges, weight ranges = current min/max, BatchNorm
        # statistics frozen; keeps the epoch whose fake-quantized model has the best
        # validation RMSE; then freeze all quantizers
        train(model, ds, tag, epochs=QAT_EPOCHS, lr=QAT_LR, freeze_bn=True, include_initial=True,
              range_lr=QAT_RANGE_LR)
        for a in acts:
            a.freeze()
        for ql in model.modules():
            if isinstance(ql, QLinear):
                ql.wq.freeze(ql.weight)
        qat_rmse = rmse(model, ds.test)
        log("%s: float test rmse %.4f, PTQ (calibrated, before QAT) %.4f, QAT %.4f (%+.2f %% vs float)"
            % (tag, float_rmse, ptq_rmse, qat_rmse, 100 * (qat_rmse / float_rmse - 1)))
        for enc in ("qcdq", "qonnx"):
            for mod in model.modules():
                if isinstance(mod, (ActFQ, WeightFQ)):
                    mod.mode = enc
            export(model, "%s_%s" % (tag, enc), ds, family="qat", n=12, d=16, m=3, heads=1, layers=1,
                   opset=13, dynamic=True, batch_first=True, norm_first=False, activation="relu",
                   pooling="mean", pos_encoding=True, bits=bits, encoding=enc,
                   custom_opsets={QONNX_DOMAIN: 1} if enc == "qonnx" else None,
                   extra=dict(ffn_dim=64, norm="BatchNorm1d", float_model=base_name,
                              float_test_rmse=float_rmse, float_test_rmse_degC=float_rmse * NORM["std"]["temperature"],
                              qat_vs_float=qat_rmse / float_rmse - 1,
                              float_continued_test_rmse=cont_rmse,
                              ptq_test_rmse=ptq_rmse, qat_epochs=QAT_EPOCHS, qat_lr=QAT_LR,
                              qat_range_lr=QAT_RANGE_LR, ema_momentum=None,
                              activation_ranges="calibrated min/max over the training windows, then learned",
                              activation_quantizers=len(acts),
                              weight_quantizers=sum(isinstance(x, QLinear) for x in model.modules()),
                              output_quantized=False,
                              quant_scheme="per-tensor asymmetric, signed [-2^(b-1), 2^(b-1)-1], "
                                           "integer zero point, float bias, round half to even; "
                                           "the final output (output Linear) is not quantized"))

    with open(os.path.join(MODEL_DIR, "manifest.json"), "w") as f:
        json.dump(dict(generator="testdata/make_testdata.py", torch=torch.__version__, onnx=onnx.__version__,
                       exporter="torch.onnx.export (TorchScript), do_constant_folding=True, eval mode",
                       normalisation="normalisation.json", models=MANIFEST), f, indent=1)

    # summary table -----------------------------------------------------------------------
    lines = ["%-34s %7s %9s %9s %10s %8s  %s" % ("model", "params", "rmse", "rmse_C", "np_diff", "out_rng",
                                                  "op types")]
    for e in MANIFEST:
        lines.append("%-34s %7d %9.4f %9.4f %10s %8.4f  %s" % (
            e["name"], e["params"], e["test_rmse"], e["test_rmse_degC"],
            "n/a" if e["numpy_onnx_max_abs_diff"] is None else "%.1e" % e["numpy_onnx_max_abs_diff"],
            e["input_range_check"]["test_outside_train_range"],
            " ".join("%s:%d" % kv for kv in e["op_counts"].items())))
    lines.append("out_rng: fraction of the test split's input values outside the training range (per feature)")
    for e in MANIFEST:
        if e["family"] == "qat" and e["encoding"] == "qcdq":
            lines.append("%s: float %.4f, PTQ %.4f, QAT %.4f (%+.2f %% vs float); float trained on with the "
                         "QAT schedule %.4f" % (e["name"][:-5], e["float_test_rmse"], e["ptq_test_rmse"],
                                                e["test_rmse"], 100 * e["qat_vs_float"],
                                                e["float_continued_test_rmse"]))
    base_p = {(k[0], k[1]): v.persistence_rmse("test") for k, v in datasets.items()}
    lines.append("persistence baseline test rmse (standardised): " +
                 ", ".join("n=%d m=%d: %.4f" % (k[0], k[1], v) for k, v in sorted(base_p.items())))
    table = "\n".join(lines)
    with open(os.path.join(MODEL_DIR, "summary.txt"), "w") as f:
        f.write(table + "\n")
    print(table)
    log("done")


if __name__ == "__main__":
    main()
