#!/usr/bin/python3
"""Export ONNX test models from PUBLIC time-series Transformer code, as its authors wrote it.

Run from the repository root with Debian's Python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 testdata/export_public_models.py [--tt4ts DIR] [--patchtst DIR] [--tslib DIR]
                                                      [--only NAME[,NAME...]] [--max-epochs K]

Each DIR is a git repository (a bare snapshot is enough) of one public project:

    --tt4ts     tianheng-ling/TinyTransformer4TS  (env TFQ_TT4TS_REPO)
    --patchtst  yuqinie98/PatchTST                (env TFQ_PATCHTST_REPO)
    --tslib     thuml/Time-Series-Library         (env TFQ_TSLIB_REPO)

defaulting to the snapshots under /work/.mirror. None of their code is in this repository:
at run time the script extracts each snapshot's HEAD with `git archive` into a temporary
directory and imports the model classes from there, unchanged. What the export needed
beyond that (stand-ins for third-party imports the models never call; for PatchTST, unfold
as slices while the exporter traces; the single-input wrapper for Time-Series-Library's
four-input forward; a corrected exporter symbolic for circular padding) is recorded per
model in the manifest fields `export_needed` and `export_without_patches` and in
testdata/README.md ("Public model exports").

Data, split, normalisation, windows, training loop, seeds and the numpy ONNX interpreter
come from make_testdata.py (imported as mt, unchanged); the 7-feature calendar features
from make_bench_models.py. Writes testdata/models/{NAME}.onnx, .inputs.npy, .targets.npy,
.torch_outputs.npy, .calibration.npy and testdata/models/public_manifest.json (entries of
other names already in it are kept). It never touches other files in testdata/models/.
"""

import argparse
import contextlib
import copy
import hashlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_testdata as mt  # noqa: E402  (sets one thread and deterministic algorithms)
import make_bench_models as mb  # noqa: E402  (calendar features; its main() is not run)

MIRROR = "/work/.mirror"
SOURCES = {
    # key: (option, environment variable, default snapshot, GitHub name)
    "tt4ts": ("--tt4ts", "TFQ_TT4TS_REPO", MIRROR + "/tianheng-ling+TinyTransformer4TS/repo",
              "tianheng-ling/TinyTransformer4TS"),
    "patchtst": ("--patchtst", "TFQ_PATCHTST_REPO", MIRROR + "/yuqinie98+PatchTST/repo",
                 "yuqinie98/PatchTST"),
    "tslib": ("--tslib", "TFQ_TSLIB_REPO", MIRROR + "/thuml+Time-Series-Library/repo",
              "thuml/Time-Series-Library"),
}
MANIFEST_PATH = os.path.join(mt.MODEL_DIR, "public_manifest.json")
OPSET = 17
FEATURES7 = mb.FEATURES7
FEATURES = {1: ["temperature"], 3: ["pressure", "temperature", "wind"], 7: FEATURES7}
# top-level package names the projects share (models, layers, utils, ...): cleared from
# sys.modules around each import so that one project's package never shadows another's
SHARED_TOP = ("models", "layers", "utils", "config", "exp", "data_provider", "data")

log = mt.log
MAX_EPOCHS = None


def ep(epochs):
    return epochs if MAX_EPOCHS is None else min(epochs, MAX_EPOCHS)


# ----------------------------------------------------------------------------- sources

def snapshot(git_dir, dest):
    """Extract git_dir's HEAD into dest with git archive; return the commit hash."""
    commit = subprocess.run(["git", "-C", git_dir, "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    os.makedirs(dest)
    arch = subprocess.run(["git", "-C", git_dir, "archive", "--format=tar", commit],
                          check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", dest], input=arch, check=True)
    return commit


def _clear_shared():
    for k in list(sys.modules):
        if k.split(".")[0] in SHARED_TOP:
            del sys.modules[k]


def _stub(name, attrs, why, needed):
    """Register a stand-in module for a third-party package that is not installed and that
    the exported classes import but never call. Each attribute raises if it is called."""
    try:
        importlib.import_module(name)
        return  # the real package is there: use it
    except ImportError:
        pass

    def missing(attr):
        def f(*a, **k):
            raise RuntimeError("%s.%s is a stand-in (package not installed)" % (name, attr))
        return f
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        mod_name = ".".join(parts[:i])
        if mod_name not in sys.modules:
            sys.modules[mod_name] = types.ModuleType(mod_name)
        if i > 1:
            setattr(sys.modules[".".join(parts[:i - 1])], parts[i - 1], sys.modules[mod_name])
    for a in attrs:
        setattr(sys.modules[name], a, missing(a))
    needed.append("import stand-in: %s (%s) is not installed; %s; the stand-in module defines %s, "
                  "each raising if called, and none is called" % (name, parts[0], why, ", ".join(attrs)))


def import_from(root, module_names):
    """Import module_names with root first on sys.path; return the modules. Shared top-level
    package names are cleared before and after, so each project imports its own."""
    _clear_shared()
    sys.path.insert(0, root)
    try:
        mods = [importlib.import_module(m) for m in module_names]
    finally:
        sys.path.remove(root)
        _clear_shared()
    return mods


# ----------------------------------------------------------------------------- data

class Data:
    """The Seattle hourly data with the 7 features of make_bench_models.py (3 measured + 4
    calendar), standardised per feature over the training blocks; mt.Dataset windows.
    The 3-feature mean/std equal normalisation.json's (same rows, same formula)."""

    def __init__(self):
        mt.ensure_data()
        self.dates, raw3 = mt.load_hourly()
        self.raw = np.concatenate([raw3, mb.calendar_features(self.dates)], axis=1)
        self.blocks = mt.split_blocks(self.dates)
        train_rows = np.concatenate([np.arange(a, b) for (a, b) in self.blocks["train"]])
        mean, std = self.raw[train_rows].mean(axis=0), self.raw[train_rows].std(axis=0)
        self.norm = dict(mean={k: float(mean[i]) for i, k in enumerate(FEATURES7)},
                         std={k: float(std[i]) for i, k in enumerate(FEATURES7)})
        # register the 7-feature set in this process's copy of make_testdata (as
        # make_bench_models does); FEATURES[1] and [3] stay as they are
        mt.FEATURES[7] = FEATURES7
        mt.COLS.update({c: i for i, c in enumerate(FEATURES7)})
        mt.NORM = self.norm
        self.cache = {}
        # the 3 measured features' normalisation must be the one of the ref models
        npath = os.path.join(mt.MODEL_DIR, "normalisation.json")
        if os.path.exists(npath):
            with open(npath) as f:
                ref = json.load(f)
            for k in FEATURES[3]:
                assert abs(ref["mean"][k] - self.norm["mean"][k]) < 1e-9 * max(1, abs(ref["mean"][k]))
                assert abs(ref["std"][k] - self.norm["std"][k]) < 1e-9

    def get(self, n, m):
        """mt.Dataset for (n, m) plus .Y = {split: [N, 1, m]} the next row of every feature."""
        if (n, m) in self.cache:
            return self.cache[(n, m)]
        ds = mt.Dataset(self.raw, n, m, self.norm, self.blocks)
        cols = [mt.COLS[c] for c in FEATURES[m]]
        mean = np.array([self.norm["mean"][c] for c in FEATURES[m]])
        std = np.array([self.norm["std"][c] for c in FEATURES[m]])
        feat = ((self.raw[:, cols] - mean) / std).astype(np.float32)
        ds.Y = {}
        for split in mt.SPLITS:
            ts = np.concatenate([np.arange(a + n, b) for (a, b) in self.blocks[split]])
            X, y = getattr(ds, split)
            assert np.array_equal(X, np.stack([feat[t - n:t] for t in ts]))  # same windows
            Y = feat[ts][:, None, :]
            assert np.array_equal(Y[:, 0, ds.temp_idx], y[:, 0])  # same temperature target
            ds.Y[split] = Y
        self.cache[(n, m)] = ds
        return ds


# ----------------------------------------------------------------------------- training

def predict(model, X, chunk=512):
    """Eval-mode outputs (grad enabled, as mt.predict)."""
    model.eval()
    outs = []
    with torch.enable_grad():
        for i in range(0, len(X), chunk):
            outs.append(model(torch.from_numpy(X[i:i + chunk])).detach())
    return torch.cat(outs).numpy().astype(np.float32)


def rmse_all(model, X, Y):
    p = predict(model, X).reshape(Y.shape)
    return float(np.sqrt(np.mean((p - Y) ** 2)))


def train_all_channels(model, ds, name, epochs, lr):
    """mt.train's algorithm (Adam, cosine schedule, MSE, batch mt.BATCH, seeds from the name,
    keeps the epoch with the best validation RMSE) for models whose output is the next step of
    every channel, [B, 1, m]: the loss is the MSE over all channels (what PatchTST's and
    Time-Series-Library's experiments train with features='M')."""
    torch.manual_seed(mt.seed_for(name))
    gen = torch.Generator().manual_seed(mt.seed_for(name) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    X, Y = torch.from_numpy(ds.train[0]), torch.from_numpy(ds.Y["train"])
    best, best_state = float("inf"), None
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), mt.BATCH):
            idx = perm[i:i + mt.BATCH]
            if len(idx) < 2:
                continue
            loss = F.mse_loss(model(X[idx]).reshape(Y[idx].shape), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        v = rmse_all(model, ds.val[0], ds.Y["val"])
        if v < best:
            best, best_state = v, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    model.eval()
    return best


# ----------------------------------------------------------------------------- numpy ONNX ops
# mt.np_run interprets the ops of make_testdata's models. The public models use a few more;
# this process's mt._run_node is wrapped to handle them (make_testdata.py is unchanged).

def _conv(x, w, b, a):
    """ONNX Conv for 1-D inputs [B, C, L] (group 1)."""
    assert x.ndim == 3 and a.get("group", 1) == 1, "only 1-D Conv with group 1"
    st = a.get("strides", [1])[0]
    dl = a.get("dilations", [1])[0]
    pads = a.get("pads", [0, 0])
    assert a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[1])))
    K = w.shape[2]
    Lout = (x.shape[2] - dl * (K - 1) - 1) // st + 1
    y = np.zeros((x.shape[0], w.shape[0], Lout), dtype=np.float32)
    for k in range(K):
        xs = x[:, :, k * dl: k * dl + st * (Lout - 1) + 1: st]  # [B, C, Lout]
        y += np.einsum("oc,bcl->bol", w[:, :, k], xs)
    if b is not None:
        y += b[None, :, None]
    return y.astype(np.float32)


def _pad(x, pads, mode, value):
    r = x.ndim
    pw = [(int(pads[i]), int(pads[i + r])) for i in range(r)]
    assert all(p >= 0 for pq in pw for p in pq), "negative pads"
    if mode == "constant":
        return np.pad(x, pw, mode="constant", constant_values=value)
    return np.pad(x, pw, mode={"edge": "edge", "reflect": "reflect", "wrap": "wrap"}[mode])


def _run_node_public(op, ins, a, node):
    if op == "Einsum":
        eq = a["equation"]
        return [np.einsum(eq.decode() if isinstance(eq, bytes) else eq, *ins).astype(ins[0].dtype)]
    if op == "Conv":
        return [_conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == "Pad":
        mode = a.get("mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        value = ins[2] if len(ins) > 2 and ins[2] is not None else 0
        assert len(ins) < 4 or ins[3] is None, "Pad axes input"
        return [_pad(ins[0], ins[1], mode, value).astype(ins[0].dtype)]
    if op == "GlobalAveragePool":
        x = ins[0]
        return [x.mean(axis=tuple(range(2, x.ndim)), keepdims=True).astype(x.dtype)]
    if op == "Trilu":
        k = int(ins[1]) if len(ins) > 1 and ins[1] is not None else 0
        f = np.triu if a.get("upper", 1) else np.tril
        return [f(ins[0], k)]
    if op == "Not":
        return [np.logical_not(ins[0])]
    if op in ("Less", "Greater", "LessOrEqual", "GreaterOrEqual"):
        return [{"Less": np.less, "Greater": np.greater, "LessOrEqual": np.less_equal,
                 "GreaterOrEqual": np.greater_equal}[op](ins[0], ins[1])]
    if op == "Reciprocal":
        return [(1 / ins[0]).astype(ins[0].dtype)]
    if op == "Tile":
        return [np.tile(ins[0], [int(v) for v in ins[1]])]
    if op in ("ReduceSum", "ReduceMax"):
        axes = a.get("axes", None)
        if axes is None and len(ins) > 1 and ins[1] is not None:
            axes = ins[1]
        axes = tuple(int(v) for v in axes) if axes is not None else None
        f = np.sum if op == "ReduceSum" else np.max
        return [f(ins[0], axis=axes, keepdims=bool(a.get("keepdims", 1))).astype(ins[0].dtype)]
    if op == "Range":
        return [np.arange(ins[0], ins[1], ins[2]).astype(ins[0].dtype)]
    return _run_node_mt(op, ins, a, node)


_run_node_mt = mt._run_node
mt._run_node = _run_node_public  # np_run looks _run_node up in mt's globals


# ----------------------------------------------------------------------------- export

def onnx_param_count(om):
    return int(sum(int(np.prod(i.dims)) for i in om.graph.initializer
                   if i.data_type == onnx.TensorProto.FLOAT))


def export(model, name, ds, *, family, source, cls, config, n, m, d, heads, layers, epochs, lr,
           val_rmse, export_needed, all_channels, dynamic=True, patches=(), extra=None):
    """torch.onnx.export (opset 17, eval, constant folding, input "input" [B, n, m], output
    "output"), the five data files, the numpy check, one manifest entry."""
    model.eval()
    path = os.path.join(mt.MODEL_DIR, name + ".onnx")
    Xs = ds.test[0][ds.test_pick]
    dummy = torch.from_numpy(Xs[:1])
    dyn = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic else None
    with torch.enable_grad(), contextlib.ExitStack() as stack:
        for p in patches:
            stack.enter_context(p)
        torch.onnx.export(model, (dummy,), path, input_names=["input"], output_names=["output"],
                          opset_version=OPSET, do_constant_folding=True, dynamic_axes=dyn,
                          training=torch.onnx.TrainingMode.EVAL)
    om = onnx.load(path)
    without = None
    if patches:  # what the same export gives without the patches
        tmp_path = path + ".unpatched.tmp"
        try:
            with torch.enable_grad():
                torch.onnx.export(model, (dummy,), tmp_path, input_names=["input"],
                                  output_names=["output"], opset_version=OPSET, do_constant_folding=True,
                                  dynamic_axes=dyn, training=torch.onnx.TrainingMode.EVAL)
            x1 = ds.test[0][ds.test_pick]
            d1 = np.abs(mt.np_run(onnx.load(tmp_path), np.ascontiguousarray(x1)).reshape(-1)
                        - predict(model, x1).reshape(-1)).max()
            without = "exports; numpy-vs-PyTorch max abs diff on the saved inputs %.3g" % d1
        except Exception as e:  # noqa
            msg = [ln for ln in str(e).splitlines() if ln.strip()]
            without = "fails: %s: %s" % (type(e).__name__, msg[0].split(" Please feel free")[0][:240] if msg else "")
        finally:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
        log("   without the export patches: " + without)
    check = "ok"
    try:
        onnx.checker.check_model(om, full_check=True)
    except Exception as e:  # noqa
        try:
            onnx.checker.check_model(om)
            check = "ok (full_check/shape inference failed: %s)" % str(e).splitlines()[0][:160]
        except Exception as e2:  # noqa
            check = "FAILED: %s" % str(e2).splitlines()[0][:200]
    counts = mt.op_counts(om)
    bad = [k for k in counts if k.startswith("ATen") or "aten" in k.lower() or "PythonOp" in k]
    assert not bad, (name, counts)

    outs = predict(model, Xs)
    if all_channels:
        ys = ds.Y["test"][ds.test_pick]  # [256, 1, m]
        Yt = ds.Y["test"]
    else:
        ys = ds.test[1][ds.test_pick]  # [256, 1]
        Yt = ds.test[1]
    assert outs.shape == ys.shape, (name, outs.shape, ys.shape)
    np.save(os.path.join(mt.MODEL_DIR, name + ".inputs.npy"), mt.NPFMT(Xs))
    np.save(os.path.join(mt.MODEL_DIR, name + ".targets.npy"), mt.NPFMT(ys))
    np.save(os.path.join(mt.MODEL_DIR, name + ".torch_outputs.npy"), mt.NPFMT(outs))
    np.save(os.path.join(mt.MODEL_DIR, name + ".calibration.npy"), mt.NPFMT(ds.train[0][ds.calib_pick]))

    np_unsupported = None
    try:
        if dynamic:
            onx = mt.np_run(om, np.ascontiguousarray(Xs))
        else:
            onx = np.concatenate([mt.np_run(om, Xs[i:i + 1]) for i in range(len(Xs))])
        npdiff = float(np.max(np.abs(onx.reshape(outs.shape) - outs)))
    except NotImplementedError as e:
        npdiff, np_unsupported = None, str(e)
        log("  numpy evaluator lacks op", e)

    # test RMSE over the whole test split: all channels, and the temperature channel
    P = predict(model, ds.test[0]).reshape(Yt.shape)
    ti = ds.temp_idx
    pt = P[:, 0, ti] if all_channels else P[:, 0]
    yt = Yt[:, 0, ti] if all_channels else Yt[:, 0]
    ts_temp = float(np.sqrt(np.mean((pt - yt) ** 2)))
    ts_all = float(np.sqrt(np.mean((P - Yt) ** 2)))
    Xt = ds.test[0]
    pers_all = float(np.sqrt(np.mean((Xt[:, -1:, :] - ds.Y["test"]) ** 2)))
    t_std = mt.NORM["std"]["temperature"]
    in_shape = ["batch" if dynamic else 1, n, m]
    out_shape = ["batch" if dynamic else 1] + list(outs.shape[1:])
    entry = dict(
        name=name, file=name + ".onnx", family=family,
        source=source, cls=cls, config=config,
        n=n, d_model=d, m=m, features=FEATURES[m], heads=heads, layers=layers,
        target=("next row of every input feature (standardised), [B, 1, m]" if all_channels
                else "next row's standardised temperature, [B, 1]"),
        opset=OPSET, dynamic_batch=dynamic,
        input_name="input", input_shape=in_shape, batch_axis=0,
        output_name="output", output_shape=out_shape,
        inputs=name + ".inputs.npy", targets=name + ".targets.npy",
        torch_outputs=name + ".torch_outputs.npy", calibration=name + ".calibration.npy",
        params=int(sum(p.numel() for p in model.parameters())),
        onnx_float_initializer_values=onnx_param_count(om),
        onnx_bytes=os.path.getsize(path),
        epochs=epochs, lr=lr, val_rmse=val_rmse,
        test_rmse=ts_all if all_channels else ts_temp,
        test_rmse_temperature=ts_temp, test_rmse_temperature_degC=ts_temp * t_std,
        test_rmse_256=float(np.sqrt(np.mean((outs - ys) ** 2))),
        persistence_test_rmse=pers_all if all_channels else ds.persistence_rmse("test"),
        persistence_test_rmse_temperature=ds.persistence_rmse("test"),
        op_counts=counts, onnx_checker=check, numpy_onnx_max_abs_diff=npdiff,
        numpy_unsupported_op=np_unsupported,
        export_needed=export_needed, export_without_patches=without,
        file_sha256=hashlib.sha256(open(path, "rb").read()).hexdigest(),
    )
    entry.update(extra or {})
    log("%-28s rmse %.4f (temperature %.4f = %.3f C; persistence %.4f / %.4f)  np-diff %s  %s"
        % (name, entry["test_rmse"], ts_temp, ts_temp * t_std, entry["persistence_test_rmse"],
           entry["persistence_test_rmse_temperature"],
           "n/a" if npdiff is None else "%.2e" % npdiff, check if check != "ok" else ""))
    log("   %d bytes, params %d; ops %s" % (entry["onnx_bytes"], entry["params"], counts))
    return entry


# ----------------------------------------------------------------------------- the families

def tt4ts_models(root, src, data, only):
    """tianheng-ling/TinyTransformer4TS, models/fp32 FloatTransformer (the paper's float model):
    Linear m->d, sin/cos PE, one encoder layer (single-head attention with einsum, BatchNorm1d,
    FFN 4d ReLU, BatchNorm1d), AdaptiveAvgPool1d over time, Linear d->num_out_features."""
    needed = []
    _stub("sklearn.metrics", ["accuracy_score", "f1_score", "precision_score", "recall_score"],
          "config.py (imported by models/fp32/PE.py for DEVICE) imports utils.eval_metrics, which "
          "imports it for classification metrics", needed)
    _stub("thop", ["profile"], "utils/eval_metrics.py imports it to count MACs", needed)
    (ft_mod, cfg_mod) = import_from(root, ["models.fp32.FloatTransformer", "config"])
    FloatTransformer = ft_mod.FloatTransformer
    assert str(cfg_mod.DEVICE) == "cpu"
    out = []
    # (n, d, m, epochs): the paper's n=12 d=32 with 7 inputs, and two smaller ones
    for (n, d, m, epochs) in [(12, 32, 7, 30), (12, 16, 1, 30), (24, 16, 3, 30)]:
        epochs = ep(epochs)
        name = "tt4ts_n%d_d%d_m%d" % (n, d, m)
        if only and name not in only:
            continue
        ds = data.get(n, m)
        # main.py: model_config (d_model, num_enc_layers, nhead) updated with the data's sizes
        params = dict(d_model=d, num_enc_layers=1, nhead=1, num_in_features=m, num_out_features=1,
                      window_size=n, enable_qat=False)
        torch.manual_seed(mt.seed_for(name))
        model = FloatTransformer(**params)
        lr = 3e-3
        best = mt.train(model, ds, name, epochs=epochs, lr=lr)
        out.append(export(model, name, ds, family="tt4ts", source=src,
                          cls="models/fp32/FloatTransformer.py: FloatTransformer(**model_params)",
                          config=params, n=n, m=m, d=d, heads=1, layers=1, epochs=epochs, lr=lr,
                          val_rmse=best, export_needed=needed or ["nothing"], all_channels=False))
    return out


def unfold_as_slices(self, dimension, size, step):
    """Tensor.unfold(dimension, size, step) as a stack of narrow() slices: the same values,
    the same shape (the windows along `dimension`, each window's `size` elements last)."""
    dim = dimension % self.dim()
    count = (self.shape[dim] - size) // step + 1
    return torch.stack([self.narrow(dim, i * step, size).movedim(dim, -1) for i in range(count)], dim=dim)


class ExportPatch:
    """Replaces a torch function while torch.onnx.export traces the model (training and the
    reference outputs use the original)."""

    def __init__(self, owner, attr, replacement):
        self.owner, self.attr, self.replacement = owner, attr, replacement

    def __enter__(self):
        self.orig = getattr(self.owner, self.attr)
        setattr(self.owner, self.attr, self.replacement)

    def __exit__(self, *exc):
        setattr(self.owner, self.attr, self.orig)


PATCHTST_UNFOLD = (
    "torch.Tensor.unfold replaced while torch.onnx.export traces the model (only then: training "
    "and torch_outputs use the original) by an equivalent stack of slices, torch.stack([z.narrow(d, "
    "i * step, size).movedim(d, -1) for i in range(count)], dim=d) (unfold_as_slices in this script; "
    "the numpy check confirms equal outputs). Why: the one unfold, the patching in "
    "layers/PatchTST_backbone.py (z.unfold(dimension=-1, size=patch_len, step=stride)), follows "
    "ReplicationPad1d (padding_patch='end', run_longExp.py's default), whose Pad output has no "
    "static size during export, and torch 1.13's unfold symbolic needs it: 'Unsupported: ONNX "
    "export of operator Unfold, input size not accessible' (without the padding it exports).")


def patchtst_models(root, src, data, only):
    """yuqinie98/PatchTST, PatchTST_supervised/models/PatchTST.py Model(configs)."""
    (mod,) = import_from(os.path.join(root, "PatchTST_supervised"), ["models.PatchTST"])
    needed = [PATCHTST_UNFOLD]
    out = []
    # (n, d, m, heads, e_layers, patch_len, stride, epochs)
    for (n, d, m, h, L, pl, st, epochs) in [(24, 16, 1, 2, 1, 8, 4, 30), (24, 32, 3, 4, 2, 8, 4, 20)]:
        epochs = ep(epochs)
        name = "patchtst_n%d_d%d_m%d" % (n, d, m)
        if only and name not in only:
            continue
        ds = data.get(n, m)
        # run_longExp.py's defaults for everything not set here; dropouts of its weather script
        cfg = dict(enc_in=m, seq_len=n, pred_len=1, e_layers=L, n_heads=h, d_model=d, d_ff=2 * d,
                   dropout=0.2, fc_dropout=0.2, head_dropout=0.0, individual=0, patch_len=pl,
                   stride=st, padding_patch="end", revin=1, affine=0, subtract_last=0,
                   decomposition=0, kernel_size=25)
        torch.manual_seed(mt.seed_for(name))
        model = mod.Model(types.SimpleNamespace(**cfg))
        lr = 2e-3
        best = train_all_channels(model, ds, name, epochs, lr)
        out.append(export(model, name, ds, family="patchtst", source=src,
                          cls="PatchTST_supervised/models/PatchTST.py: Model(configs)",
                          config=cfg, n=n, m=m, d=d, heads=h, layers=L, epochs=epochs, lr=lr,
                          val_rmse=best, export_needed=needed, all_channels=True,
                          patches=[ExportPatch(torch.Tensor, "unfold", unfold_as_slices)],
                          extra=dict(patch_num=(n - pl) // st + 1 + 1)))
    return out


def pad_circular_fixed(g, input, pad):
    """torch 1.13's ONNX symbolic for circular padding (torch.onnx.symbolic_opset9._pad_circular,
    which symbolic_opset11.pad calls), corrected: the left pad of an axis is the last pad_l
    elements, Slice(starts=-pad_l, ends=INT64_MAX), and the pads are read in F.pad's order
    ((left, right) of the last axis first). 1.13's version slices starts=-(pad_l+1), ends=-1 (one
    element too early) and swaps left and right: pytorch/pytorch issue 86690, fixed upstream by
    pull request 86984 after 1.13. Non-negative pads only (all this model uses)."""
    from torch.onnx import symbolic_helper, symbolic_opset9
    padding = symbolic_opset9._convert_padding_node(pad)
    assert len(padding) % 2 == 0 and min(padding) >= 0, padding
    ndim = len(padding) // 2
    cur = input
    for idx in range(ndim):  # spatial axis 2 + idx
        left, right = padding[-(2 * idx + 2)], padding[-(2 * idx + 1)]
        parts = []
        if left > 0:
            parts.append(symbolic_helper._slice_helper(g, cur, axes=[2 + idx], starts=[-left],
                                                       ends=[9223372036854775807]))
        parts.append(cur)
        if right > 0:
            parts.append(symbolic_helper._slice_helper(g, cur, axes=[2 + idx], starts=[0], ends=[right]))
        cur = g.op("Concat", *parts, axis_i=2 + idx)
    return cur


def circular_pad_patch():
    import torch.onnx.symbolic_opset9 as opset9
    return ExportPatch(opset9, "_pad_circular", pad_circular_fixed)


TSLIB_CIRCULAR = (
    "exporter fix: torch 1.13 exports circular padding wrongly (pytorch/pytorch issue 86690: the "
    "left pad slices x[..., -(p+1):-1] instead of x[..., -p:]), which layers/Embed.py's "
    "TokenEmbedding uses (Conv1d(kernel_size=3, padding=1, padding_mode='circular')), so the ONNX "
    "file computes something else than PyTorch. While torch.onnx.export "
    "runs, torch.onnx.symbolic_opset9._pad_circular is replaced by a corrected symbolic "
    "(pad_circular_fixed in this script): Concat(Slice(x, -1, INT64_MAX), x, Slice(x, 0, 1)) on the "
    "time axis before the Conv (pads 0). The model is unchanged; export_without_patches has the "
    "difference the uncorrected file shows.")


class TSLibForecast(nn.Module):
    """Single-input wrapper of a Time-Series-Library model for a forecast, as
    exp/exp_long_term_forecasting.py calls it: x_mark_enc = x_mark_dec = None (no time
    features), x_dec = cat(the last label_len steps of x_enc, zeros for pred_len steps),
    then model(x_enc, None, x_dec, None). The model's forward is its own."""

    def __init__(self, model, label_len, pred_len):
        super().__init__()
        self.model, self.label_len, self.pred_len = model, label_len, pred_len

    def forward(self, x_enc):
        dec_inp = torch.zeros_like(x_enc[:, -self.pred_len:, :]).float()
        dec_inp = torch.cat([x_enc[:, -self.label_len:, :], dec_inp], dim=1).float()
        return self.model(x_enc, None, dec_inp, None)


TSLIB_WRAPPER = ("single-input wrapper (TSLibForecast in this script): forward(x_enc) = model(x_enc, "
                 "None, cat(x_enc[:, -label_len:, :], zeros [B, pred_len, m]), None), what "
                 "exp/exp_long_term_forecasting.py passes for a forecast, with no time features "
                 "(x_mark_enc = x_mark_dec = None)")


def tslib_models(root, src, data, only):
    """thuml/Time-Series-Library, models/Transformer.py and models/iTransformer.py."""
    needed = []
    _stub("reformer_pytorch", ["LSHSelfAttention"],
          "layers/SelfAttention_Family.py imports it for ReformerLayer", needed)
    _stub("einops", ["rearrange", "repeat"],
          "layers/SelfAttention_Family.py imports it for TwoStageAttentionLayer", needed)
    tr_mod, it_mod = import_from(root, ["models.Transformer", "models.iTransformer"])
    out = []
    # run.py's defaults for everything not set here
    base = dict(task_name="long_term_forecast", pred_len=1, factor=1, dropout=0.1, embed="timeF",
                freq="h", activation="gelu", output_attention=False, use_norm=1)
    specs = [
        # name, module, n, label_len, d, m, heads, e_layers, d_layers, d_ff, epochs
        ("tslib_transformer_n24_d16_m3", tr_mod, "models/Transformer.py: Model(configs)",
         24, 12, 16, 3, 2, 1, 1, 32, 20),
        ("itransformer_n24_d16_m1", it_mod, "models/iTransformer.py: Model(configs)",
         24, 12, 16, 1, 2, 1, 1, 32, 30),
        ("itransformer_n24_d32_m7", it_mod, "models/iTransformer.py: Model(configs)",
         24, 12, 32, 7, 4, 2, 1, 64, 30),
    ]
    for (name, mod, cls, n, ll, d, m, h, el, dl, dff, epochs) in specs:
        epochs = ep(epochs)
        if only and name not in only:
            continue
        ds = data.get(n, m)
        cfg = dict(base, seq_len=n, label_len=ll, enc_in=m, dec_in=m, c_out=m, d_model=d,
                   n_heads=h, e_layers=el, d_layers=dl, d_ff=dff)
        torch.manual_seed(mt.seed_for(name))
        model = TSLibForecast(mod.Model(types.SimpleNamespace(**cfg)), ll, 1)
        lr = 2e-3
        best = train_all_channels(model, ds, name, epochs, lr)
        is_it = mod is it_mod
        out.append(export(model, name, ds, family="itransformer" if is_it else "tslib_transformer",
                          source=src, cls=cls, config=cfg, n=n, m=m, d=d, heads=h,
                          layers=el if is_it else el + dl, epochs=epochs, lr=lr, val_rmse=best,
                          export_needed=needed + [TSLIB_WRAPPER] + ([] if is_it else [TSLIB_CIRCULAR]),
                          patches=[] if is_it else [circular_pad_patch()], all_channels=True,
                          extra=dict(label_len=ll, decoder_input_len=ll + 1)))
    return out


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for key, (opt, env, default, gh) in SOURCES.items():
        ap.add_argument(opt, default=os.environ.get(env, default),
                        help="git repository of %s (env %s; default %s)" % (gh, env, default))
    ap.add_argument("--only", default="", help="comma-separated model names (default: all)")
    ap.add_argument("--max-epochs", type=int, default=None,
                    help="cap every model's epochs (smoke tests; the committed files use none)")
    args = ap.parse_args()
    global MAX_EPOCHS
    MAX_EPOCHS = args.max_epochs
    only = set(filter(None, args.only.split(",")))
    os.makedirs(mt.MODEL_DIR, exist_ok=True)
    data = Data()
    entries = []
    with tempfile.TemporaryDirectory(prefix="tfq_public_") as tmp:
        for key, fn in (("tt4ts", tt4ts_models), ("patchtst", patchtst_models), ("tslib", tslib_models)):
            git_dir = getattr(args, key)
            root = os.path.join(tmp, key)
            commit = snapshot(git_dir, root)
            src = dict(repo=SOURCES[key][3], commit=commit)
            log("%s: %s at %s" % (key, src["repo"], commit))
            entries += fn(root, src, data, only)

    # replace this run's entries in place, keep the others, append new names at the end
    new = {e["name"]: e for e in entries}
    models = []
    if os.path.exists(MANIFEST_PATH):
        with open(MANIFEST_PATH) as f:
            models = [new.pop(e["name"], e) for e in json.load(f)["models"]]
    models += [e for e in entries if e["name"] in new]
    with open(MANIFEST_PATH, "w") as f:
        json.dump(dict(generator="testdata/export_public_models.py", torch=torch.__version__,
                       onnx=onnx.__version__,
                       exporter="torch.onnx.export (TorchScript), opset %d, do_constant_folding=True, "
                                "eval mode" % OPSET,
                       split="normalisation.json (blocked time split)",
                       normalisation=dict(data.norm, features=FEATURES7,
                                          note="population std over the training blocks' rows; "
                                               "calendar features as bench_manifest.json"),
                       models=models), f, indent=1)

    print("%-30s %7s %8s %8s %8s %8s %9s  %s" % ("model", "params", "bytes", "rmse", "rmse_T", "pers_T",
                                                "np_diff", "ops"))
    for e in entries:
        print("%-30s %7d %8d %8.4f %8.4f %8.4f %9s  %s" % (
            e["name"], e["params"], e["onnx_bytes"], e["test_rmse"], e["test_rmse_temperature"],
            e["persistence_test_rmse_temperature"],
            "n/a" if e["numpy_onnx_max_abs_diff"] is None else "%.1e" % e["numpy_onnx_max_abs_diff"],
            " ".join("%s:%d" % kv for kv in e["op_counts"].items())))
    log("done")


if __name__ == "__main__":
    main()
