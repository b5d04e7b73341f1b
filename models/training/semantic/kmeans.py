"""k-means for the semantic tokenizers: the HuBERT-style targets and centroids, and the pitch
tokenizer's centroids."""
from __future__ import annotations

import torch


def kmeans(x: torch.Tensor, k: int, iterations: int = 20, seed: int = 0) -> torch.Tensor:
    """Plain k-means (k-means++ start) on rows of x; returns [k, D] centroids."""
    g = torch.Generator().manual_seed(seed)
    centroids = x[torch.randint(0, x.shape[0], (1,), generator=g)]
    for _ in range(1, k):
        d = torch.cdist(x, centroids).min(1).values ** 2
        centroids = torch.cat([centroids, x[torch.multinomial(d / d.sum(), 1, generator=g)]])
    for _ in range(iterations):
        assign = torch.cdist(x, centroids).argmin(1)
        for c in range(k):
            members = x[assign == c]
            if len(members):
                centroids[c] = members.mean(0)
    return centroids
