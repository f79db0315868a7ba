#!/usr/bin/python3
"""Tiny PyTorch modules exporting the pooling and max/min reductions of forecasting code:
torch.amax/amin/max over dims (ReduceMax, ReduceMin), F.max_pool1d (MaxPool), nn.AvgPool1d
sliding with and without padding (AveragePool), Autoformer/FEDformer's series decomposition
(layers/Autoformer_EncDec.py moving_avg, written as its code does: replicate padding by
repeat + cat, then AvgPool1d(kernel, stride=1, padding=0)) and adaptive_max_pool1d(.., 1)
(GlobalMaxPool). Writes testdata/pooling/: NAME.onnx, NAME.calibration.npy (64 random
windows) and NAME.inputs.npy (8 more). Random (seeded) weights: these test that every stage
computes the same function, not forecasts.

Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx, python3-numpy).
"""
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pooling")


class MaxMin(nn.Module):
    """amax over time (keepdim), amin over features (keepdim), torch.max(dim).values (no keepdim), amin over two axes."""

    def __init__(self):
        super().__init__()
        self.a, self.head = nn.Linear(3, 4), nn.Linear(4 + 10 + 10 + 1, 2)

    def forward(self, x):                                   # [bs, 10, 3]
        h = self.a(x)                                       # [bs, 10, 4]
        m = h.amax(dim=1, keepdim=True)                     # [bs, 1, 4]
        n = h.amin(dim=2, keepdim=True)                     # [bs, 10, 1]
        v = torch.max(h, dim=-1).values                     # [bs, 10]
        w = h.amin(dim=(1, 2))                              # [bs]
        return self.head(torch.cat([m.flatten(1), n.flatten(1), v, w.unsqueeze(1)], dim=1))


class GlobalMax(nn.Module):
    """adaptive_max_pool1d(.., 1) over time; exported, then its MaxPool (kernel = the whole axis)
    written as the GlobalMaxPool other exporters write (see as_global_max_pool)."""

    def __init__(self):
        super().__init__()
        self.a, self.head = nn.Linear(3, 4), nn.Linear(4, 2)

    def forward(self, x):                                   # [bs, 12, 3]
        return self.head(F.adaptive_max_pool1d(self.a(x).transpose(1, 2), 1).flatten(1))


def as_global_max_pool(model):
    """Each MaxPool over a whole axis (no pads, one window) as GlobalMaxPool: the same function."""
    for n in model.graph.node:
        if n.op_type == "MaxPool":
            n.op_type = "GlobalMaxPool"
            del n.attribute[:]
    return model


class MaxPools(nn.Module):
    """F.max_pool1d sliding (kernel 3, stride 2, padding 1) and adaptive_max_pool1d(.., 1) (GlobalMaxPool)."""

    def __init__(self):
        super().__init__()
        self.a, self.head = nn.Linear(3, 4), nn.Linear(4 * 6 + 4, 2)

    def forward(self, x):                                   # [bs, 12, 3]
        h = self.a(x).transpose(1, 2)                       # [bs, 4, 12]
        p = F.max_pool1d(h, kernel_size=3, stride=2, padding=1)          # [bs, 4, 6]
        g = F.adaptive_max_pool1d(h, 1)                     # [bs, 4, 1]
        return self.head(torch.cat([p.flatten(1), g.flatten(1)], dim=1))


class AvgPools(nn.Module):
    """nn.AvgPool1d sliding: no padding (kernel 4, stride 2), zero padding counted (kernel 3, stride 1,
    padding 1), and padding not counted (count_include_pad=False: a divisor per position)."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.p1 = nn.AvgPool1d(4, stride=2)
        self.p2 = nn.AvgPool1d(3, stride=1, padding=1)
        self.p3 = nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False)
        self.head = nn.Linear(4 * (5 + 12 + 6), 2)

    def forward(self, x):                                   # [bs, 12, 3]
        h = self.a(x).transpose(1, 2)                       # [bs, 4, 12]
        return self.head(torch.cat([self.p1(h).flatten(1), self.p2(h).flatten(1), self.p3(h).flatten(1)], dim=1))


class moving_avg(nn.Module):
    """Time-Series-Library layers/Autoformer_EncDec.py moving_avg, as written there."""

    def __init__(self, kernel_size, stride):
        super(moving_avg, self).__init__()
        self.kernel_size = kernel_size
        self.avg = nn.AvgPool1d(kernel_size=kernel_size, stride=stride, padding=0)

    def forward(self, x):
        front = x[:, 0:1, :].repeat(1, (self.kernel_size - 1) // 2, 1)
        end = x[:, -1:, :].repeat(1, (self.kernel_size - 1) // 2, 1)
        x = torch.cat([front, x, end], dim=1)
        x = self.avg(x.permute(0, 2, 1))
        x = x.permute(0, 2, 1)
        return x


class SeriesDecomp(nn.Module):
    """series_decomp (moving_mean, res = x - moving_mean) on the input, a linear head on both parts."""

    def __init__(self, kernel_size=5):
        super().__init__()
        self.moving_avg = moving_avg(kernel_size, stride=1)
        self.season, self.trend = nn.Linear(3, 2), nn.Linear(3, 2)

    def forward(self, x):                                   # [bs, 12, 3]
        moving_mean = self.moving_avg(x)
        res = x - moving_mean
        return self.season(res) + self.trend(moving_mean)


MODELS = [
    ("pl_max_min", MaxMin, (10, 3)),
    ("pl_max_pools", MaxPools, (12, 3)),
    ("pl_avg_pools", AvgPools, (12, 3)),
    ("pl_series_decomp", SeriesDecomp, (12, 3)),
    ("pl_global_max_pool", GlobalMax, (12, 3)),
]

PATCHES = {"pl_global_max_pool": as_global_max_pool}


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, cls, shape) in enumerate(MODELS):
        torch.manual_seed(300 + i)
        model = cls().eval()
        rng = np.random.default_rng(400 + i)
        cal = rng.normal(size=(64,) + shape).astype(np.float32)
        inputs = rng.normal(size=(8,) + shape).astype(np.float32)
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(model, (torch.from_numpy(inputs[:1]),), path, input_names=["input"], output_names=["output"],
                          opset_version=17, do_constant_folding=True, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          training=torch.onnx.TrainingMode.EVAL)
        if name in PATCHES:
            onnx.save(PATCHES[name](onnx.load(path)), path)
        onnx.checker.check_model(onnx.load(path), full_check=True)
        np.save(os.path.join(OUT, name + ".calibration.npy"), cal)
        np.save(os.path.join(OUT, name + ".inputs.npy"), inputs)
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(name, os.path.getsize(path), "bytes:", " ".join(ops))


if __name__ == "__main__":
    main()
