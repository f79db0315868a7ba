#!/usr/bin/python3
"""Quantization-aware models in export forms tfq's main testdata does not cover.

Run from the repository root with Debian's Python (torch 1.13, onnx, numpy), after
testdata/make_testdata.py (it reads testdata/models/ref_n12_d16_m3.onnx and normalisation.json):

    /usr/bin/python3 testdata/make_qat_forms.py

The model is the reference design (make_testdata.RefModel, n=12, d=16, m=3) with the float
weights of ref_n12_d16_m3 and 8-bit fake quantization, its activation ranges set to the
min/max over the training windows (calibrated, not trained further: what matters here is the
form the quantizers are exported in). Outputs testdata/qat/:
  after_div_b8_qcdq   QCDQ (QuantizeLinear/DequantizeLinear) with the attention scores'
                      quantizer after the division by sqrt(d): MatMul(Q, K^T) -> Div -> Q/DQ,
                      nothing between MatMul and Div (where many QAT codes put it)
  open_scores_b8_qcdq  QCDQ with no quantizer on the attention scores at all (MatMul -> Div ->
                      Softmax): the scale tfq cannot infer, for --calibration to fill in
  arith_b8            the same model with every fake quantization written as arithmetic, as
                      es-ude/elastic-ai.creator's QParams.quantize/dequantize compute it:
                      q = clamp(round(x / s + z), qmin, qmax), x' = (q - z) * s (Div, Add,
                      Round, Clip, Sub, Mul; weights symmetric, range [-127, 127])
  ref_n12_d16_m3.{inputs,targets,calibration}.npy   256 test windows, targets, 64 training windows
"""

import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_testdata as mt  # noqa: E402

OUT = os.path.join(HERE, "qat")
BITS = 8


def arith_fake_quant(x, s, z, qmin, qmax):
    """elastic-ai.creator's QParams: quantize (x / s + z, round, clamp) then dequantize ((q - z) * s)."""
    t = x / s
    q = torch.clamp(torch.round(t + z if z else t), qmin, qmax)
    return (q - z if z else q) * s


class ArithFQ(nn.Module):
    def __init__(self, fq):
        super().__init__()
        self.s, self.z = fq.qp
        self.qmin, self.qmax = -2 ** (fq.bits - 1), 2 ** (fq.bits - 1) - 1

    def forward(self, x):
        return arith_fake_quant(x, self.s, float(self.z), self.qmin, self.qmax)


class AfterDiv(mt.RefModel):
    """RefModel with the scores quantized after the scaling: fq(Q K^T / sqrt(d))."""

    def forward(self, x):
        x = self.fq_in(x)
        h = self.fq_pe(self.inp(x) + self.pe)
        q, k, v = self.q(h), self.k(h), self.v(h)
        s = self.fq_scores(torch.matmul(q, k.transpose(1, 2)) / math.sqrt(self.d))
        a = self.fq_softmax(torch.softmax(s, dim=-1))
        c = self.fq_ctx(torch.matmul(a, v))
        h = self.fq_res1(h + self.o(c))
        h = self.fq_bn1(self.bn1(h.transpose(1, 2)).transpose(1, 2))
        f = self.ff2(self.fq_relu(torch.relu(self.ff1(h))))
        h = self.fq_res2(h + f)
        h = self.fq_bn2(self.bn2(h.transpose(1, 2)).transpose(1, 2))
        p = self.fq_pool(h.mean(dim=1))
        return self.out(p)


class ArithLinear(nn.Module):
    """QLinear with its weight fake-quantized in arithmetic (symmetric, [-qmax, qmax]) in forward."""

    def __init__(self, ql, bits):
        super().__init__()
        self.weight, self.bias, self.oq = ql.weight, ql.bias, ql.oq
        self.qmax = 2 ** (bits - 1) - 1
        self.s = float(np.float32(ql.weight.detach().abs().max() / self.qmax))

    def forward(self, x):
        w = arith_fake_quant(self.weight, self.s, 0, -self.qmax, self.qmax)
        return self.oq(torch.nn.functional.linear(x, w, self.bias))


def float_weights(path):
    """ref_n12_d16_m3's state dict from its ONNX file (MatMul weights are stored transposed, in order)."""
    m = onnx.load(path)
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    sd = {k: v for k, v in init.items() if not k.startswith("onnx::")}
    mats = [k for k in init if k.startswith("onnx::MatMul_")]
    mats.sort(key=lambda k: int(k.rsplit("_", 1)[1]))
    for layer, k in zip(["inp", "q", "k", "v", "o", "ff1", "ff2"], mats):
        sd[layer + ".weight"] = init[k].t().contiguous()
    return sd


def export(model, name, x):
    path = os.path.join(OUT, name + ".onnx")
    model.eval()
    torch.onnx.export(model, (x[:1],), path, input_names=["input"], output_names=["output"], opset_version=13,
                      do_constant_folding=True, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      training=torch.onnx.TrainingMode.EVAL)
    om = onnx.load(path)
    onnx.checker.check_model(om)
    with torch.no_grad():
        y = model(x).numpy().reshape(-1)
    print(name, mt.op_counts(om), flush=True)
    return y


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    norm = json.load(open(os.path.join(mt.MODEL_DIR, "normalisation.json")))
    dates, raw = mt.load_hourly()
    ds = mt.Dataset(raw, 12, 3, norm, mt.split_blocks(dates))
    model = AfterDiv(12, 16, 3, bits=BITS)
    missing, unexpected = model.load_state_dict(float_weights(os.path.join(mt.MODEL_DIR, "ref_n12_d16_m3.onnx")), strict=False)
    assert not unexpected and all(k.endswith((".lo", ".hi")) for k in missing), (missing, unexpected)
    acts = [mod for mod in model.modules() if isinstance(mod, mt.ActFQ)]
    model.eval()
    for a in acts:
        a.observe = True
        a.train()
    with torch.no_grad():
        model(torch.from_numpy(ds.train[0]))
    for a in acts:
        a.freeze()
        a.eval()
    for ql in model.modules():
        if isinstance(ql, mt.QLinear):
            ql.wq.freeze(ql.weight)
    X = torch.from_numpy(ds.test[0][ds.test_pick])
    Y = ds.test[1][ds.test_pick][:, 0]
    np.save(os.path.join(OUT, "ref_n12_d16_m3.inputs.npy"), X.numpy())
    np.save(os.path.join(OUT, "ref_n12_d16_m3.targets.npy"), Y)
    np.save(os.path.join(OUT, "ref_n12_d16_m3.calibration.npy"), ds.train[0][ds.calib_pick[::4]])
    rm = lambda y: float(np.sqrt(np.mean((y - Y) ** 2)))

    y = export(model, "after_div_b8_qcdq", X)
    print("after_div_b8_qcdq: torch rmse %.5f" % rm(y))

    fq_scores, model.fq_scores = model.fq_scores, nn.Identity()
    export(model, "open_scores_b8_qcdq", X)
    model.fq_scores = fq_scores

    for parent in [model] + list(model.modules()):
        for nm, child in list(parent.named_children()):
            if isinstance(child, mt.ActFQ):
                setattr(parent, nm, ArithFQ(child))
    for nm in ["inp", "q", "k", "v", "o", "ff1", "ff2", "out"]:
        setattr(model, nm, ArithLinear(getattr(model, nm), BITS))
    y = export(model, "arith_b8", X)
    print("arith_b8: torch rmse %.5f" % rm(y))


if __name__ == "__main__":
    main()
