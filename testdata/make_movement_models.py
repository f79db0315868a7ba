#!/usr/bin/python3
"""Tiny PyTorch modules exporting the data-movement ONNX patterns of the public forecasting code
(Time-Series-Library's circular Conv1d token embedding, PatchTST's ReplicationPad1d and patching
written as a stack of slices, iTransformer's kernel-1 Conv1d feed-forward and .repeat), plus
Concat/Split, Pad modes, strided Slice, Gather, Tile and Expand. Writes testdata/movement/:
NAME.onnx, NAME.calibration.npy (64 random windows) and NAME.inputs.npy (8 more). The weights
are random (seeded): these test that every stage computes the same function, not forecasts.

Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx, python3-numpy).
"""
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "movement")


class TslibToken(nn.Module):
    """layers/Embed.py TokenEmbedding: Conv1d(k=3, padding=1, circular, no bias) on x.permute(0, 2, 1)."""

    def __init__(self, c_in=3, d_model=8):
        super().__init__()
        self.tokenConv = nn.Conv1d(c_in, d_model, kernel_size=3, padding=1, padding_mode="circular", bias=False)
        self.head = nn.Linear(d_model, 1)

    def forward(self, x):
        x = self.tokenConv(x.permute(0, 2, 1)).transpose(1, 2)
        return self.head(torch.relu(x))


class PatchTstPatching(nn.Module):
    """PatchTST_backbone.py: ReplicationPad1d((0, stride)) at the end, patches as a stack of slices
    (x.unfold does not export), W_P, reshape to [bs * nvars, patch_num, d]."""

    def __init__(self, seq_len=16, patch_len=8, stride=4, d_model=6):
        super().__init__()
        self.patch_len, self.stride = patch_len, stride
        self.patch_num = (seq_len - patch_len) // stride + 2
        self.pad = nn.ReplicationPad1d((0, stride))
        self.W_P = nn.Linear(patch_len, d_model)
        self.mix = nn.Linear(d_model, 3)
        self.head = nn.Linear(3 * self.patch_num, 4)

    def forward(self, x):                                   # [bs, seq_len, nvars]
        z = x.permute(0, 2, 1)                              # [bs, nvars, seq_len]
        z = self.pad(z)
        z = torch.stack([z[..., i * self.stride:i * self.stride + self.patch_len] for i in range(self.patch_num)], dim=-2)
        z = z.permute(0, 1, 3, 2)                           # [bs, nvars, patch_len, patch_num]
        n_vars = z.shape[1]
        z = z.permute(0, 1, 3, 2)                           # TSTiEncoder: back to [.., patch_num, patch_len]
        u = self.W_P(z)
        u = torch.reshape(u, (u.shape[0] * u.shape[1], u.shape[2], u.shape[3]))
        u = torch.relu(self.mix(u))                         # [bs * nvars, patch_num, 3]
        u = torch.reshape(u, (-1, n_vars, u.shape[-2] * u.shape[-1]))
        return self.head(u)                                 # [bs, nvars, 4]


class ConcatSplit(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(3, 4), nn.Linear(3, 2), nn.Linear(6, 6)
        self.head = nn.Linear(6, 1)

    def forward(self, x):                                   # [bs, 8, 3]
        y = torch.cat([self.a(x), self.b(x)], dim=-1)       # two producers, two quantizations
        z = torch.cat([y, self.c(y)], dim=1)                # [bs, 16, 6]
        first, rest = torch.split(z, [5, 11], dim=1)
        return self.head(rest)


class PadModes(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.head = nn.Linear(3, 4), nn.Linear(4, 1)

    def forward(self, x):                                   # [bs, 10, 3]
        h = self.a(x).permute(0, 2, 1)                      # [bs, 4, 10]
        h = F.pad(h, (1, 2), mode="constant", value=0.5)
        h = F.pad(h, (2, 1), mode="reflect")
        h = F.pad(h, (1, 1), mode="replicate")
        h = F.pad(h, (2, 0), mode="circular")
        return self.head(h.permute(0, 2, 1))                # [bs, 19, 1]


class IndexTile(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.head = nn.Linear(4, 4), nn.Linear(8, 2)

    def forward(self, x):                                   # [bs, 8, 4]
        h = self.a(x)
        t = torch.cat([h[:, ::2, :], h[:, [0, 2, 3, 7], :], h[:, [1, 3, 5, 7], :], h[:, 1:8:3, :]], dim=1)  # [bs, 15, 4]
        r = h[:, :1, :].repeat(1, 15, 1)                    # iTransformer's .repeat of an axis of size 1
        e = h[:, -1:, :].expand(-1, 15, -1)
        u = t + r + e
        return self.head(u.repeat(1, 1, 2))                 # Tile of an axis longer than 1


class ConvForms(nn.Module):
    """Conv1d with stride, dilation, zero padding and bias on a channels-first tensor; iTransformer's
    kernel-1 feed-forward (conv1 -> relu -> conv2 on y.transpose(-1, 1))."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(12, 12)
        self.conv = nn.Conv1d(3, 5, kernel_size=3, stride=2, dilation=2, padding=2)
        self.conv1 = nn.Conv1d(5, 6, kernel_size=1)
        self.conv2 = nn.Conv1d(6, 5, kernel_size=1)
        self.head = nn.Linear(5, 2)

    def forward(self, x):                                   # [bs, 12, 3]
        h = self.a(x.permute(0, 2, 1))                      # [bs, 3, 12], stored channels-first
        h = self.conv(h).transpose(-1, 1)                   # [bs, 6, 5]
        y = torch.relu(self.conv1(h.transpose(-1, 1)))
        y = self.conv2(y).transpose(-1, 1)
        return self.head(h + y)


class DecoderInput(nn.Module):
    """Time-Series-Library's decoder input: the last label_len steps, then zeros for the horizon."""

    def __init__(self):
        super().__init__()
        self.a, self.head = nn.Linear(3, 4), nn.Linear(4, 1)

    def forward(self, x):                                   # [bs, 12, 3]
        zeros = torch.zeros(x.shape[0], 3, x.shape[2])
        dec = torch.cat([x[:, -4:, :], zeros], dim=1)       # [bs, 7, 3]
        return self.head(self.a(dec))


MODELS = [
    ("mv_tslib_token", TslibToken, (12, 3)),
    ("mv_patchtst", PatchTstPatching, (16, 2)),
    ("mv_concat_split", ConcatSplit, (8, 3)),
    ("mv_pad_modes", PadModes, (10, 3)),
    ("mv_index_tile", IndexTile, (8, 4)),
    ("mv_conv_forms", ConvForms, (12, 3)),
    ("mv_decoder_input", DecoderInput, (12, 3)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, cls, shape) in enumerate(MODELS):
        torch.manual_seed(100 + i)
        model = cls().eval()
        rng = np.random.default_rng(200 + i)
        cal = rng.normal(size=(64,) + shape).astype(np.float32)
        inputs = rng.normal(size=(8,) + shape).astype(np.float32)
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(model, (torch.from_numpy(inputs[:1]),), path, input_names=["input"], output_names=["output"],
                          opset_version=17, do_constant_folding=True, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          training=torch.onnx.TrainingMode.EVAL)
        onnx.checker.check_model(onnx.load(path), full_check=True)
        np.save(os.path.join(OUT, name + ".calibration.npy"), cal)
        np.save(os.path.join(OUT, name + ".inputs.npy"), inputs)
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(name, os.path.getsize(path), "bytes:", " ".join(ops))


if __name__ == "__main__":
    main()
