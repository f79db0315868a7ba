"""Tiny PyTorch exports of the import idioms tfq rewrites into its IR ops (testdata/idioms/).

Run with Debian's /usr/bin/python3 (torch, onnx, numpy) from the repository root:
    /usr/bin/python3 testdata/make_idiom_models.py
unsupported_mix.onnx holds several constructs tfq refuses (for the error listing). Each model
reads x [1, 6, 8] (batch axis 0, static) and writes NAME.onnx, NAME.inputs.npy
(4 samples stacked on the batch axis) and NAME.expected.npy: the result computed outside the
model, by numpy.einsum on the operands for the einsum models (so the test checks tfq's
equation planner against numpy, not against itself), else by torch.
"""
import os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "idioms")
T, FEAT = 6, 8

# equation, operand shapes (the second None: a constant of that shape), opset
EINSUMS = {
    "einsum_qk": ("bhqd,bhkd->bhqk", (1, 2, 3, 5), (1, 2, 4, 5), 13),
    "einsum_av": ("bhqk,bhkd->bhqd", (1, 2, 3, 4), (1, 2, 4, 5), 17),
    "einsum_tt4ts_scores": ("blhe,bshe->bhls", (1, 6, 2, 4), (1, 6, 2, 4), 17),
    "einsum_tt4ts_context": ("bhls,bshd->blhd", (1, 2, 6, 6), (1, 6, 2, 4), 17),
    "einsum_nd_md": ("nd,md->nm", (3, 5), (4, 5), 13),
    "einsum_implicit": ("ij,jk", (3, 5), (5, 4), 13),
    "einsum_ellipsis": ("...ij,...kj->...ik", (1, 2, 3, 5), (1, 2, 4, 5), 17),
    "einsum_two_contracted": ("bxyd,bzyd->bzx", (1, 3, 2, 5), (1, 4, 2, 5), 17),
    "einsum_const_linear": ("bnd,de->bne", (1, 6, 8), ("const", (8, 3)), 13),
    "einsum_const_first": ("ed,bnd->ebn", ("const", (3, 8)), (1, 6, 8), 17),
}


class EinsumModel(nn.Module):
    def __init__(self, eq, sa, sb):
        super().__init__()
        self.eq = eq
        self.shapes = []
        self.proj = nn.ModuleList()
        self.consts = nn.ParameterList()
        for s in (sa, sb):
            if s[0] == "const":
                self.consts.append(nn.Parameter(torch.randn(*s[1])))
                self.shapes.append(None)
            else:
                self.proj.append(nn.Linear(FEAT, int(np.prod(s))))
                self.shapes.append(s)

    def operands(self, x):
        ops, p, c = [], 0, 0
        for s in self.shapes:
            if s is None:
                ops.append(self.consts[c])
                c += 1
            else:
                ops.append(self.proj[p](x[:, 0]).reshape(s))
                p += 1
        return ops

    def forward(self, x):
        a, b = self.operands(x)
        return torch.einsum(self.eq, a, b).reshape(1, -1)


class GlobalAveragePool(nn.Module):
    """TinyTransformer4TS's pooling: AdaptiveAvgPool1d(1) over time on [B, d, T], then squeeze."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(FEAT, 5)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.out = nn.Linear(5, 2)

    def forward(self, x):
        h = self.inp(x)
        return self.out(self.pool(h.permute(0, 2, 1)).squeeze(2))


class Reductions(nn.Module):
    """ReduceSum over time (no keepdims), ReduceMean over two axes, ReduceSum keepdims."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(FEAT, 4)

    def forward(self, x):
        h = self.inp(x)
        s = h.sum(dim=1)
        m = h.mean(dim=(1, 2), keepdim=True).reshape(1, 1)
        k = h.sum(dim=-1, keepdim=True).reshape(1, T)
        return s.sum(dim=1, keepdim=True) + m + k.mean(dim=1, keepdim=True)


class AveragePools(nn.Module):
    """AvgPool1d over the whole window; with padding counted; after a zero F.pad."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(FEAT, 4)
        self.whole = nn.AvgPool1d(T)
        self.padded = nn.AvgPool1d(T + 2, padding=1, count_include_pad=True)
        self.after_pad = nn.AvgPool1d(T + 3)

    def forward(self, x):
        h = self.inp(x).permute(0, 2, 1)
        a = self.whole(h)
        b = self.padded(h)
        c = self.after_pad(F.pad(h, (1, 2)))
        return (a + b + c).reshape(1, -1)


class SoftmaxWrittenOut(nn.Module):
    """Attention whose softmax is written out, with and without subtracting the maximum."""

    def __init__(self, shift):
        super().__init__()
        self.shift = shift
        self.q = nn.Linear(FEAT, 4)
        self.k = nn.Linear(FEAT, 4)

    def forward(self, x):
        s = self.q(x) @ self.k(x).transpose(1, 2)
        if self.shift:
            s = s - s.amax(dim=-1, keepdim=True)
        e = torch.exp(s)
        return e / e.sum(dim=-1, keepdim=True)


class BatchNormWrittenOut(nn.Module):
    """(x - mean) / sqrt(var + eps) * g + b with constant per-feature buffers, then x * scale + shift."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(FEAT, 4)
        for name in ("mean", "g", "b", "scale", "shift"):
            self.register_buffer(name, torch.randn(4))
        self.register_buffer("var", torch.rand(4) + 0.5)

    def forward(self, x):
        h = self.inp(x)
        h = h + torch.relu(h)
        h = (h - self.mean) / torch.sqrt(self.var + 1e-5) * self.g + self.b
        return torch.relu(h) * self.scale + self.shift


class Unsupported(nn.Module):
    """Several constructs tfq refuses, one downstream of another: every one must be listed."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(FEAT, 4)

    def forward(self, x):
        h = self.inp(x)
        three = torch.einsum("bti,bti,bti->bt", h, h, h)  # three operands
        wave = torch.sin(three)  # downstream of the einsum, and refused on its own
        low = torch.floor(h).sum(dim=-1)  # Floor
        return torch.cumsum(wave + low, dim=1)  # CumSum


def export(name, model, opset, expected=None, samples=True):
    torch.manual_seed(1)
    model.eval()
    x = torch.randn(1, T, FEAT)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["x"], output_names=["y"])
    if not samples:
        return
    xs = np.random.default_rng(2).standard_normal((4, T, FEAT)).astype(np.float32)
    with torch.no_grad():
        if expected is None:
            ys = np.concatenate([model(torch.from_numpy(xs[i:i + 1])).numpy() for i in range(4)])
        else:
            ys = np.concatenate([expected(torch.from_numpy(xs[i:i + 1])) for i in range(4)])
    np.save(os.path.join(OUT, name + ".inputs.npy"), xs)
    np.save(os.path.join(OUT, name + ".expected.npy"), ys.astype(np.float32))


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (eq, sa, sb, opset) in EINSUMS.items():
        torch.manual_seed(0)
        m = EinsumModel(eq, sa, sb)

        def by_numpy(x, m=m, eq=eq):
            a, b = (t.numpy().astype(np.float64) for t in m.operands(x))
            return np.einsum(eq, a, b).reshape(1, -1)

        export(name, m, opset, by_numpy)
    torch.manual_seed(0)
    export("global_average_pool", GlobalAveragePool(), 17)
    export("reduce_sum_mean", Reductions(), 13)
    export("average_pool", AveragePools(), 17)
    export("softmax_written_out", SoftmaxWrittenOut(True), 13)
    export("softmax_written_out_no_max", SoftmaxWrittenOut(False), 17)
    export("batchnorm_written_out", BatchNormWrittenOut(), 13)
    export("unsupported_mix", Unsupported(), 17, samples=False)


if __name__ == "__main__":
    main()
