"""Reference generation loops in PyTorch: the engine's TypeScript loops must produce the same tokens
under greedy decoding. They use the cached forward exactly as the engine does: a prefill, then one
step at a time into a fixed-capacity cache."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lm.models import semantic_for_steps


def _grow(cache, new, length):
    """Writes new [L, B, H, T, Dh] into the fixed-capacity cache at `length`."""
    cache[:, :, :, length:length + new.shape[3]] = new


def semantic_greedy(model, prompt: torch.Tensor, count: int, capacity: int) -> torch.Tensor:
    cfg = model.body.cfg
    shape = (cfg.n_layer, 1, cfg.n_head, capacity, cfg.d_model // cfg.n_head)
    k, v = torch.zeros(shape), torch.zeros(shape)
    logits, nk, nv = model(prompt[None], k, v, torch.tensor(0))
    _grow(k, nk, 0), _grow(v, nv, 0)
    length, out = prompt.numel(), []
    for _ in range(count):
        token = logits.argmax(-1)
        out.append(int(token))
        logits, nk, nv = model(token[:, None], k, v, torch.tensor(length))
        _grow(k, nk, length), _grow(v, nv, length)
        length += 1
    return torch.tensor(out)


def coarse_greedy(model, prompt: torch.Tensor, semantic: torch.Tensor, new_frames: int, capacity: int) -> torch.Tensor:
    """prompt [Qc, Fp] codes, semantic [S] for all frames -> codes [Qc, new_frames] generated after the prompt."""
    qc, fp = prompt.shape
    pad, total = model.size, fp + new_frames
    steps = total + qc - 1  # the delayed sequence's length
    tokens = torch.full((qc, steps), pad, dtype=torch.long)
    for q in range(qc):
        tokens[q, q:q + fp] = prompt[q]
    sem = semantic_for_steps(semantic[None], steps, 2)[0]
    cfg = model.body.cfg
    shape = (cfg.n_layer, 1, cfg.n_head, capacity, cfg.d_model // cfg.n_head)
    k, v = torch.zeros(shape), torch.zeros(shape)
    logits, nk, nv = model(tokens[:, :fp].t()[None], sem[None, :fp], k, v, torch.tensor(0))
    _grow(k, nk, 0), _grow(v, nv, 0)
    for step in range(fp, steps):
        for q in range(qc):
            frame = step - q
            if fp <= frame < total:
                tokens[q, step] = logits[0, q].argmax()
        if step == steps - 1:
            break
        logits, nk, nv = model(tokens[:, step:step + 1].t()[None], sem[None, step:step + 1], k, v, torch.tensor(step))
        _grow(k, nk, step), _grow(v, nv, step)
    return torch.stack([tokens[q, q + fp:q + total] for q in range(qc)])


def fine_greedy(model, codes: torch.Tensor, known_frames: int) -> torch.Tensor:
    """codes [T, Q] with fine levels of frames >= known_frames masked -> the filled codes [T, Q]."""
    codes = codes.clone()
    for level in range(model.cfg.coarse_levels, model.cfg.levels):
        logits = model(codes[None], torch.tensor(level))[0]
        codes[known_frames:, level] = logits[known_frames:].argmax(-1)
    return codes
