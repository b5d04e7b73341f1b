"""The three language models of the AudioLM chain.

- SemanticLM: next semantic token.                               tokens [B, T] -> logits [B, V_sem]
- CoarseLM: the first `levels` codec levels in MusicGen's delay pattern, one step per frame, each
  step conditioned on the time-aligned semantic token (or the null token semantic_vocab, for the
  acoustic-only chain).                                           codes [B, T, Qc], semantic [B, T]
                                                                  -> logits [B, Qc, V]
- FineLM: the remaining levels, non-autoregressively, one level per pass, bidirectional over a
  window whose leading frames (the prompt, or audio already made) have every level known.
                                                                  codes [B, T, Q], level [] -> logits [B, T, V]

SemanticLM and CoarseLM take and extend the fixed-capacity KV cache of lm/transformer.py and
return only the last position's logits.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn

from .transformer import Transformer, TransformerConfig


@dataclass
class LmConfig:
    semantic_vocab: int = 512
    codebook_size: int = 1024
    # Share of coarse training examples whose semantic tokens are replaced by the null token
    # (id semantic_vocab), so the same model also runs acoustic-only: AudioLM's ablation.
    semantic_dropout: float = 0.1
    levels: int = 8
    coarse_levels: int = 3
    semantic: TransformerConfig = field(default_factory=TransformerConfig)
    coarse: TransformerConfig = field(default_factory=TransformerConfig)
    fine: TransformerConfig = field(default_factory=lambda: TransformerConfig(causal=False))

    @staticmethod
    def from_dict(d: dict) -> "LmConfig":
        return LmConfig(**{k: (TransformerConfig(**v) if isinstance(v, dict) else v) for k, v in d.items()})

    def to_dict(self) -> dict:
        return asdict(self)


class SemanticLM(nn.Module):
    def __init__(self, cfg: LmConfig):
        super().__init__()
        self.embed = nn.Embedding(cfg.semantic_vocab, cfg.semantic.d_model)
        self.body = Transformer(cfg.semantic)
        self.head = nn.Linear(cfg.semantic.d_model, cfg.semantic_vocab)

    def all_logits(self, tokens):
        """Training: tokens [B, T] -> logits [B, T, V] for every position."""
        k, v, n = self.body.empty_cache(tokens.shape[0], tokens.device)
        return self.head(self.body(self.embed(tokens), k, v, n)[0])

    def forward(self, tokens, cache_k, cache_v, cache_len):
        x, new_k, new_v = self.body(self.embed(tokens), cache_k, cache_v, cache_len)
        return self.head(x[:, -1]), new_k, new_v


def delay_pattern(codes: torch.Tensor, pad: int) -> torch.Tensor:
    """codes [B, Q, F] -> tokens [B, Q, F + Q]: level q shifted right by q steps, gaps filled with `pad`."""
    b, q, f = codes.shape
    out = torch.full((b, q, f + q), pad, dtype=codes.dtype, device=codes.device)
    for level in range(q):
        out[:, level, level:level + f] = codes[:, level]
    return out


def semantic_for_steps(semantic: torch.Tensor, steps: int, frames_per_semantic: int) -> torch.Tensor:
    """The semantic token that conditions input step s: the one of frame s + 1, which level 0 predicts next."""
    index = ((torch.arange(steps, device=semantic.device) + 1) // frames_per_semantic).clamp(max=semantic.shape[1] - 1)
    return semantic[:, index]


class CoarseLM(nn.Module):
    def __init__(self, cfg: LmConfig):
        super().__init__()
        self.levels, self.size = cfg.coarse_levels, cfg.codebook_size
        d = cfg.coarse.d_model
        # Index codebook_size is the delay pattern's empty slot.
        self.embeds = nn.ModuleList(nn.Embedding(cfg.codebook_size + 1, d) for _ in range(cfg.coarse_levels))
        self.semantic_embed = nn.Embedding(cfg.semantic_vocab + 1, d)  # + the null token
        self.body = Transformer(cfg.coarse)
        self.head = nn.Linear(d, cfg.coarse_levels * cfg.codebook_size)

    def embed(self, codes, semantic):
        x = self.semantic_embed(semantic)
        for level, table in enumerate(self.embeds):
            x = x + table(codes[..., level])
        return x

    def all_logits(self, codes, semantic):
        """Training: codes [B, T, Qc] (delayed), semantic [B, T] -> logits [B, T, Qc, V]."""
        k, v, n = self.body.empty_cache(codes.shape[0], codes.device)
        x = self.body(self.embed(codes, semantic), k, v, n)[0]
        return self.head(x).view(*x.shape[:2], self.levels, self.size)

    def forward(self, codes, semantic, cache_k, cache_v, cache_len):
        x, new_k, new_v = self.body(self.embed(codes, semantic), cache_k, cache_v, cache_len)
        return self.head(x[:, -1]).view(-1, self.levels, self.size), new_k, new_v


class FineLM(nn.Module):
    def __init__(self, cfg: LmConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.fine.d_model
        # Index codebook_size marks a level not known yet.
        self.embeds = nn.ModuleList(nn.Embedding(cfg.codebook_size + 1, d) for _ in range(cfg.levels))
        self.level_embed = nn.Embedding(cfg.levels, d)
        self.body = Transformer(cfg.fine)
        fine = cfg.levels - cfg.coarse_levels
        self.head_weight = nn.Parameter(torch.randn(fine, d, cfg.codebook_size) * d ** -0.5)
        self.head_bias = nn.Parameter(torch.zeros(fine, cfg.codebook_size))

    def forward(self, codes, level):
        """codes [B, T, Q] with unknown levels = codebook_size; level [] in [coarse_levels, levels) -> [B, T, V]."""
        x = self.level_embed(level)[None, None, :]
        for q, table in enumerate(self.embeds):
            x = x + table(codes[..., q])
        x = self.body(x, None, None, None)[0]
        head = level - self.cfg.coarse_levels
        return x @ self.head_weight[head] + self.head_bias[head]
