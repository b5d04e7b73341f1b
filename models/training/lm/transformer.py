"""A small pre-norm Transformer whose attention reads and extends a fixed-capacity KV cache.

The same module trains (empty cache, full causal sequence) and exports to ONNX for step-by-step
generation in the engine:

    x [B, T, D], cache_k/cache_v [L, B, H, C, Dh], cache_len [] (int64)
        -> y [B, T, D], new_k/new_v [L, B, H, T, Dh]

Cache slots j < cache_len are valid; the engine writes new_k/new_v into its own buffer at
cache_len, so nothing of the cache is re-allocated per step. Positions are cache_len + t.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class TransformerConfig:
    d_model: int = 256
    n_layer: int = 4
    n_head: int = 4
    context: int = 512  # the most positions one window holds
    dropout: float = 0.0
    causal: bool = True

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_head


class CachedSelfAttention(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.out = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(self, x, cache_k, cache_v, cache_len):
        b, t, _ = x.shape
        h, dh = self.cfg.n_head, self.cfg.head_dim
        q, k, v = self.qkv(x).split(self.cfg.d_model, dim=2)
        q = q.view(b, t, h, dh).transpose(1, 2)  # (B, H, T, Dh)
        k = k.view(b, t, h, dh).transpose(1, 2)
        v = v.view(b, t, h, dh).transpose(1, 2)
        rows = torch.arange(t, device=x.device)
        if self.cfg.causal:
            allowed = rows[:, None] >= rows[None, :]  # (T, T)
        else:
            allowed = None
        if cache_k is not None:
            keys = torch.cat([cache_k, k], dim=2)  # (B, H, C+T, Dh)
            values = torch.cat([cache_v, v], dim=2)
            capacity = cache_k.shape[2]
            cache_ok = (torch.arange(capacity, device=x.device) < cache_len)[None, :].expand(t, capacity)
            new_ok = allowed if allowed is not None else torch.ones(t, t, dtype=torch.bool, device=x.device)
            allowed = torch.cat([cache_ok, new_ok], dim=1)  # (T, C+T)
        else:
            keys, values = k, v
        scores = (q @ keys.transpose(-2, -1)) / math.sqrt(dh)  # (B, H, T, C+T)
        if allowed is not None:
            scores = scores.masked_fill(~allowed, float("-inf"))
        y = F.softmax(scores, dim=-1) @ values  # (B, H, T, Dh)
        y = y.transpose(1, 2).reshape(b, t, self.cfg.d_model)
        return self.out(y), k, v


class Block(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.d_model)
        self.attn = CachedSelfAttention(cfg)
        self.norm2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(), nn.Linear(4 * cfg.d_model, cfg.d_model))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, cache_k, cache_v, cache_len):
        a, k, v = self.attn(self.norm1(x), cache_k, cache_v, cache_len)
        x = x + self.drop(a)
        x = x + self.drop(self.mlp(self.norm2(x)))
        return x, k, v


class Transformer(nn.Module):
    """Positions + blocks + final norm; the embedding of tokens and the heads belong to each LM."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        self.position = nn.Embedding(cfg.context, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.norm = nn.LayerNorm(cfg.d_model)

    def empty_cache(self, batch: int, device=None):
        """A cache of capacity 0; pass None for all three to run without a cache (non-causal models)."""
        shape = (self.cfg.n_layer, batch, self.cfg.n_head, 0, self.cfg.head_dim)
        return torch.zeros(shape, device=device), torch.zeros(shape, device=device), torch.zeros((), dtype=torch.long, device=device)

    def forward(self, x, cache_k, cache_v, cache_len):
        t = x.shape[1]
        positions = torch.arange(t, device=x.device)
        if cache_len is not None:
            positions = positions + cache_len
        x = x + self.position(positions)[None]
        new_k, new_v = [], []
        for i, block in enumerate(self.blocks):
            x, k, v = block(x, None if cache_k is None else cache_k[i], None if cache_v is None else cache_v[i], cache_len)
            new_k.append(k)
            new_v.append(v)
        return self.norm(x), torch.stack(new_k), torch.stack(new_v)
