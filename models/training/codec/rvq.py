"""Residual vector quantiser with EMA codebooks, k-means init, dead-code restarts and quantiser dropout.

Shapes: latents [B, D, F] -> codes [B, Q, F] (int64) -> latents [B, D, F].
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class EmaCodebook(nn.Module):
    def __init__(self, size: int, dim: int, decay: float = 0.99, dead_fraction: float = 0.02):
        super().__init__()
        self.size, self.dim, self.decay, self.dead_fraction = size, dim, decay, dead_fraction
        self.register_buffer("embedding", torch.randn(size, dim) * 0.01)
        self.register_buffer("cluster_size", torch.ones(size))
        self.register_buffer("embedding_sum", self.embedding.clone())
        self.register_buffer("initialised", torch.tensor(False))

    def nearest(self, x: torch.Tensor) -> torch.Tensor:
        """x [N, D] -> code indices [N]."""
        return self.distances(x, self.embedding).argmin(dim=1)

    def lookup(self, codes: torch.Tensor) -> torch.Tensor:
        return F.embedding(codes, self.embedding)

    @torch.no_grad()
    def kmeans_init(self, x: torch.Tensor, iterations: int = 10) -> torch.Tensor:
        """Lloyd's k-means on x [N, D]; a cluster left empty takes the point worst served, so every
        code ends up in use. Returns each point's code. `cluster_size` keeps each code's share of the
        points, scaled to a mean of 1."""
        centres = x[torch.randperm(x.shape[0], device=x.device)[: self.size]].clone()
        if centres.shape[0] < self.size:  # fewer points than codes: repeat some, the empties get refilled
            centres = centres[torch.arange(self.size, device=x.device) % centres.shape[0]]
        for _ in range(iterations):
            distances = self.distances(x, centres)
            assign = distances.argmin(1)
            counts = torch.bincount(assign, minlength=self.size).float()
            sums = torch.zeros_like(centres).index_add_(0, assign, x)
            filled = counts > 0
            centres[filled] = sums[filled] / counts[filled, None]
            empty = (~filled).nonzero().flatten()[: x.shape[0]]
            if len(empty):
                served = distances.gather(1, assign[:, None])[:, 0]
                centres[empty] = x[served.topk(len(empty)).indices]
        assign = self.distances(x, centres).argmin(1)
        counts = torch.bincount(assign, minlength=self.size).float().clamp(min=1)
        self.embedding.copy_(centres)
        self.cluster_size.copy_(counts / counts.mean())
        self.embedding_sum.copy_(centres * self.cluster_size[:, None])
        self.initialised.fill_(True)
        return assign

    @staticmethod
    def distances(x: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
        return x.pow(2).sum(1, keepdim=True) - 2 * x @ centres.t() + centres.pow(2).sum(1)[None, :]

    @torch.no_grad()
    def update(self, x: torch.Tensor, codes: torch.Tensor) -> int:
        """EMA update; codes used far less than the average code are restarted on random batch vectors.

        `cluster_size` is an EMA of each code's uses per step, so an average code sits at
        N / size for a batch of N vectors: 0.2 at the CPU recipe's batch of 200 frames. The restart
        threshold is a fraction of that average (a code unused for some 400 steps), not a fixed
        count: a fixed 1.0 restarted every code not used in each single step, which left a codebook
        of about 360 distinct vectors out of 1024, copies of the last batch (sessions 1-16)."""
        onehot_counts = torch.bincount(codes, minlength=self.size).float()
        sums = torch.zeros_like(self.embedding).index_add_(0, codes, x)
        self.cluster_size.mul_(self.decay).add_(onehot_counts, alpha=1 - self.decay)
        self.embedding_sum.mul_(self.decay).add_(sums, alpha=1 - self.decay)
        n = self.cluster_size.sum()
        smoothed = (self.cluster_size + 1e-5) / (n + self.size * 1e-5) * n
        self.embedding.copy_(self.embedding_sum / smoothed[:, None])
        average_use = x.shape[0] / self.size
        # More dead codes than batch vectors: the rest wait for a later batch.
        dead = (self.cluster_size < self.dead_fraction * average_use).nonzero().flatten()[: x.shape[0]]
        if len(dead):
            fresh = x[torch.randperm(x.shape[0], device=x.device)[: len(dead)]]
            self.embedding[dead] = fresh
            self.cluster_size[dead] = average_use
            self.embedding_sum[dead] = fresh * average_use
        return len(dead)


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
