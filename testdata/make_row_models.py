#!/usr/bin/python3
"""Tiny models whose softmax and LayerNorm rows are 1, 2 and 3 elements long.

Run from the repository root with Debian's Python (torch, onnx, numpy):

    /usr/bin/python3 testdata/make_row_models.py

Outputs testdata/rows/rows_L{1,2,3}.onnx and .calibration.npy. Rows this short are what
iTransformer over one variate gives (every attention row has one element); they exercise the
engine's row pipelines where a row ends before the previous phase has settled. Untrained (the
tests check bit-exactness against the golden model, not accuracy); seeded, deterministic.
"""

import os

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "rows")


class Rows(nn.Module):
    """x [1, L, 3] -> Linear -> LayerNorm over L features -> attention whose rows have L scores."""

    def __init__(self, length):
        super().__init__()
        self.inp = nn.Linear(3, length)
        self.norm = nn.LayerNorm(length)
        self.q = nn.Linear(length, length)
        self.k = nn.Linear(length, length)
        self.out = nn.Linear(length, 1)
        self.scale = length ** -0.5

    def forward(self, x):
        h = self.norm(self.inp(x))
        s = torch.softmax(self.q(h) @ self.k(h).transpose(-2, -1) * self.scale, dim=-1)
        return self.out(s @ h)


def main():
    os.makedirs(OUT, exist_ok=True)
    for length in (1, 2, 3):
        torch.manual_seed(100 + length)
        m = Rows(length).eval()
        x = torch.randn(1, length, 3)
        path = os.path.join(OUT, "rows_L%d.onnx" % length)
        torch.onnx.export(m, x, path, input_names=["x"], output_names=["y"], opset_version=13)
        np.save(os.path.join(OUT, "rows_L%d.calibration.npy" % length),
                torch.randn(16, length, 3).numpy().astype(np.float32))
        print(path)


if __name__ == "__main__":
    main()
