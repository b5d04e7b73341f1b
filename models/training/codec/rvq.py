"""Residual vector quantiser with EMA codebooks, k-means init, dead-code restarts and quantiser dropout.

Shapes: latents [B, D, F] -> codes [B, Q, F] (int64) -> latents [B, D, F].
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class EmaCodebook(nn.Module):
    def __init__(self, size: int, dim: int, decay: float = 0.99, dead_threshold: float = 1.0):
        super().__init__()
        self.size, self.dim, self.decay, self.dead_threshold = size, dim, decay, dead_threshold
        self.register_buffer("embedding", torch.randn(size, dim) * 0.01)
        self.register_buffer("cluster_size", torch.ones(size))
        self.register_buffer("embedding_sum", self.embedding.clone())
        self.register_buffer("initialised", torch.tensor(False))

    def nearest(self, x: torch.Tensor) -> torch.Tensor:
        """x [N, D] -> code indices [N]."""
        distances = (x.pow(2).sum(1, keepdim=True) - 2 * x @ self.embedding.t()
                     + self.embedding.pow(2).sum(1)[None, :])
        return distances.argmin(dim=1)

    def lookup(self, codes: torch.Tensor) -> torch.Tensor:
        return F.embedding(codes, self.embedding)

    @torch.no_grad()
    def kmeans_init(self, x: torch.Tensor, iterations: int = 10) -> None:
        picks = x[torch.randint(0, x.shape[0], (self.size,), device=x.device)]
        for _ in range(iterations):
            assign = ((x[:, None, :] - picks[None]) ** 2).sum(-1).argmin(1) if x.shape[0] * self.size < 2e7 \
                else torch.cdist(x, picks).argmin(1)
            counts = torch.bincount(assign, minlength=self.size).float()
            sums = torch.zeros_like(picks).index_add_(0, assign, x)
            filled = counts > 0
            picks[filled] = sums[filled] / counts[filled, None]
        self.embedding.copy_(picks)
        self.embedding_sum.copy_(picks)
        self.cluster_size.fill_(1.0)
        self.initialised.fill_(True)

    @torch.no_grad()
    def update(self, x: torch.Tensor, codes: torch.Tensor) -> int:
        """EMA update; codes used less than the threshold are restarted on random batch vectors."""
        onehot_counts = torch.bincount(codes, minlength=self.size).float()
        sums = torch.zeros_like(self.embedding).index_add_(0, codes, x)
        self.cluster_size.mul_(self.decay).add_(onehot_counts, alpha=1 - self.decay)
        self.embedding_sum.mul_(self.decay).add_(sums, alpha=1 - self.decay)
        n = self.cluster_size.sum()
        smoothed = (self.cluster_size + 1e-5) / (n + self.size * 1e-5) * n
        self.embedding.copy_(self.embedding_sum / smoothed[:, None])
        dead = self.cluster_size < self.dead_threshold
        n_dead = int(dead.sum())
        if n_dead:
            fresh = x[torch.randint(0, x.shape[0], (n_dead,), device=x.device)]
            self.embedding[dead] = fresh
            self.embedding_sum[dead] = fresh
            self.cluster_size[dead] = 1.0
        return n_dead


class ResidualVectorQuantizer(nn.Module):
    def __init__(self, levels: int, size: int, dim: int):
        super().__init__()
        self.levels = levels
        self.codebooks = nn.ModuleList(EmaCodebook(size, dim) for _ in range(levels))
        self.frozen_levels = 0  # codebooks below this level keep their codes (see Codec.freeze_tokens)

    def forward(self, latents: torch.Tensor, active_levels: int | None = None):
        """latents [B, D, F] -> (quantised [B, D, F] with straight-through grads, codes [B, Q, F], commit loss)."""
        b, d, f = latents.shape
        x = latents.permute(0, 2, 1).reshape(-1, d)
        residual = x
        quantised = torch.zeros_like(x)
        codes, commit = [], x.new_zeros(())
        n_levels = active_levels or self.levels
        for level, book in enumerate(self.codebooks[:n_levels]):
            target = residual.detach()
            learning = self.training and level >= self.frozen_levels
            if learning and not bool(book.initialised):
                book.kmeans_init(target)
            idx = book.nearest(target)
            chosen = book.lookup(idx)
            if learning:
                book.update(target, idx)
            commit = commit + F.mse_loss(residual, chosen.detach())
            quantised = quantised + chosen
            residual = residual - chosen.detach()
            codes.append(idx.view(b, f))
        out = x + (quantised - x).detach()
        return out.view(b, f, d).permute(0, 2, 1), torch.stack(codes, 1), commit / n_levels

    def encode(self, latents: torch.Tensor) -> torch.Tensor:
        b, d, f = latents.shape
        residual = latents.permute(0, 2, 1).reshape(-1, d)
        codes = []
        for book in self.codebooks:
            idx = book.nearest(residual)
            residual = residual - book.lookup(idx)
            codes.append(idx.view(b, f))
        return torch.stack(codes, 1)

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """codes [B, Q', F] (Q' <= levels) -> latents [B, D, F]."""
        total = None
        for level in range(codes.shape[1]):
            part = self.codebooks[level].lookup(codes[:, level])
            total = part if total is None else total + part
        return total.permute(0, 2, 1)
