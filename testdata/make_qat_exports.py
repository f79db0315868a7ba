#!/usr/bin/python3
"""Quantization-aware-trained ONNX exports in the forms real QAT code writes (tfq issue 14).

Run from the repository root with Debian's Python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 testdata/make_qat_exports.py [--tt4ts DIR] [--eac DIR] [--only FORM[,FORM]]

Forms (FORM names in brackets), all on the reference-design task of make_testdata.py
(n = 12, m = 3 Seattle windows, blocked split, standardised; d = 16):

1. [torch_ao_eager, torch_ao_fx] PyTorch's own QAT, torch.ao.quantization: eager mode
   (QuantStub/DeQuantStub, FloatFunctional, prepare_qat, per-channel weights) and FX mode
   (prepare_qat_fx, per-tensor), trained with fake quantization from a float model, exported
   before convert (FakeQuantize -> QuantizeLinear/DequantizeLinear) and, at 8 bits, after
   convert (quantized modules); what torch.onnx.export does with each, including the failures
   (the default QAT qconfig's fused fake quantizer; sub-8-bit ranges), goes to the manifest.
2. [elastic] The reference design's own QAT model: tianheng-ling/TinyTransformer4TS
   models/quant/QuantTransformer.py with its layers from es-ude/elastic-ai.creator
   (branch add-linear-quantization, the one TinyTransformer4TS's requirements.txt pins),
   imported unchanged from bare git snapshots (git archive, never committed), trained with
   its own fake quantization (SimQuant, global min/max observers) and exported with
   torch.onnx.export: the fake quantization is arithmetic (Div, Add, Round, Clip, Cast, Sub,
   Mul), softmax stabilised by ReduceMax, Pad + AveragePool pooling, BatchNorm as Sub/Div/Mul/Add.
3. [ort_qdq] ONNX Runtime quantize_static's QDQ layout (its Python tool is not installable
   here): written with the onnx helper API by this script, following
   onnxruntime/python/tools/quantization (registry.py, qdq_quantizer.py, operators/*,
   quant_utils.compute_scale_zp), applied to the trained float model
   testdata/models/ref_n12_d16_m3.onnx with min/max calibration on all training windows.
4. [ort_qop] quantize_static's QOperator layout (QLinearMatMul, com.microsoft QLinearAdd,
   QLinearMul, QLinearSoftmax, QGemm), the same way (ort_qop).
5. [int4] opset 21 int4/uint4 QDQ: quantize_static with QUInt4/QInt4 and the FX 4-bit export,
   their codes stored as INT4/UINT4 (int4_opset21; torch 1.13 and onnx 1.12 stop at opset 17).
6. [brevitas] Brevitas' QONNX export (BipolarQuant weights, TruncAvgPool2d's Trunc) written into
   testdata/models/qat_n12_d16_m3_b8_qonnx.onnx (brevitas_qonnx; Brevitas is not installable).

Outputs testdata/qat/NAME.onnx, .inputs.npy, .targets.npy, .torch_outputs.npy (the exporting
framework's outputs; for ort_qdq the numpy interpreter's), .calibration.npy, and
testdata/qat/manifest.json. See testdata/README.md ("QAT exports in every form").
"""

import argparse
import collections
import contextlib
import copy
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import traceback
import warnings

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_testdata as mt  # noqa: E402  (one thread, deterministic algorithms)
import export_public_models as epm  # noqa: E402  (snapshots, stand-ins, extra numpy ops)

warnings.filterwarnings("ignore")
OUT = os.path.join(HERE, "qat")
MIRROR = "/work/.mirror"
TT4TS_REPO = MIRROR + "/tianheng-ling+TinyTransformer4TS/repo"
EAC_REPO = MIRROR + "/es-ude+elastic-ai.creator/repo"
EAC_REF = "add-linear-quantization"
N, D, M = 12, 16, 3
OPSET = 13
log = mt.log
MANIFEST = []


# ----------------------------------------------------------------------------- numpy ops
# mt.np_run (extended by export_public_models) plus what these graphs add: per-channel
# QuantizeLinear/DequantizeLinear (axis), Round, AveragePool over the last axis, Max/Min.

def _axis_shape(x, s, a):
    if np.ndim(s) == 0 or np.size(s) == 1:
        return np.reshape(s, ())
    shp = [1] * x.ndim
    shp[a.get("axis", 1) % x.ndim] = -1
    return np.reshape(s, shp)


QOP_FLOAT = ("QLinearMatMul", "QLinearAdd", "QLinearMul", "QLinearSoftmax", "QGemm")


def _run_node_qat(op, ins, a, node):
    if op == "QuantizeLinear":
        x, s = ins[0], _axis_shape(ins[0], ins[1], a)
        z = ins[2] if len(ins) > 2 and ins[2] is not None else np.uint8(0)
        info = np.iinfo(z.dtype)
        zz = _axis_shape(ins[0], z, a).astype(np.int64)
        return [np.clip(np.rint(x / s) + zz, info.min, info.max).astype(z.dtype)]
    if op == "DequantizeLinear":
        x, s = ins[0], _axis_shape(ins[0], ins[1], a)
        z = ins[2] if len(ins) > 2 and ins[2] is not None else np.int64(0)
        zz = _axis_shape(ins[0], z, a).astype(np.int64)
        return [((x.astype(np.int64) - zz).astype(np.float32) * s).astype(np.float32)]
    if op in QOP_FLOAT:  # ONNX Runtime's QOperator nodes: dequantize, the float op, quantize
        dq = lambda i, at={}: _run_node_qat("DequantizeLinear", ins[i:i + 3], at, node)[0]  # noqa: E731
        if op == "QGemm":
            A, B = dq(0), dq(3, {"axis": 0 if a.get("transB", 0) else 1})
            B = B.T if a.get("transB", 0) else B
            y = np.float32(a.get("alpha", 1.0)) * (A @ B)
            if len(ins) > 6 and ins[6] is not None:
                y = y + ins[6].astype(np.float32) * (ins[1] * ins[4]).astype(np.float32)
            out = ins[7:9] if len(ins) > 7 else []
        elif op == "QLinearSoftmax":
            x = dq(0)
            e = np.exp(x - x.max(axis=a.get("axis", -1), keepdims=True))
            y, out = e / e.sum(axis=a.get("axis", -1), keepdims=True), ins[3:5]
        else:
            y = {"QLinearMatMul": np.matmul, "QLinearAdd": np.add, "QLinearMul": np.multiply}[op](dq(0), dq(3))
            out = ins[6:8]
        y = y.astype(np.float32)
        return _run_node_qat("QuantizeLinear", [y] + list(out), {}, node) if out and out[0] is not None else [y]
    if op == "BipolarQuant":  # qonnx binary_quant
        return [(np.where(ins[0] >= 0.0, 1.0, -1.0) * ins[1]).astype(np.float32)]
    if op == "Trunc":  # qonnx trunc_v2
        x, scale, zeropt, _, out_scale, out_bw = ins
        signed, narrow = a.get("signed", 1), a.get("narrow", 0)
        b = int(out_bw)
        lo = (-2 ** (b - 1) + narrow) if signed else 0
        hi = (2 ** (b - 1) - 1) if signed else (2 ** b - 1 - narrow)
        y = np.round(x / scale + zeropt)
        t = 2 ** np.round(np.log2(out_scale / scale))
        y = np.clip(y / t, lo, hi)
        mode = a.get("rounding_mode", b"FLOOR")
        mode = (mode.decode() if isinstance(mode, bytes) else mode).upper()
        y = {"ROUND": np.round, "CEIL": np.ceil, "FLOOR": np.floor}[mode](y)
        return [((y - zeropt / t) * out_scale).astype(np.float32)]
    if op == "AveragePool" and ins[0].ndim == 4:  # a window covering both spatial axes
        k = a["kernel_shape"]
        assert list(k) == list(ins[0].shape[2:]), k
        return [ins[0].mean(axis=(2, 3), keepdims=True).astype(ins[0].dtype)]
    if op == "Round":
        return [np.rint(ins[0])]
    if op in ("Max", "Min"):
        f = np.maximum if op == "Max" else np.minimum
        r = ins[0]
        for v in ins[1:]:
            r = f(r, v)
        return [r.astype(ins[0].dtype)]
    if op == "AveragePool":
        k = a["kernel_shape"]
        x = ins[0]
        assert len(k) == 1 and x.ndim == 3 and a.get("strides", k) == k and not any(a.get("pads", [0, 0]))
        L = (x.shape[2] - k[0]) // k[0] + 1
        return [x[:, :, :L * k[0]].reshape(x.shape[0], x.shape[1], L, k[0]).mean(axis=3).astype(x.dtype)]
    if op in ("Mul", "Add", "Sub", "Div") and ins[0].dtype != ins[1].dtype:
        raise NotImplementedError(op + " of mixed types %s, %s" % (ins[0].dtype, ins[1].dtype))
    return _run_node_prev(op, ins, a, node)


_run_node_prev = mt._run_node
mt._run_node = _run_node_qat


def np_env(model, x):
    """Every value of the graph for input x (mt.np_run's loop, keeping the environment)."""
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        ins = [env[i] if i else None for i in node.input]
        outs = mt._run_node(node.op_type, ins, mt._attrs(node), node)
        for nm, v in zip(node.output, outs):
            env[nm] = np.asarray(v)
    return env


# ----------------------------------------------------------------------------- data, training

def dataset():
    return epm.Data().get(N, M)


def rmse_of(pred, y):
    return float(np.sqrt(np.mean((pred.reshape(-1) - y.reshape(-1)) ** 2)))


def train_loop(model, ds, name, epochs, lr, batch=mt.BATCH, before_eval=None, after_eval=None,
               freeze_bn=False, keep_best=True):
    """mt.train's algorithm (Adam, cosine schedule, MSE, seeds from the name, keeps the epoch
    with the best validation RMSE) with hooks around each validation pass (torch.ao observers
    are switched off there) and a state copy that works for modules whose buffers carry
    autograd history (elastic-ai.creator's BatchNorm running statistics)."""
    torch.manual_seed(mt.seed_for(name))
    gen = torch.Generator().manual_seed(mt.seed_for(name) + 1)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    X, y = torch.from_numpy(ds.train[0]), torch.from_numpy(ds.train[1])
    best, best_state = float("inf"), None

    def state():
        return {k: v.detach().clone() for k, v in model.state_dict().items()}

    for ep in range(epochs):
        model.train()
        if freeze_bn:
            for mod in model.modules():
                if isinstance(mod, nn.BatchNorm1d):
                    mod.eval()
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), batch):
            idx = perm[i:i + batch]
            if len(idx) < 2:
                continue
            loss = F.mse_loss(model(X[idx]).reshape(-1, 1), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        if before_eval:
            before_eval(model)
        v = rmse_of(mt.predict(model, ds.val[0]), ds.val[1])
        if after_eval and ep < epochs - 1:
            after_eval(model)
        log("  %s epoch %d val %.4f" % (name, ep, v))
        if v < best or not keep_best:
            best, best_state = v, state()
    with torch.no_grad():
        for k, v in model.state_dict().items():
            v.data = best_state[k].data.clone() if v.data.shape == best_state[k].shape else v.data
    model.eval()
    return best


# ----------------------------------------------------------------------------- export and record

def op_counts(om):
    return mt.op_counts(om)


def record(name, om_path, ds, *, form, exporter, bits, outputs_fn, test_rmse, needed, extra=None,
           failures=None, np_model=None):
    """Write the .npy files, check the ONNX file with the numpy interpreter against outputs_fn
    (the framework's own outputs on the 256 saved windows), add a manifest entry."""
    om = onnx.load(om_path)
    Xs, ys = ds.test[0][ds.test_pick], ds.test[1][ds.test_pick]
    outs = outputs_fn(Xs).reshape(len(Xs), -1)[:, :1].astype(np.float32)
    np.save(os.path.join(OUT, name + ".inputs.npy"), mt.NPFMT(Xs))
    np.save(os.path.join(OUT, name + ".targets.npy"), mt.NPFMT(ys))
    np.save(os.path.join(OUT, name + ".torch_outputs.npy"), mt.NPFMT(outs))
    np.save(os.path.join(OUT, name + ".calibration.npy"), mt.NPFMT(ds.train[0][ds.calib_pick]))
    check = "ok"
    try:
        onnx.checker.check_model(om, full_check=True)
    except Exception as e:  # noqa
        check = "FAILED: %s" % str(e).splitlines()[0][:200]
    try:
        onx = mt.np_run(np_model or om, Xs).reshape(len(Xs), -1)[:, :1]
        npdiff = float(np.max(np.abs(onx - outs)))
    except Exception as e:  # noqa
        npdiff = None
        log("  numpy interpreter: %s" % e)
    out_shape = [d.dim_param or d.dim_value for d in om.graph.output[0].type.tensor_type.shape.dim]
    entry = dict(name=name, file=name + ".onnx", form=form, exporter=exporter, bits=bits,
                 n=N, d_model=D, m=M, features=mt.FEATURES[M], opset=om.opset_import[0].version,
                 input_name=om.graph.input[0].name, input_shape=["batch", N, M], batch_axis=0,
                 output_name=om.graph.output[0].name,
                 output_shape=["batch" if isinstance(d, str) else d for d in out_shape],
                 inputs=name + ".inputs.npy", targets=name + ".targets.npy",
                 torch_outputs=name + ".torch_outputs.npy", calibration=name + ".calibration.npy",
                 test_rmse=test_rmse, test_rmse_degC=test_rmse * mt.NORM["std"]["temperature"],
                 test_rmse_256=rmse_of(outs, ys), op_counts=op_counts(om),
                 nodes=len(om.graph.node), onnx_bytes=os.path.getsize(om_path), onnx_checker=check,
                 numpy_onnx_max_abs_diff=npdiff, export_needed=needed or ["nothing"],
                 export_failures=failures or [],
                 file_sha256=hashlib.sha256(open(om_path, "rb").read()).hexdigest())
    entry.update(extra or {})
    MANIFEST.append(entry)
    log("%-34s rmse %.4f  np-diff %s  %s" % (name, test_rmse, "n/a" if npdiff is None else "%.2e" % npdiff,
                                               check))
    log("   ops %s" % entry["op_counts"])
    return entry


def torch_export(model, path, patches=()):
    """torch.onnx.export as make_testdata does (opset 13, eval, constant folding, dynamic batch);
    returns None or the failure as 'Type: message'."""
    x = torch.zeros(1, N, M)
    try:
        with torch.enable_grad(), contextlib.ExitStack() as stack:
            for p in patches:
                stack.enter_context(p)
            torch.onnx.export(model, (x,), path, input_names=["input"], output_names=["output"],
                              opset_version=OPSET, do_constant_folding=True,
                              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                              training=torch.onnx.TrainingMode.EVAL)
        return None
    except Exception as e:  # noqa
        if os.path.exists(path):
            os.remove(path)
        return "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0][:300])


def torch_rmse(model, split):
    return rmse_of(mt.predict(model, split[0]), split[1])


# ----------------------------------------------------------------------------- 1. torch.ao

import torch.ao.quantization as tq  # noqa: E402
from torch.ao.quantization import QConfig, FakeQuantize  # noqa: E402
import torch.ao.nn.quantized as nnq  # noqa: E402


class AoEagerRef(mt.RefModel):
    """The reference design (mt.RefModel, float) prepared for eager-mode torch.ao QAT as its
    documentation asks: QuantStub/DeQuantStub where quantized regions start and end, a
    FloatFunctional per add. Eager mode has no quantized matmul (FloatFunctional has no matmul
    in 1.13) and no quantized BatchNorm1d, so attention's Q K^T, softmax and A V and both
    BatchNorms run in float between DeQuantStub and QuantStub; the Linears, ReLU, residual adds,
    positional-encoding add and the mean are quantized."""

    def __init__(self):
        super().__init__(N, D, M)
        # eager prepare_qat swaps modules by their exact type: the ref model's QLinear (a subclass
        # of nn.Linear) would stay float, weights and outputs unquantized
        for name in ("inp", "q", "k", "v", "o", "ff1", "ff2", "out"):
            old = getattr(self, name)
            setattr(self, name, nn.Linear(old.in_features, old.out_features))
        self.q_in, self.q_pe, self.q_ctx, self.q_bn1, self.q_bn2 = (tq.QuantStub() for _ in range(5))
        self.dq_q, self.dq_k, self.dq_v, self.dq_bn1, self.dq_bn2, self.dq_out = (
            tq.DeQuantStub() for _ in range(6))
        self.add_pe, self.add_res1, self.add_res2 = (nnq.FloatFunctional() for _ in range(3))
        self.relu = nn.ReLU()

    def forward(self, x):
        h = self.add_pe.add(self.inp(self.q_in(x)), self.q_pe(self.pe))
        q, k, v = self.dq_q(self.q(h)), self.dq_k(self.k(h)), self.dq_v(self.v(h))
        a = torch.softmax(torch.matmul(q, k.transpose(1, 2)) * self.scale, dim=-1)
        c = self.q_ctx(torch.matmul(a, v))
        h = self.add_res1.add(h, self.o(c))
        h = self.q_bn1(self.bn1(self.dq_bn1(h).transpose(1, 2)).transpose(1, 2))
        h = self.add_res2.add(h, self.ff2(self.relu(self.ff1(h))))
        h = self.q_bn2(self.bn2(self.dq_bn2(h).transpose(1, 2)).transpose(1, 2))
        return self.dq_out(self.out(h.mean(dim=1)))


def ao_qconfig(bits, per_channel):
    """torch.ao's non-fused QAT qconfig (get_default_qat_qconfig(backend, version=0)) with the
    bit width set through quant_min/quant_max: activations quint8 [0, 2^b - 1] asymmetric with
    a moving-average min/max observer, weights qint8 [-2^(b-1), 2^(b-1) - 1] symmetric, per
    output channel (fbgemm's choice) or per tensor (qnnpack's)."""
    act = FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=0,
                                 quant_max=2 ** bits - 1, dtype=torch.quint8,
                                 qscheme=torch.per_tensor_affine, reduce_range=False)
    lo, hi = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    if per_channel:
        w = FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=lo,
                                   quant_max=hi, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                                   reduce_range=False, ch_axis=0)
    else:
        w = FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=lo, quant_max=hi,
                                   dtype=torch.qint8, qscheme=torch.per_tensor_symmetric, reduce_range=False)
    return QConfig(activation=act, weight=w)


def _fq_symbolic(per_channel):
    """torch 1.13's symbolic for fake_quantize_per_{tensor,channel}_affine (symbolic_opset13),
    with its one special case generalised: it accepts only (quant_min, quant_max) in (0, 255),
    (-128, 127), (0, 127) and writes a Clip after QuantizeLinear for (0, 127); this writes the
    Clip for every narrower range inside uint8 / int8, so 6- and 4-bit fake quantizers export."""
    from torch.onnx import symbolic_helper
    from torch.onnx import _type_utils  # noqa: F401

    def body(g, inputs, scale, zero_point, axis, quant_min, quant_max):
        unsigned = quant_min >= 0
        assert (0 <= quant_min and quant_max <= 255) or (-128 <= quant_min and quant_max <= 127)
        zt = TensorProto.UINT8 if unsigned else TensorProto.INT8
        zero_point = g.op("Cast", zero_point, to_i=zt)
        if scale.type().scalarType() != "Float":
            scale = g.op("Cast", scale, to_i=TensorProto.FLOAT)
        kw = {} if axis is None else {"axis_i": axis}
        q = g.op("QuantizeLinear", inputs, scale, zero_point, **kw)
        full = (0, 255) if unsigned else (-128, 127)
        if (quant_min, quant_max) != full:
            dt = torch.uint8 if unsigned else torch.int8
            q = g.op("Clip", q, g.op("Constant", value_t=torch.tensor(quant_min, dtype=dt)),
                     g.op("Constant", value_t=torch.tensor(quant_max, dtype=dt)))
        return g.op("DequantizeLinear", q, scale, zero_point, **kw)

    if per_channel:
        @symbolic_helper.parse_args("v", "v", "v", "i", "i", "i")
        def sym(g, inputs, scale, zero_point, axis, quant_min=-128, quant_max=127):
            return body(g, inputs, scale, zero_point, axis, quant_min, quant_max)
    else:
        @symbolic_helper.parse_args("v", "v", "v", "i", "i")
        def sym(g, inputs, scale, zero_point, quant_min=-128, quant_max=127):
            return body(g, inputs, scale, zero_point, None, quant_min, quant_max)
    return sym


class SubByteFakeQuantSymbolics:
    """Registers _fq_symbolic for both fake-quantize ops while the exporter runs."""

    def __enter__(self):
        torch.onnx.register_custom_op_symbolic("aten::fake_quantize_per_tensor_affine",
                                               _fq_symbolic(False), OPSET)
        torch.onnx.register_custom_op_symbolic("aten::fake_quantize_per_channel_affine",
                                               _fq_symbolic(True), OPSET)

    def __exit__(self, *exc):
        torch.onnx.unregister_custom_op_symbolic("aten::fake_quantize_per_tensor_affine", OPSET)
        torch.onnx.unregister_custom_op_symbolic("aten::fake_quantize_per_channel_affine", OPSET)


SUBBYTE_NEEDED = (
    "exporter symbolic: torch 1.13's fake_quantize_per_{tensor,channel}_affine symbolic refuses "
    "quant ranges other than (0, 255), (-128, 127) and (0, 127) (error in export_failures); while "
    "torch.onnx.export runs, both are replaced by the same symbolic with its (0, 127) special case "
    "generalised: QuantizeLinear -> Clip(quant_min, quant_max) -> DequantizeLinear "
    "(_fq_symbolic in this script)")


def ao_qat(model, ds, name, epochs, lr):
    """QAT as torch.ao's tutorials do it: observers and fake quantization on while training,
    BatchNorm statistics frozen (the BatchNorms stay float), observers off for validation and
    after training (torch.ao.quantization.disable_observer)."""
    best = train_loop(model, ds, name, epochs, lr, freeze_bn=True,
                      before_eval=lambda mm: mm.apply(tq.disable_observer),
                      after_eval=lambda mm: mm.apply(tq.enable_observer))
    model.apply(tq.disable_observer)
    model.eval()
    return best


def torch_ao_forms(ds, float_model, only):
    """Eager (per-channel weights) and FX (per-tensor) QAT from the trained float ref model."""
    from torch.ao.quantization.quantize_fx import prepare_qat_fx, convert_fx, convert_to_reference_fx
    from torch.ao.quantization import QConfigMapping
    X1 = torch.from_numpy(ds.train[0][:1])
    for mode in ("eager", "fx"):
        form = "torch_ao_" + mode
        if only and form not in only:
            continue
        for bits in (8, 6, 4):
            name = "qat2_%s_b%d" % (form, bits)
            torch.manual_seed(mt.seed_for(name))
            failures, needed = [], []
            per_channel = mode == "eager"
            if mode == "eager":
                model = AoEagerRef()
                model.load_state_dict(float_model.state_dict())
                model.train()
                model.qconfig = ao_qconfig(bits, per_channel)
                model.bn1.qconfig = model.bn2.qconfig = None
                if bits == 8:  # what the default QAT qconfig (fused fake quantizer) exports
                    probe = copy.deepcopy(model)
                    probe.qconfig = tq.get_default_qat_qconfig("fbgemm")
                    probe.bn1.qconfig = probe.bn2.qconfig = None
                    probe = tq.prepare_qat(probe)
                    probe(X1)
                    probe.eval()
                    err = torch_export(probe, os.path.join(OUT, "probe.onnx"))
                    failures.append("default QAT qconfig get_default_qat_qconfig('fbgemm') (version 1, "
                                    "FusedMovingAvgObsFakeQuantize): %s" % (err or "exported"))
                    needed.append("qconfig version 0 (FakeQuantize, not the fused fake quantizer): the "
                                  "default version 1 does not export (export_failures)")
                prepared = tq.prepare_qat(model)
            else:
                model = copy.deepcopy(float_model)
                model.train()
                qmap = QConfigMapping().set_global(ao_qconfig(bits, per_channel)).set_object_type(
                    nn.BatchNorm1d, None)
                prepared = prepare_qat_fx(model, qmap, example_inputs=(X1,))
                if bits == 8:
                    needed.append("FX: QConfigMapping with the non-fused qconfig (as eager); BatchNorm1d "
                                  "left float (FX's fusion covers Conv+BN, not a BatchNorm1d after a "
                                  "transpose)")
            ao_qat(prepared, ds, name, epochs=8, lr=1e-3)
            rm = torch_rmse(prepared, ds.test)
            path = os.path.join(OUT, name + ".onnx")
            err = torch_export(prepared, path)
            if err and bits < 8:
                failures.append("fake-quant export at %d bits: %s" % (bits, err))
                needed.append(SUBBYTE_NEEDED)
                err = torch_export(prepared, path, patches=[SubByteFakeQuantSymbolics()])
            assert err is None, err
            extra = dict(weights="per-channel (axis 0) symmetric qint8" if per_channel else
                         "per-tensor symmetric qint8",
                         activations="per-tensor asymmetric quint8 [0, 2^b - 1], moving-average min/max",
                         converted=False, qat_epochs=8, qat_lr=1e-3, float_test_rmse=torch_rmse(float_model, ds.test),
                         qat_from="the float ref model trained by this script (30 epochs, lr 3e-3)")
            pm = prepared
            record(name, path, ds, form=form, exporter="torch.onnx.export of the prepare_qat%s model "
                   "(fake quantization, before convert)" % ("" if mode == "eager" else "_fx"), bits=bits,
                   outputs_fn=lambda X: mt.predict(pm, X), test_rmse=rm, needed=needed, extra=extra,
                   failures=failures)
            if bits != 8:
                continue
            # the converted (quantized-kernel) model, 8 bits only: converted models compute with
            # quint8/qint8 tensors over the full range, so a 6- or 4-bit range would not survive
            cname = "qat2_%s_converted_b8" % form
            conv = tq.convert(copy.deepcopy(prepared).eval()) if mode == "eager" else \
                convert_fx(copy.deepcopy(prepared).eval())
            cpath = os.path.join(OUT, cname + ".onnx")
            cerr = torch_export(conv, cpath)
            if cerr:
                MANIFEST.append(dict(name=cname, form=form + "_converted", bits=8, file=None,
                                     export_failures=["torch.onnx.export of the converted model: " + cerr]))
                log("%s: export failed: %s" % (cname, cerr))
                if mode != "fx":
                    continue
                # FX's documented conversion for other backends: the reference quantized model
                # (quantize_per_tensor/dequantize around float ops) exports where convert_fx's
                # packed quantized kernels do not
                cname = "qat2_%s_reference_b8" % form
                conv = convert_to_reference_fx(copy.deepcopy(prepared).eval())
                cpath = os.path.join(OUT, cname + ".onnx")
                cerr = torch_export(conv, cpath)
                assert cerr is None, cerr
                form_c, conv_call = form + "_reference", "convert_to_reference_fx: the reference quantized model"
            else:
                form_c = form + "_converted"
                conv_call = "torch.ao.quantization.convert%s: quantized modules" % ("" if mode == "eager" else "_fx")
            with torch.no_grad():
                crm = rmse_of(torch.cat([conv(torch.from_numpy(ds.test[0][i:i + 512]))
                                         for i in range(0, len(ds.test[0]), 512)]).numpy(), ds.test[1])
            cm = conv
            record(cname, cpath, ds, form=form_c, exporter="torch.onnx.export of the converted model (%s)" % conv_call,
                   bits=8, test_rmse=crm, needed=[] if mode == "eager" else [
                       "convert_fx's model (packed quantized kernels) does not export (qat2_torch_ao_fx_converted_b8's "
                       "export_failures); convert_to_reference_fx, torch.ao's conversion for other backends, does"],
                   outputs_fn=lambda X: torch.cat([cm(torch.from_numpy(X[i:i + 512])) for i in
                                                   range(0, len(X), 512)]).detach().numpy(),
                   extra=dict(extra, converted=True))


# ----------------------------------------------------------------------------- 2. elastic-ai.creator

def snapshot(git_dir, ref, dest):
    commit = subprocess.run(["git", "-C", git_dir, "rev-parse", ref], check=True, capture_output=True,
                            text=True).stdout.strip()
    os.makedirs(dest)
    arch = subprocess.run(["git", "-C", git_dir, "archive", "--format=tar", commit], check=True,
                          capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", dest], input=arch, check=True)
    return commit


def simquant_inline(x, qparams):
    """elastic-ai.creator's SimQuant.forward without the autograd.Function wrapper: the same
    calls, qparams.dequantize(qparams.quantize(x))."""
    return qparams.dequantize(qparams.quantize(x))


class _IntKernelF:
    """torch.nn.functional for avgpooling1d.py with avg_pool1d taking kernel_size as an int."""

    def __getattr__(self, k):
        return getattr(F, k)

    @staticmethod
    def avg_pool1d(x, kernel_size, **kw):
        return F.avg_pool1d(x, kernel_size=int(kernel_size), **kw)


ELASTIC_SIMQUANT = (
    "SimQuant (elastic-ai.creator's autograd.Function for fake quantization; apply(x, QParams "
    "module)) is replaced while torch.onnx.export traces the model by its own forward without the "
    "Function wrapper, qparams.dequantize(qparams.quantize(x)) (simquant_inline in this script): "
    "torch 1.13 cannot trace the Function with a module argument (export_failures). Same values; "
    "the numpy check confirms it")
ELASTIC_POOL = (
    "avgpooling1d.py calls F.avg_pool1d(inputs, kernel_size=inputs.size(2)); under tracing size(2) "
    "is a tensor and torch 1.13's avg_pool1d refuses it (export_failures); while the exporter traces, "
    "the module's F is a proxy whose avg_pool1d converts kernel_size with int() (_IntKernelF)")


def elastic_forms(ds, tt_commit, eac_commit, only, tmp):
    if only and "elastic" not in only:
        return
    needed = []
    epm._stub("sklearn.metrics", ["accuracy_score", "f1_score", "precision_score", "recall_score"],
              "config.py (imported by models/fp32/PE.py for DEVICE) imports utils.eval_metrics, which "
              "imports it for classification metrics", needed)
    epm._stub("thop", ["profile"], "utils/eval_metrics.py imports it to count MACs", needed)
    sys.path.insert(0, os.path.join(tmp, "eac"))
    (qt_mod,) = epm.import_from(os.path.join(tmp, "tt4ts"), ["models.quant.QuantTransformer"])
    from elasticai.creator.nn.integer.quant_utils import SimQuant
    ap_mod = sys.modules["elasticai.creator.nn.integer.avgpooling1d.avgpooling1d"]
    for bits in (8, 6, 4):
        name = "qat2_elastic_b%d" % bits
        torch.manual_seed(mt.seed_for(name))
        # main.py's model_config for the quant model, with this data's sizes
        params = dict(name="quant_transformer", d_model=D, ffn_dim=4 * D, nhead=1, num_enc_layers=1,
                      num_in_features=M, num_out_features=1, window_size=N, quant_bits=bits,
                      do_int_forward=False, quant_data_dir=None, device="cpu")
        model = qt_mod.QuantTransformer(**params)
        # QAT from scratch as the project's train.sh does (Adam, lr 1e-3, batch 256), fewer epochs
        epochs, lr, batch = 30, 1e-3, 256
        train_loop(model, ds, name, epochs, lr, batch=batch)
        rm = torch_rmse(model, ds.test)
        path = os.path.join(OUT, name + ".onnx")
        failures = []
        err = torch_export(model, path)
        failures.append("unpatched export: %s" % err)
        err = torch_export(model, path, patches=[epm.ExportPatch(SimQuant, "apply", simquant_inline)])
        failures.append("with SimQuant inlined only: %s" % err)
        err = torch_export(model, path, patches=[epm.ExportPatch(SimQuant, "apply", simquant_inline),
                                                 epm.ExportPatch(ap_mod, "F", _IntKernelF())])
        assert err is None, err
        record(name, path, ds, form="elastic", exporter="torch.onnx.export of TinyTransformer4TS "
               "QuantTransformer (do_int_forward=False: the fake-quantized float forward)", bits=bits,
               outputs_fn=lambda X: mt.predict(model, X), test_rmse=rm,
               needed=needed + [ELASTIC_SIMQUANT, ELASTIC_POOL], failures=failures,
               extra=dict(source=[dict(repo="tianheng-ling/TinyTransformer4TS", commit=tt_commit,
                                       path="models/quant/QuantTransformer.py"),
                                  dict(repo="es-ude/elastic-ai.creator", ref=EAC_REF, commit=eac_commit,
                                       path="elasticai/creator/nn/integer/")],
                          config={k: v for k, v in params.items() if k != "device"},
                          qat_epochs=epochs, qat_lr=lr, batch=batch, trained_from="scratch",
                          quant_scheme="elastic-ai.creator: per-tensor asymmetric signed [-2^(b-1), "
                                       "2^(b-1)-1] activations and weights (global min/max observers, "
                                       "updated in every training forward), symmetric bias; x_q = "
                                       "clamp(round(x / s + z)), y = (x_q - z) * s in int32 arithmetic",
                          model_notes="the score MatrixMulti is built with addtion_scale=1/sqrt(d) but "
                                      "reads additional_scale, so no 1/sqrt(d) scaling is applied"))


# ----------------------------------------------------------------------------- 3. ORT QDQ layout

ORT_OPS = {  # op types quantize_static quantizes by default (QLinearOpsRegistry + QDQRegistry)
    "Conv", "Gemm", "MatMul", "Add", "Mul", "Relu", "Clip", "Softmax", "Transpose", "Reshape",
    "Squeeze", "Unsqueeze", "AveragePool", "MaxPool", "Concat", "Gather", "BatchNormalization",
    "LayerNormalization", "Slice", "Pad", "Split", "Where", "GlobalAveragePool", "Sigmoid"}
DIRECT_8BIT = {"Transpose", "Reshape", "Squeeze", "Unsqueeze", "Slice", "MaxPool", "AveragePool", "Gather"}


def ort_scale_zp(rmin, rmax, qmin, qmax, symmetric):
    """onnxruntime quant_utils.compute_scale_zp."""
    rmin, rmax = min(float(rmin), 0.0), max(float(rmax), 0.0)
    if symmetric:
        absmax = max(abs(rmin), abs(rmax))
        rmin, rmax = -absmax, absmax
    scale = np.float32((rmax - rmin) / float(qmax - qmin))
    if scale < np.finfo(np.float32).tiny:
        return np.float32(1.0), 0
    return scale, int(np.round(qmin - rmin / float(scale)))


def ort_float_model(float_path):
    """The float model as the quantizer reads it: Constant nodes' values are initializers
    (onnx's shape inference/ORT's pre-processing make them so)."""
    om = onnx.load(float_path)
    g = om.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for node in list(g.node):
        if node.op_type == "Constant":
            inits[node.output[0]] = numpy_helper.to_array(mt._attrs(node)["value"])
    return om, g, inits, [nd for nd in g.node if nd.op_type != "Constant"]


def ort_calibrate(om, inits, nodes, calib_X):
    """MinMax calibration (min/max of every float value over the calibration windows) and
    base_quantizer.adjust_tensor_ranges: a Relu read only by itself gives its input its output
    range and is removed (asymmetric activations); Softmax outputs are [0, 1]."""
    ranges = {}
    for i in range(0, len(calib_X), 1024):
        env = np_env(om, calib_X[i:i + 1024])
        for k, v in env.items():
            if k in inits or v.dtype != np.float32:
                continue
            lo, hi = float(v.min()), float(v.max())
            ranges[k] = (min(lo, ranges[k][0]), max(hi, ranges[k][1])) if k in ranges else (lo, hi)
    consumers = collections.defaultdict(list)
    for nd in nodes:
        for x in nd.input:
            consumers[x].append(nd)
    removed = set()
    for nd in nodes:
        if nd.op_type == "Relu" and len(consumers[nd.input[0]]) == 1:
            ranges[nd.input[0]] = ranges[nd.output[0]]
            removed.add(nd.name)
        elif nd.op_type == "Softmax":
            ranges[nd.output[0]] = (0.0, 1.0)
    return ranges, removed


def ort_per_channel(w, ax, wq):
    """quantize_weight_per_channel: symmetric codes, scale and zero point 0 per slice along ax."""
    mv = np.moveaxis(w, ax, 0).reshape(w.shape[ax], -1)
    sz = [ort_scale_zp(r.min(), r.max(), wq[0], wq[1], True) for r in mv]
    s = np.array([a for a, _ in sz], np.float32)
    z = np.zeros(len(sz), np.int8)
    shp = [1] * w.ndim
    shp[ax] = -1
    return np.clip(np.rint(w / s.reshape(shp)), wq[0], wq[1]).astype(np.int8), s, z


def ort_qdq(float_path, calib_X, act_type, per_channel, bits=8):
    """quantize_static(quant_format=QDQ, activation_type=act_type, weight_type=QInt8,
    per_channel=per_channel, calibrate_method=MinMax) as its source lays the graph out:
    - every input and output of a node whose op type is quantized gets QuantizeLinear ->
      DequantizeLinear (named X_QuantizeLinear, X_quantized, X_DequantizeLinear_Output, X_scale,
      X_zero_point); a graph output keeps its name on the DequantizeLinear;
    - MatMul/Gemm weights: int8 symmetric ([-127, 127]) initializers X_quantized with one
      DequantizeLinear, per tensor or per channel (MatMul axis 1, Gemm transB=1 axis 0);
    - Gemm and BatchNormalization biases: int32 with scale s_x * s_w, zero point 0;
    - other initializers consumed by a quantized node (the Add bias of a MatMul, the positional
      encoding, the 1/sqrt(d) Mul constant): quantized like activations (act_type,
      asymmetric, their own min/max);
    - Softmax output range [0, 1]; Relu's input takes Relu's output range and the Relu node is
      removed (QDQRemovableActivation, asymmetric activations); Transpose outputs share their
      input's scale and zero point (QDQDirect8BitOp);
    - ops outside the list (ReduceMean here) stay float between a DequantizeLinear and the next
      QuantizeLinear.
    bits=4 is QUInt4/QInt4 (quant_utils: activations [0, 15] / [-8, 7], int4 weights symmetric over
    the full [-8, 7], INT4 having no entry in ONNX_INT_TYPE_SYMMETRIC_RANGE), written here in 8-bit
    containers with a Clip to the 4-bit range after each activation QuantizeLinear (the same
    values); int4_opset21() makes the int4 file from it."""
    om, g, inits, nodes = ort_float_model(float_path)
    ranges, removed = ort_calibrate(om, inits, nodes, calib_X)
    aq = (0, 255, np.uint8) if act_type == "QUInt8" else (-128, 127, np.int8)
    wq = (-127, 127)
    if bits == 4:
        aq = (0, 15, np.uint8) if act_type == "QUInt4" else (-8, 7, np.int8)
        wq = (-8, 7)
    qparams = {}  # activation tensor -> (scale, zp)
    weights, biases = {}, {}  # initializer -> (axis or None) / (input, weight)
    act_inits = set()
    order = []
    for nd in nodes:
        if nd.op_type not in ORT_OPS or nd.name in removed:
            continue
        ins = list(nd.input)
        if nd.op_type in ("MatMul", "Gemm"):
            for j, x in enumerate(ins[:2]):
                if x in inits:
                    ax = None
                    if per_channel:
                        ax = (0 if mt._attrs(nd).get("transB", 0) else 1) if nd.op_type == "Gemm" else 1
                    weights[x] = ax
                else:
                    order.append(x)
            if nd.op_type == "Gemm" and len(ins) > 2 and ins[2]:
                biases[ins[2]] = (ins[0], ins[1])
        elif nd.op_type == "BatchNormalization":
            order.append(ins[0])
            weights[ins[1]] = None
            biases[ins[2]] = (ins[0], ins[1])
        else:
            for x in ins:
                (act_inits.add if x in inits else order.append)(x)
        order.extend(nd.output)
    for x in order:
        if x in qparams:
            continue
        prod = next((p for p in nodes if x in p.output), None)
        if prod is not None and prod.op_type in DIRECT_8BIT and prod.input[0] in qparams:
            qparams[x] = qparams[prod.input[0]]  # quantize_output_same_as_input
        else:
            qparams[x] = ort_scale_zp(*ranges[x], aq[0], aq[1], False)
    new_inits, new_nodes = [], []
    rename = {}  # tensor -> name consumers read

    def scalar(name, v, dt):
        new_inits.append(numpy_helper.from_array(np.asarray(v, dtype=dt), name))

    def qdq(x, s, z, zdt):
        scalar(x + "_scale", s, np.float32)
        scalar(x + "_zero_point", z, zdt)

    for x in sorted(act_inits):
        w = inits[x].astype(np.float32)
        s, z = ort_scale_zp(w.min(), w.max(), aq[0], aq[1], False)
        qdq(x, s, z, aq[2])
        new_inits.append(numpy_helper.from_array(
            np.clip(np.rint(w / s) + z, aq[0], aq[1]).astype(aq[2]), x + "_quantized"))
        new_nodes.append(helper.make_node("DequantizeLinear", [x + "_quantized", x + "_scale", x + "_zero_point"],
                                          [x + "_DequantizeLinear_Output"], name=x + "_DequantizeLinear"))
        rename[x] = x + "_DequantizeLinear_Output"
    wscale = {}
    for x, ax in sorted(weights.items(), key=lambda kv: kv[0]):
        w = inits[x].astype(np.float32)
        if ax is None:
            s, z = ort_scale_zp(w.min(), w.max(), wq[0], wq[1], True)
            q = np.clip(np.rint(w / s) + z, wq[0], wq[1]).astype(np.int8)
            qdq(x, s, z, np.int8)
            attrs = {}
        else:
            q, s, z = ort_per_channel(w, ax, wq)
            new_inits.append(numpy_helper.from_array(s, x + "_scale"))
            new_inits.append(numpy_helper.from_array(z, x + "_zero_point"))
            attrs = {"axis": ax}
        wscale[x] = (s, ax)
        new_inits.append(numpy_helper.from_array(q, x + "_quantized"))
        new_nodes.append(helper.make_node("DequantizeLinear", [x + "_quantized", x + "_scale", x + "_zero_point"],
                                          [x + "_DequantizeLinear_Output"], name=x + "_DequantizeLinear", **attrs))
        rename[x] = x + "_DequantizeLinear_Output"
    for b, (xin, w) in sorted(biases.items()):
        sw = wscale[w][0]
        s = (np.float32(qparams[xin][0]) * np.asarray(sw, np.float32)).astype(np.float32)
        q = np.rint(inits[b].astype(np.float64) / s.astype(np.float64)).astype(np.int32)
        new_inits.append(numpy_helper.from_array(q, b + "_quantized"))
        new_inits.append(numpy_helper.from_array(np.asarray(s, np.float32), b + "_quantized_scale"))
        new_inits.append(numpy_helper.from_array(np.zeros(np.shape(s), np.int32), b + "_quantized_zero_point"))
        new_nodes.append(helper.make_node("DequantizeLinear", [b + "_quantized", b + "_quantized_scale",
                                                               b + "_quantized_zero_point"],
                                          [b + "_DequantizeLinear_Output"], name=b + "_DequantizeLinear",
                                          **({"axis": 0} if np.ndim(s) else {})))
        rename[b] = b + "_DequantizeLinear_Output"
    graph_out = {o.name for o in g.output}
    out_rename = {}
    input_name = g.input[0].name
    act_qdq = []
    for x, (s, z) in qparams.items():
        src = x
        if x in graph_out:
            src = x + "_QuantizeLinear_Input"
            out_rename[x] = src
        qdq(x, s, z, aq[2])
        dq_out = x if x in graph_out else x + "_DequantizeLinear_Output"
        act_qdq.append((src, x, dq_out))
        if x not in graph_out:
            rename[x] = dq_out
    # Relu removed: its consumers read the (dequantized) Relu input
    for nd in nodes:
        if nd.name in removed:
            rename[nd.output[0]] = rename.get(nd.input[0], nd.input[0])
    body = []
    clip = None
    if bits < 8:
        clip = ("clip_min_%d" % aq[0], "clip_max_%d" % aq[1])
        new_inits += [numpy_helper.from_array(np.asarray(v, aq[2]), n) for v, n in zip(aq[:2], clip)]
    for src, x, dq_out in act_qdq:
        if x == input_name:
            body.extend(qdq_nodes(src, x, dq_out, clip))
    for nd in nodes:
        if nd.name in removed:
            continue
        nn_ = onnx.NodeProto()
        nn_.CopyFrom(nd)
        quant_node = nd.op_type in ORT_OPS
        for j, x in enumerate(nn_.input):
            if quant_node or x not in inits:
                nn_.input[j] = rename.get(x, x) if (quant_node or x in qparams) else x
        for j, x in enumerate(nn_.output):
            nn_.output[j] = out_rename.get(x, x)
        body.append(nn_)
        for src, x, dq_out in act_qdq:
            if x in nd.output:
                body.extend(qdq_nodes(src, x, dq_out, clip))
    used = {x for nd in body + new_nodes for x in nd.input}
    keep = [i for i in g.initializer if i.name in used]
    for nd in g.node:
        if nd.op_type == "Constant" and nd.output[0] in used:
            keep.append(numpy_helper.from_array(inits[nd.output[0]], nd.output[0]))
    graph = helper.make_graph(new_nodes + body, g.name, list(g.input), list(g.output),
                              keep + [i for i in new_inits if i.name in used or True])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tfq testdata/make_qat_exports.py (onnxruntime quantize_static "
                                            "QDQ layout)")
    return model


MS = "com.microsoft"


def ort_qop(float_path, calib_X, act_type, per_channel=False):
    """quantize_static(quant_format=QOperator, activation_type=act_type, weight_type=QInt8,
    per_channel=False, calibrate_method=MinMax) as onnx_quantizer.py and its QLinearOpsRegistry
    (registry.py, operators/*.py) write this model family:
    - MatMul -> QLinearMatMul (QLinearMatMul: activation input 0, input 1 a weight, int8
      symmetric [-127, 127], when it is an initializer, else the activation it is);
    - Add, Mul -> com.microsoft QLinearAdd, QLinearMul (QLinearBinaryOp), initializer operands
      quantized like activations; Gemm -> com.microsoft QGemm (QLinearGemm) with its bias int32
      at scale s_A * s_B (quantize_bias_static) and no beta attribute;
    - Softmax -> com.microsoft QLinearSoftmax (axis, opset), output 1/256 with zero point 0
      (uint8) or -128 (int8); Relu after a quantized op is removed, its output the input's
      quantized value (QLinearActivation.QuantizeClipRelu) with its range (adjust_tensor_ranges);
    - Transpose (Direct8BitOp) moves codes when its input is quantized, else stays float;
    - ops outside the registry (BatchNormalization, ReduceMean) stay float: DequantizeLinear
      before (X_quantized -> X), QuantizeLinear where a quantized op next reads their output;
    - graph outputs are dequantized (_dequantize_outputs); MatMulInteger/ConvInteger are the
      IntegerOps registry (quantize_dynamic), not written by quantize_static."""
    om, g, inits, nodes = ort_float_model(float_path)
    ranges, removed = ort_calibrate(om, inits, nodes, calib_X)
    aq = (0, 255, np.uint8) if act_type == "QUInt8" else (-128, 127, np.int8)
    new_inits, body = {}, []
    qv = {}  # float tensor -> (quantized name, scale name, zero point name)
    floats = {g.input[0].name} | set(inits)  # tensors available in float

    def init(name, v):
        new_inits.setdefault(name, numpy_helper.from_array(np.asarray(v), name))

    def params(x, s, z):
        init(x + "_scale", np.float32(s))
        init(x + "_zero_point", np.asarray(z, aq[2]))
        return x + "_scale", x + "_zero_point"

    def act(x):
        if x in qv:
            return qv[x]
        if x in inits:  # quantize_initializer with the activation type
            w = inits[x].astype(np.float32)
            s, z = ort_scale_zp(w.min(), w.max(), aq[0], aq[1], False)
            init(x + "_quantized", np.clip(np.rint(w / s) + z, aq[0], aq[1]).astype(aq[2]))
        else:
            s, z = ort_scale_zp(*ranges[x], aq[0], aq[1], False)
            body.append(helper.make_node("QuantizeLinear", [x, x + "_scale", x + "_zero_point"], [x + "_quantized"],
                                         name=x + "_QuantizeLinear"))
        qv[x] = (x + "_quantized",) + params(x, s, z)
        return qv[x]

    def weight(x, axis):
        w = inits[x].astype(np.float32)
        if per_channel:  # quantize_weight_per_channel: MatMul's columns (axis 1), Gemm's output rows
            q, s, z = ort_per_channel(w, axis, (-127, 127))
        else:
            s, z = ort_scale_zp(w.min(), w.max(), -127, 127, True)
            q, s, z = np.clip(np.rint(w / s) + z, -127, 127).astype(np.int8), np.float32(s), np.int8(z)
        init(x + "_quantized", q)
        init(x + "_scale", s)
        init(x + "_zero_point", z)
        return x + "_quantized", x + "_scale", x + "_zero_point"

    def out(x, s=None, z=None):
        if s is None:
            s, z = ort_scale_zp(*ranges[x], aq[0], aq[1], False)
        qv[x] = (x + "_quantized",) + params(x, s, z)
        return list(qv[x][1:])

    def floated(x):
        if x not in floats:
            q = qv[x]
            body.append(helper.make_node("DequantizeLinear", list(q), [x], name=x + "_DequantizeLinear"))
            floats.add(x)
        return x

    for nd in nodes:
        op, ins, o = nd.op_type, list(nd.input), nd.output[0]
        name = nd.name + "_quant"
        if op == "MatMul":
            a = act(ins[0])
            b = weight(ins[1], 1) if ins[1] in inits else act(ins[1])
            body.append(helper.make_node("QLinearMatMul", list(a) + list(b) + out(o), [o + "_quantized"], name=name))
        elif op in ("Add", "Mul"):
            a, b = act(ins[0]), act(ins[1])
            body.append(helper.make_node("QLinear" + op, list(a) + list(b) + out(o), [o + "_quantized"], name=name,
                                         domain=MS))
        elif op == "Softmax":
            a = act(ins[0])
            body.append(helper.make_node("QLinearSoftmax", list(a) + out(o, 1 / 256.0, aq[0]), [o + "_quantized"],
                                         name=name, domain=MS, axis=mt._attrs(nd).get("axis", -1), opset=OPSET))
        elif op == "Gemm":
            at = mt._attrs(nd)
            a, b = act(ins[0]), weight(ins[1], 0 if at.get("transB", 0) else 1)
            bs = numpy_helper.to_array(new_inits[a[1]]) * numpy_helper.to_array(new_inits[b[1]])
            bias = np.rint(inits[ins[2]].astype(np.float64) / (np.float64(bs) * at.get("beta", 1.0)))
            init(ins[2] + "_quantized", bias.astype(np.int32))
            body.append(helper.make_node("QGemm", list(a) + list(b) + [ins[2] + "_quantized"] + out(o),
                                         [o + "_quantized"], name=name, domain=MS,
                                         **{k: v for k, v in at.items() if k != "beta"}))
        elif op == "Relu" and nd.name in removed and ins[0] in qv:
            qv[o] = qv[ins[0]]
        elif op == "Transpose" and ins[0] in qv:
            q = qv[ins[0]]
            body.append(helper.make_node("Transpose", [q[0]], [o + "_quantized"], name=name, **mt._attrs(nd)))
            qv[o] = (o + "_quantized",) + q[1:]
        else:
            nn_ = onnx.NodeProto()
            nn_.CopyFrom(nd)
            for j, x in enumerate(nn_.input):
                nn_.input[j] = floated(x)
            body.append(nn_)
            floats.update(nd.output)
    for o in g.output:
        if o.name in qv:
            body.append(helper.make_node("DequantizeLinear", list(qv[o.name]), [o.name], name=o.name + "_DequantizeLinear"))
    used = {x for nd in body for x in nd.input}
    keep = [numpy_helper.from_array(v, k) for k, v in inits.items() if k in used]
    graph = helper.make_graph(body, g.name, list(g.input), list(g.output),
                              keep + [v for k, v in new_inits.items() if k in used])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)],
                             producer_name="tfq testdata/make_qat_exports.py (onnxruntime quantize_static "
                                           "QOperator layout)")


def qdq_nodes(src, x, dq_out, clip=None):
    q = x + "_quantized"
    nodes = [helper.make_node("QuantizeLinear", [src, x + "_scale", x + "_zero_point"], [q], name=x + "_QuantizeLinear")]
    if clip:
        nodes.append(helper.make_node("Clip", [q] + list(clip), [q + "_clipped"], name=x + "_Clip"))
        q += "_clipped"
    return nodes + [helper.make_node("DequantizeLinear", [q, x + "_scale", x + "_zero_point"], [dq_out],
                                     name=x + "_DequantizeLinear")]


INT4, UINT4 = 22, 21  # TensorProto.DataType numbers onnx 1.12 has no names for


def int4_opset21(model):
    """The QCDQ model (8-bit containers) as opset 21 int4/uint4 QDQ, its codes the same: each
    QuantizeLinear/DequantizeLinear zero point of 4-bit codes becomes an INT4/UINT4 initializer (of
    its own: shared ones reach the nodes through Identity), DequantizeLinear'd int8 weight codes
    INT4 initializers, and the Clip to the full 4-bit range after a QuantizeLinear is dropped (the
    type saturates there). Packed two per byte, low nibble first, in raw_data (ONNX IR 10).
    onnx 1.12 cannot write or check opset 21: data_type and elem_type are plain int32 fields."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    alias = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Identity" and n.input[0] in inits}
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in g.node if n.op_type == "Constant"}

    def value(x):
        x = alias.get(x, x)
        return numpy_helper.to_array(inits[x]) if x in inits else consts[x]

    new = {}

    def packed(name, v):
        lo, hi = (-8, 7) if v.dtype == np.int8 else (0, 15)
        assert v.dtype in (np.int8, np.uint8) and v.min() >= lo and v.max() <= hi, (name, v.dtype, v.min(), v.max())
        if name not in new:
            nib = (v.reshape(-1).astype(np.int64) & 0xF).astype(np.uint8)
            nib = np.concatenate([nib, np.zeros(len(nib) % 2, np.uint8)])
            t = TensorProto(name=name, dims=list(v.shape), data_type=INT4 if v.dtype == np.int8 else UINT4,
                            raw_data=(nib[0::2] | (nib[1::2] << 4)).astype(np.uint8).tobytes())
            new[name] = t
        return name

    consumers = collections.defaultdict(list)
    for n in g.node:
        for x in n.input:
            consumers[x].append(n)
    drop, rewire = set(), {}
    for n in g.node:
        if n.op_type not in ("QuantizeLinear", "DequantizeLinear") or len(n.input) < 3:
            continue
        z = value(n.input[2])
        if z.dtype not in (np.int8, np.uint8):
            continue  # int32 biases
        n.input[2] = packed(alias.get(n.input[2], n.input[2]) + "_4bit", z)
        if n.op_type == "DequantizeLinear" and (alias.get(n.input[0], n.input[0]) in inits):
            n.input[0] = packed(alias.get(n.input[0], n.input[0]) + "_4bit", value(n.input[0]))
        if n.op_type == "QuantizeLinear":
            (c,) = consumers[n.output[0]]
            if c.op_type == "Clip":
                full = (-8, 7) if z.dtype == np.int8 else (0, 15)
                assert (int(value(c.input[1])), int(value(c.input[2]))) == full, c.name
                drop.add(c.name)
                rewire[c.output[0]] = n.output[0]
    for n in g.node:
        for j, x in enumerate(n.input):
            n.input[j] = rewire.get(x, x)
    keep = [n for n in g.node if n.name not in drop]
    while True:  # Identity/Constant nodes and initializers nothing reads any more
        used = {x for n in keep for x in n.input} | {o.name for o in g.output}
        live = [n for n in keep if any(o in used for o in n.output)]
        if len(live) == len(keep):
            break
        keep = live
    del g.node[:]
    g.node.extend(keep)
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept + [t for k, t in new.items()])
    # the one op of these graphs whose signature changed after opset 13: ReduceMean-18 reads axes as an input
    for n in g.node:
        if n.op_type == "ReduceMean":
            at = {a.name: a for a in n.attribute}
            if "axes" in at:
                g.initializer.append(numpy_helper.from_array(np.asarray(at["axes"].ints, np.int64), n.name + "_axes"))
                n.input.append(n.name + "_axes")
                n.attribute.remove(at["axes"])
    del model.opset_import[:]
    model.opset_import.extend([helper.make_opsetid("", 21)])
    model.ir_version = 10
    return model


INT4_NEEDED = (
    "opset 21 int4/uint4: torch 1.13 exports at most opset 17 and onnx 1.12 has no INT4 names; the "
    "script writes the model with 8-bit code containers and a Clip to the 4-bit range (QCDQ), then "
    "int4_opset21() stores the same codes as INT4/UINT4 (data_type 22/21, packed low nibble first) "
    "at opset 21 without the Clips. numpy_onnx_max_abs_diff is the QCDQ twin's (the numpy "
    "interpreter reads no int4); onnx 1.12's checker does not know opset 21")


def int4_forms(ds, only):
    if only and "int4" not in only:
        return
    float_path = os.path.join(mt.MODEL_DIR, "ref_n12_d16_m3.onnx")
    for act, name in (("QUInt4", "qat2_ort_qdq_u4s4_int4_b4"), ("QInt4", "qat2_ort_qdq_s4s4_int4_b4")):
        twin = ort_qdq(float_path, ds.train[0], act, False, bits=4)
        pred = np.concatenate([mt.np_run(twin, ds.test[0][i:i + 1024]) for i in range(0, len(ds.test[0]), 1024)])
        path = os.path.join(OUT, name + ".onnx")
        onnx.save(int4_opset21(copy.deepcopy(twin)), path)
        record(name, path, ds, form="ort_qdq_int4", bits=4,
               exporter="this script's reproduction of onnxruntime quantize_static(QuantFormat.QDQ, "
                        "activation_type=%s, weight_type=QInt4, per_channel=False, MinMax), opset 21" % act,
               outputs_fn=lambda X, om=twin: mt.np_run(om, X), test_rmse=rmse_of(pred, ds.test[1]), np_model=twin,
               needed=[INT4_NEEDED, "ONNX Runtime's Python quantization tool is not installable here: ort_qdq() "
                       "follows its source (see qat2_ort_qdq_u8s8_b8)"],
               extra=dict(float_model="testdata/models/ref_n12_d16_m3.onnx", activation_type=act,
                          weight_type="QInt4 (symmetric over [-8, 7]: quant_utils has no symmetric int4 range)",
                          per_channel=False, calibration="MinMax over all %d training windows" % len(ds.train[0])))
    src = "qat2_torch_ao_fx_b4"
    entry = next(e for e in json.load(open(os.path.join(OUT, "manifest.json")))["models"] if e["name"] == src)
    twin = onnx.load(os.path.join(OUT, src + ".onnx"))
    name = "qat2_torch_ao_fx_int4_b4"
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(int4_opset21(copy.deepcopy(twin)), path)
    outs = np.load(os.path.join(OUT, src + ".torch_outputs.npy"))
    record(name, path, ds, form="torch_ao_fx_int4", bits=4,
           exporter="torch.onnx.export of the prepare_qat_fx model at 4 bits (%s.onnx, QCDQ), stored as "
                    "opset 21 int4/uint4 by int4_opset21()" % src,
           outputs_fn=lambda X: outs, test_rmse=entry["test_rmse"], np_model=twin,
           needed=[INT4_NEEDED] + entry["export_needed"],
           extra=dict(source_file=src + ".onnx", weights=entry["weights"], activations="per-tensor asymmetric "
                      "uint4 (quint8 [0, 15] in PyTorch)"))


QONNX_DOMAIN = "qonnx.custom_op.general"


def brevitas_qonnx(src_path, rounding_mode):
    """The QAT model of testdata/models/qat_n12_d16_m3_b8_qonnx.onnx (QONNX Quant on every
    activation and weight) with two layers as Brevitas' QONNX export writes them
    (src/brevitas/export/onnx/qonnx/handler.py, function.py, custom_ops.py; Brevitas is not
    installable here):
    - the query projection with binary weights: a weight quantizer of bit width 1 exports as
      BipolarQuant(w, scale) (BrevitasBinaryQuantFn: no attributes); scale mean |w| (XNOR-Net's;
      not trained binary: of the seven d x d / d x m projections binarized alone, q loses least,
      test RMSE 0.051 against inp 0.68, k 0.062, v 0.27, o 0.17, ff1 0.28, ff2 0.19);
    - the mean over time as TruncAvgPool2d (kernel 1 x 12) with trunc_quant RoundTo8bit (its
      default: rounding_mode ROUND) or TruncTo8bit (FLOOR): AveragePool, then Trunc(x, scale = s / 12,
      zero point 0, input bit width 8 + ceil(log2 12) = 12, output scale s / 12 * 2^(12 - 8), output
      bit width 8; rounding_mode, signed 1, narrow 0) (BrevitasTruncFn, TruncIntQuant with TruncMsbScaling, the avg_pool2d QuantTensor
      handler's scale / 12 and accumulator width); its input quantizer symmetric (zero point 0,
      Brevitas' Int8ActPerTensorFloat and TruncQuant's requirement), its range the trained one's.
    The pool's input is made 4-D as a Brevitas model would (transpose, unsqueeze) and flattened
    after. QONNX domain opset 2 (Brevitas' DOMAIN_VERSION; Trunc with out_scale is Trunc v2)."""
    om = onnx.load(src_path)
    g = om.graph
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in g.node if n.op_type == "Constant"}
    consts.update({i.name: numpy_helper.to_array(i) for i in g.initializer})
    node = {n.name: n for n in g.node}
    inits = []

    def init(name, v):
        inits.append(numpy_helper.from_array(np.asarray(v), name))
        return name

    # the query projection's weights: BipolarQuant
    wq = node["/q/wq/Quant"]
    w = consts[wq.input[0]]
    bq = helper.make_node("BipolarQuant", [wq.input[0], init("/q/wq/bipolar_scale", np.float32(np.abs(w).mean()))],
                          list(wq.output), name="/q/wq/BipolarQuant", domain=QONNX_DOMAIN)
    # the pool's input quantizer, symmetric over its trained range
    fq = node["/fq_bn2/Quant"]
    s, z = float(consts[fq.input[1]]), float(consts[fq.input[2]])
    s_sym = np.float32(max(abs((-128 - z) * s), abs((127 - z) * s)) / 127)
    fq.input[1] = init("/fq_bn2/sym_scale", s_sym)
    fq.input[2] = init("/fq_bn2/sym_zero_point", np.float32(0))
    k, in_bits, out_bits = N, 8 + math.ceil(math.log2(N)), 8
    pool_scale = np.float32(s_sym / np.float32(k))
    x = fq.output[0]
    pool = [helper.make_node("Transpose", [x], ["/pool/Transpose_output_0"], name="/pool/Transpose", perm=[0, 2, 1]),
            helper.make_node("Unsqueeze", ["/pool/Transpose_output_0", init("/pool/axes", np.array([2], np.int64))],
                             ["/pool/Unsqueeze_output_0"], name="/pool/Unsqueeze"),
            helper.make_node("AveragePool", ["/pool/Unsqueeze_output_0"], ["/pool/AveragePool_output_0"],
                             name="/pool/AveragePool", kernel_shape=[1, k], strides=[1, k], pads=[0, 0, 0, 0]),
            helper.make_node("Trunc", ["/pool/AveragePool_output_0", init("/pool/trunc/scale", pool_scale),
                                       init("/pool/trunc/zero_point", np.float32(0)),
                                       init("/pool/trunc/input_bit_width", np.float32(in_bits)),
                                       init("/pool/trunc/output_scale", np.float32(pool_scale * 2 ** (in_bits - out_bits))),
                                       init("/pool/trunc/output_bit_width", np.float32(out_bits))],
                             ["/pool/Trunc_output_0"], name="/pool/trunc/Trunc", domain=QONNX_DOMAIN,
                             rounding_mode=rounding_mode, signed=1, narrow=0),
            helper.make_node("Flatten", ["/pool/Trunc_output_0"], ["/pool/Flatten_output_0"], name="/pool/Flatten", axis=1)]
    gemm = node["/out/Gemm"]
    gemm.input[0] = "/pool/Flatten_output_0"
    body = []
    for n in g.node:
        if n.name in ("/ReduceMean", "/fq_pool/Quant"):
            continue
        if n.name == "/q/wq/Quant":
            n = bq
        body.append(n)
        if n.name == "/fq_bn2/Quant":
            body.extend(pool)
    used = {i for n in body for i in n.input}
    body = [n for n in body if n.op_type != "Constant" or n.output[0] in used]
    del g.node[:]
    g.node.extend(body)
    g.initializer.extend(inits)
    for o in om.opset_import:
        if o.domain == QONNX_DOMAIN:
            o.version = 2
    return om


def brevitas_forms(ds, only):
    if only and "brevitas" not in only:
        return
    for mode, name in (("ROUND", "qat2_brevitas_qonnx_b8"), ("FLOOR", "qat2_brevitas_qonnx_floor_b8")):
        om = brevitas_qonnx(os.path.join(mt.MODEL_DIR, "qat_n12_d16_m3_b8_qonnx.onnx"), mode)
        path = os.path.join(OUT, name + ".onnx")
        onnx.save(om, path)
        pred = np.concatenate([mt.np_run(om, ds.test[0][i:i + 1024]) for i in range(0, len(ds.test[0]), 1024)])
        record(name, path, ds, form="brevitas_qonnx", bits=8,
               exporter="this script's writing of Brevitas' QONNX export (BipolarQuant weights, TruncAvgPool2d's Trunc) "
                        "into testdata/models/qat_n12_d16_m3_b8_qonnx.onnx",
               outputs_fn=lambda X, om=om: mt.np_run(om, X), test_rmse=rmse_of(pred, ds.test[1]),
               needed=["Brevitas is not installable here (no Debian package, no pip): brevitas_qonnx() writes the nodes "
                       "and attributes its QONNX handlers write; torch_outputs and test_rmse come from the numpy "
                       "implementation of QONNX's BipolarQuant and Trunc (v2) semantics in this script (qonnx's "
                       "custom_op/general/bipolar_quant.py, trunc.py); ONNX Runtime cannot run QONNX"],
               extra=dict(source_model="testdata/models/qat_n12_d16_m3_b8_qonnx.onnx",
                          binary_layer="q, the query projection (BipolarQuant weights, per-tensor scale mean |w|, "
                                       "not retrained)",
                          trunc="TruncAvgPool2d over the 12 time steps, %s, 12 -> 8 bits" % mode))


def ort_qop_forms(ds, only):
    if only and "ort_qop" not in only:
        return
    float_path = os.path.join(mt.MODEL_DIR, "ref_n12_d16_m3.onnx")
    for act, pc, name in (("QUInt8", False, "qat2_ort_qop_u8s8_b8"), ("QInt8", False, "qat2_ort_qop_s8s8_b8"),
                          ("QUInt8", True, "qat2_ort_qop_u8s8_perchannel_b8")):
        om = ort_qop(float_path, ds.train[0], act, pc)
        path = os.path.join(OUT, name + ".onnx")
        onnx.save(om, path)
        pred = np.concatenate([mt.np_run(om, ds.test[0][i:i + 1024]) for i in range(0, len(ds.test[0]), 1024)])
        record(name, path, ds, form="ort_qop", bits=8,
               exporter="this script's reproduction of onnxruntime quantize_static(QuantFormat.QOperator, "
                        "activation_type=%s, weight_type=QInt8, per_channel=%s, MinMax)" % (act, pc),
               outputs_fn=lambda X, om=om: mt.np_run(om, X), test_rmse=rmse_of(pred, ds.test[1]),
               needed=["ONNX Runtime's Python quantization tool is not installable here: the QOperator graph is "
                       "written by ort_qop() following its source; torch_outputs and test_rmse come from the numpy "
                       "interpreter, which computes each QLinear node as DequantizeLinear, the float op, "
                       "QuantizeLinear (ONNX Runtime's integer kernels requantize in their own arithmetic)"],
               failures=["6 and 4 bits: QOperator kernels take 8-bit tensors only"],
               extra=dict(float_model="testdata/models/ref_n12_d16_m3.onnx", activation_type=act,
                          weight_type="QInt8 (symmetric, [-127, 127])", per_channel=pc,
                          calibration="MinMax over all %d training windows" % len(ds.train[0])))


def ort_forms(ds, only):
    if only and "ort_qdq" not in only:
        return
    float_path = os.path.join(mt.MODEL_DIR, "ref_n12_d16_m3.onnx")
    for act, pc, name in (("QUInt8", False, "qat2_ort_qdq_u8s8_b8"), ("QInt8", False, "qat2_ort_qdq_s8s8_b8"),
                          ("QUInt8", True, "qat2_ort_qdq_u8s8_perchannel_b8")):
        om = ort_qdq(float_path, ds.train[0], act, pc)
        path = os.path.join(OUT, name + ".onnx")
        onnx.save(om, path)
        pred = np.concatenate([mt.np_run(om, ds.test[0][i:i + 1024]) for i in range(0, len(ds.test[0]), 1024)])
        rm = rmse_of(pred, ds.test[1])
        fl = np.concatenate([mt.np_run(onnx.load(float_path), ds.test[0][i:i + 1024])
                             for i in range(0, len(ds.test[0]), 1024)])
        record(name, path, ds, form="ort_qdq", bits=8,
               exporter="this script's reproduction of onnxruntime quantize_static(QuantFormat.QDQ, "
                        "activation_type=%s, weight_type=QInt8, per_channel=%s, MinMax)" % (act, pc),
               outputs_fn=lambda X, om=om: mt.np_run(om, X), test_rmse=rm,
               needed=["ONNX Runtime's Python quantization tool is not installable here (no Debian "
                       "package, no pip): the QDQ graph is written by ort_qdq() following its source; "
                       "torch_outputs and test_rmse come from the numpy interpreter (post-training "
                       "quantization: no training)"],
               failures=["4-bit (QInt4/QUInt4, opset 21): onnx %s here writes at most opset %d, so no "
                         "int4 file" % (onnx.__version__, onnx.defs.onnx_opset_version()),
                         "6 bits: quantize_static has no 6-bit type (QuantType: QInt8, QUInt8, QInt16, "
                         "QUInt16, QInt4, QUInt4)"],
               extra=dict(float_model="testdata/models/ref_n12_d16_m3.onnx", float_test_rmse=rmse_of(fl, ds.test[1]),
                          activation_type=act, weight_type="QInt8 (symmetric, [-127, 127])",
                          per_channel=pc, calibration="MinMax over all %d training windows" % len(ds.train[0])))


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tt4ts", default=os.environ.get("TFQ_TT4TS_REPO", TT4TS_REPO))
    ap.add_argument("--eac", default=os.environ.get("TFQ_EAC_REPO", EAC_REPO),
                    help="git repository of es-ude/elastic-ai.creator (branch %s is used)" % EAC_REF)
    ap.add_argument("--only", default="", help="comma-separated forms: torch_ao_eager, torch_ao_fx, "
                                               "elastic, ort_qdq, ort_qop, int4, brevitas (default: all; int4 reads "
                                               "qat2_torch_ao_fx_b4.onnx)")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    os.makedirs(OUT, exist_ok=True)
    ds = dataset()
    mpath = os.path.join(OUT, "manifest.json")
    with tempfile.TemporaryDirectory(prefix="tfq_qat_") as tmp:
        ort_forms(ds, only)
        ort_qop_forms(ds, only)
        int4_forms(ds, only)
        brevitas_forms(ds, only)
        if not only or only & {"torch_ao_eager", "torch_ao_fx"}:
            name = "qat2_float_ref"
            torch.manual_seed(mt.seed_for(name))
            float_model = mt.RefModel(N, D, M)
            mt.train(float_model, ds, name, epochs=30, lr=3e-3)
            log("float ref model: test rmse %.4f" % torch_rmse(float_model, ds.test))
            torch_ao_forms(ds, float_model, only)
        tt_commit = snapshot(args.tt4ts, "HEAD", os.path.join(tmp, "tt4ts"))
        eac_commit = snapshot(args.eac, EAC_REF, os.path.join(tmp, "eac"))
        elastic_forms(ds, tt_commit, eac_commit, only, tmp)
    if os.path.exists(os.path.join(OUT, "probe.onnx")):
        os.remove(os.path.join(OUT, "probe.onnx"))
    new = {e["name"]: e for e in MANIFEST}
    models = []
    if os.path.exists(mpath):
        with open(mpath) as f:
            models = [new.pop(e["name"], e) for e in json.load(f)["models"]]
    models += [e for e in MANIFEST if e["name"] in new]
    with open(mpath, "w") as f:
        json.dump(dict(generator="testdata/make_qat_exports.py", torch=torch.__version__, onnx=onnx.__version__,
                       normalisation="../models/normalisation.json (blocked time split, n=12, m=3)",
                       models=models), f, indent=1)
    for e in MANIFEST:
        if e.get("file"):
            print("%-40s %-20s b%d rmse %.4f nodes %4d  %s" % (e["name"], e["form"], e["bits"], e["test_rmse"],
                                                              e["nodes"], " ".join("%s:%d" % kv for kv in
                                                                                   e["op_counts"].items())))
        else:
            print("%-40s FAILED %s" % (e["name"], e["export_failures"]))
    log("done")


if __name__ == "__main__":
    main()
