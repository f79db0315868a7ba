#!/usr/bin/python3
"""Tiny models with per-window normalization, for tfq's arithmetic between activations.

Run from the repository root with Debian's Python (torch, onnx, numpy):

    /usr/bin/python3 testdata/make_arith_models.py

Two forecasters over windows of the Seattle hourly normals (pressure, temperature, wind;
24 hours in, the next 4 out), each a small linear map over time between a normalization of
each window and its inverse, written the way the public code writes them:
  - arith_revin:  RevIN (PatchTST's layers/RevIN.py: mean, sqrt(var + eps), x - mean, / stdev,
                  learnable affine; the inverse: - bias, / (weight + eps^2), * stdev, + mean).
  - arith_nst:    the Non-stationary Transformer normalization of Time-Series-Library's
                  iTransformer.forecast (x.mean(1), x - means, sqrt(var + 1e-5), x /= stdev;
                  dec * stdev[:, 0, :].unsqueeze(1) + means[:, 0, :].unsqueeze(1), broadcast
                  instead of .repeat(1, pred_len, 1), which exports as Tile).
Writes testdata/arith/<name>.onnx and, shared by both, arith.calibration.npy (128 training
windows), arith.inputs.npy and arith.targets.npy (32 test windows; every fourth week is test).
Deterministic: fixed seeds, one thread.
"""

import csv
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "arith")
L, P, C = 24, 4, 3


def series():
    rows = []
    with open(os.path.join(HERE, "data", "seattle-weather-hourly-normals.csv")) as f:
        for r in csv.DictReader(f):
            rows.append([float(r["pressure"]), float(r["temperature"]), float(r["wind"])])
    x = np.array(rows, dtype=np.float32)
    return (x - x.mean(0)) / x.std(0)


def windows(x, starts):
    xs = np.stack([x[s:s + L] for s in starts])
    ys = np.stack([x[s + L:s + L + P] for s in starts])
    return xs.astype(np.float32), ys.astype(np.float32)


class RevIN(nn.Module):
    """As PatchTST's layers/RevIN.py (affine, subtract_last=False)."""

    def __init__(self, n, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.affine_weight = nn.Parameter(torch.ones(n))
        self.affine_bias = nn.Parameter(torch.zeros(n))

    def norm(self, x):
        self.mean = torch.mean(x, dim=(1,), keepdim=True).detach()
        self.stdev = torch.sqrt(torch.var(x, dim=(1,), keepdim=True, unbiased=False) + self.eps).detach()
        x = x - self.mean
        x = x / self.stdev
        return x * self.affine_weight + self.affine_bias

    def denorm(self, x):
        x = x - self.affine_bias
        x = x / (self.affine_weight + self.eps * self.eps)
        x = x * self.stdev
        return x + self.mean


class RevinLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.revin = RevIN(C)
        self.head = nn.Linear(L, P)

    def forward(self, x):  # [B, L, C]
        z = self.revin.norm(x).permute(0, 2, 1)
        y = self.head(z).permute(0, 2, 1)
        return self.revin.denorm(y)


class NstLinear(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.embed = nn.Linear(L, d)
        self.proj = nn.Linear(d, P)

    def forward(self, x_enc):  # [B, L, C]
        means = x_enc.mean(1, keepdim=True).detach()
        x_enc = x_enc - means
        stdev = torch.sqrt(torch.var(x_enc, dim=1, keepdim=True, unbiased=False) + 1e-5)
        x_enc = x_enc / stdev
        enc = torch.relu(self.embed(x_enc.permute(0, 2, 1)))
        dec = self.proj(enc).permute(0, 2, 1)
        dec = dec * stdev[:, 0, :].unsqueeze(1)
        return dec + means[:, 0, :].unsqueeze(1)


def train(model, xs, ys, steps=400):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    X, Y = torch.from_numpy(xs), torch.from_numpy(ys)
    for _ in range(steps):
        idx = torch.randint(0, len(X), (64,))
        loss = ((model(X[idx]) - Y[idx]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def main():
    os.makedirs(OUT, exist_ok=True)
    x = series()
    rng = np.random.default_rng(0)
    # blocked split over the whole year: every fourth week (and the windows reaching into it) is test
    starts = np.arange(len(x) - L - P)
    week = lambda t: (t // (24 * 7)) % 4
    is_test = (week(starts) == 3) | (week(starts + L + P - 1) == 3)
    train_starts, test_starts = starts[~is_test], starts[week(starts) == 3]
    train_x, train_y = windows(x, rng.choice(train_starts, 2000))
    cal_x, _ = windows(x, rng.choice(train_starts, 128))
    test_x, test_y = windows(x, rng.choice(test_starts[week(test_starts + L + P - 1) == 3], 32))
    for name, model in (("arith_revin", RevinLinear()), ("arith_nst", NstLinear())):
        train(model, train_x, train_y)
        with torch.no_grad():
            rmse = float(((model(torch.from_numpy(test_x)) - torch.from_numpy(test_y)) ** 2).mean().sqrt())
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(model, torch.from_numpy(test_x[:1]), path, input_names=["x"], output_names=["y"],
                          opset_version=17, dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        print(name, "test rmse", round(rmse, 4))
    np.save(os.path.join(OUT, "arith.calibration.npy"), cal_x)
    np.save(os.path.join(OUT, "arith.inputs.npy"), test_x)
    np.save(os.path.join(OUT, "arith.targets.npy"), test_y)


if __name__ == "__main__":
    main()
