#!/usr/bin/python3
"""Tiny causal-attention and encoder-decoder models, written as Time-Series-Library writes them.

Run from the repository root with Debian's Python (torch, onnx, numpy):

    /usr/bin/python3 testdata/make_encdec_models.py

Outputs testdata/encdec/*.onnx and *.calibration.npy (random windows; untrained, seeded):
  causal_where  decoder self-attention masked as TSLib's FullAttention does it:
                scores.masked_fill_(torch.triu(ones, diagonal=1), -inf), then softmax(scale * scores)
                (exports as Where with a constant condition, then Mul, then Softmax)
  causal_add    the same mask as nn.Transformer's float mask (0 and -inf), added to the scores
  encdec        encoder (self-attention, LayerNorm, feed-forward) over 8 steps; decoder over the
                last 4 steps: causal self-attention, cross-attention (queries from the decoder,
                keys and values from the encoder output), LayerNorms, feed-forward; projection
                and dec_out[:, -pred_len:, :], as TSLib's Transformer (layers/Transformer_EncDec.py)
                but with Linear embeddings and Linear feed-forward (no Conv, no Concat)
"""

import math
import os

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "encdec")


class FullAttention(nn.Module):
    """TSLib's FullAttention with matmul for einsum; mask_flag builds TriangularCausalMask."""

    def __init__(self, mask_flag):
        super().__init__()
        self.mask_flag = mask_flag

    def forward(self, q, k, v):
        b, l, h, e = q.shape
        scale = 1.0 / math.sqrt(e)
        scores = q.permute(0, 2, 1, 3) @ k.permute(0, 2, 3, 1)
        if self.mask_flag:
            mask = torch.triu(torch.ones([b, 1, l, l], dtype=torch.bool), diagonal=1)
            scores.masked_fill_(mask, -np.inf)
        a = torch.softmax(scale * scores, dim=-1)
        return (a @ v.permute(0, 2, 1, 3)).permute(0, 2, 1, 3).contiguous()


class AttentionLayer(nn.Module):
    def __init__(self, d, heads, mask_flag):
        super().__init__()
        self.inner = FullAttention(mask_flag)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.h = heads

    def forward(self, queries, keys, values):
        b, l, _ = queries.shape
        _, s, _ = keys.shape
        q = self.q(queries).view(b, l, self.h, -1)
        k = self.k(keys).view(b, s, self.h, -1)
        v = self.v(values).view(b, s, self.h, -1)
        return self.o(self.inner(q, k, v).view(b, l, -1))


class CausalWhere(nn.Module):
    def __init__(self, n=6, d=8, heads=2):
        super().__init__()
        self.emb = nn.Linear(3, d)
        self.att = AttentionLayer(d, heads, True)
        self.out = nn.Linear(d, 1)

    def forward(self, x):
        h = self.emb(x)
        return self.out(h + self.att(h, h, h))


class CausalAdd(nn.Module):
    def __init__(self, n=6, d=8):
        super().__init__()
        self.emb = nn.Linear(3, d)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.out = nn.Linear(d, 1)
        self.register_buffer("mask", torch.triu(torch.full((n, n), float("-inf")), diagonal=1))
        self.scale = d ** -0.5

    def forward(self, x):
        h = self.emb(x)
        s = self.q(h) @ self.k(h).transpose(-2, -1) * self.scale + self.mask
        return self.out(torch.softmax(s, dim=-1) @ self.v(h))


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.att = AttentionLayer(d, heads, False)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)
        self.n1 = nn.LayerNorm(d)
        self.n2 = nn.LayerNorm(d)

    def forward(self, x):
        x = self.n1(x + self.att(x, x, x))
        return self.n2(x + self.ff2(torch.relu(self.ff1(x))))


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.self_att = AttentionLayer(d, heads, True)
        self.cross_att = AttentionLayer(d, heads, False)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)
        self.n1 = nn.LayerNorm(d)
        self.n2 = nn.LayerNorm(d)
        self.n3 = nn.LayerNorm(d)

    def forward(self, x, cross):
        x = self.n1(x + self.self_att(x, x, x))
        x = self.n2(x + self.cross_att(x, cross, cross))
        return self.n3(x + self.ff2(torch.relu(self.ff1(x))))


class EncDec(nn.Module):
    def __init__(self, seq=8, label=4, pred=2, c=3, d=8, heads=2, ff=16):
        super().__init__()
        self.label, self.pred = label, pred
        self.enc_emb = nn.Linear(c, d)
        self.dec_emb = nn.Linear(c, d)
        self.enc = EncoderLayer(d, heads, ff)
        self.enc_norm = nn.LayerNorm(d)
        self.dec = DecoderLayer(d, heads, ff)
        self.dec_norm = nn.LayerNorm(d)
        self.proj = nn.Linear(d, c)

    def forward(self, x):
        enc_out = self.enc_norm(self.enc(self.enc_emb(x)))
        dec = self.dec_emb(x[:, -self.label:, :])
        dec_out = self.proj(self.dec_norm(self.dec(dec, enc_out)))
        return dec_out[:, -self.pred:, :]


def export(name, model, shape, seed):
    torch.manual_seed(seed)
    model.eval()
    x = torch.randn(*shape)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x, path, input_names=["x"], output_names=["y"], opset_version=17)
    np.save(os.path.join(OUT, name + ".calibration.npy"), torch.randn(16, *shape[1:]).numpy().astype(np.float32))
    print(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1)
    export("causal_where", CausalWhere(), (1, 6, 3), 11)
    torch.manual_seed(2)
    export("causal_add", CausalAdd(), (1, 6, 3), 12)
    torch.manual_seed(3)
    export("encdec", EncDec(), (1, 8, 3), 13)


if __name__ == "__main__":
    main()
