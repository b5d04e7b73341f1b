"""Carry a coarse or fine LM over to another codec's codes: each new code's embedding (and output row)
starts as the mean of the old codes' that the same audio frames got, weighted by how often.

    /usr/bin/python3 -m lm.remap_codes --lm checkpoints/coarse_lm.fp16.pt --from-codec checkpoints/codec.fp16.pt \
        --to-codec checkpoints/codec-refit.fp16.pt --data work/data --out work/coarse_lm-remapped.pt

Without it an LM started on new codes keeps only its layers (`lm.train` says so) and its code
embeddings start from codes that meant other sounds. The result names the new codec's codes, so
`lm.train --init OUT` fine-tunes it on tokens made with the new codec.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from codec.model import Codec, codes_fingerprint, load_codec_checkpoint
from common.domains import DOMAINS
from data.crops import domain_crops


def co_occurrence(old: Codec, new: Codec, data: Path, seconds_per_domain: float, levels: int, seed: int) -> torch.Tensor:
    """[levels, new codes, old codes]: how often a frame got each pair of codes."""
    size_new, size_old = new.cfg.codebook_size, old.cfg.codebook_size
    counts = torch.zeros(levels, size_new, size_old)
    for i, domain in enumerate(DOMAINS):
        for crop in domain_crops(data, domain, seconds_per_domain, 4, new.cfg.sample_rate, seed + i):
            audio = torch.from_numpy(crop)[None, None]
            codes_old, codes_new = old.encode(audio)[0, :levels], new.encode(audio)[0, :levels]
            frames = min(codes_old.shape[-1], codes_new.shape[-1])
            for level in range(levels):
                flat = codes_new[level, :frames] * size_old + codes_old[level, :frames]
                counts[level] += torch.bincount(flat, minlength=size_new * size_old).view(size_new, size_old).float()
    return counts


def mixing(counts: torch.Tensor) -> torch.Tensor:
    """Rows P(old code | new code); a new code the sample never met takes the old codes' overall mix."""
    overall = counts.sum(0, keepdim=True) / counts.sum().clamp(min=1)
    seen = counts.sum(1, keepdim=True)
    return torch.where(seen > 0, counts / seen.clamp(min=1), overall)


def remap(weights: dict, stage: str, mixes: torch.Tensor, size: int, coarse_levels: int) -> dict:
    out = dict(weights)
    for level in range(mixes.shape[0]):
        key = f"embeds.{level}.weight"
        if key in weights:  # the row past the codes (start / unknown) keeps its meaning
            table = weights[key].float()
            out[key] = torch.cat([mixes[level] @ table[:size], table[size:]]).to(weights[key].dtype)
    if stage == "coarse":
        head, bias = weights["head.weight"].float(), weights["head.bias"].float()
        for level in range(coarse_levels):
            rows = slice(level * size, (level + 1) * size)
            head[rows], bias[rows] = mixes[level] @ head[rows], mixes[level] @ bias[rows]
        out["head.weight"], out["head.bias"] = head.to(weights["head.weight"].dtype), bias.to(weights["head.bias"].dtype)
    else:
        head, bias = weights["head_weight"].float(), weights["head_bias"].float()
        for index in range(head.shape[0]):
            mix = mixes[coarse_levels + index]
            head[index], bias[index] = head[index] @ mix.t(), mix @ bias[index]
        out["head_weight"], out["head_bias"] = head.to(weights["head_weight"].dtype), bias.to(weights["head_bias"].dtype)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lm", type=Path, required=True, help="a coarse or fine LM checkpoint")
    parser.add_argument("--from-codec", type=Path, required=True, help="the codec whose codes the LM was trained on")
    parser.add_argument("--to-codec", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seconds-per-domain", type=float, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    state = torch.load(args.lm, map_location="cpu")
    old, old_state = load_codec_checkpoint(args.from_codec)
    new, new_state = load_codec_checkpoint(args.to_codec)
    if state.get("codes_fingerprint") != codes_fingerprint(old_state["model"]):
        raise SystemExit(f"{args.lm} was not trained on {args.from_codec}'s codes")
    lm = state["config"]["lm"]
    stage = "coarse" if any(k.startswith("head.") for k in state["model"]) else "fine"
    levels = lm["coarse_levels"] if stage == "coarse" else lm["levels"]
    counts = co_occurrence(old, new, args.data, args.seconds_per_domain, levels, args.seed)
    mixes = mixing(counts)
    state = {**state, "model": remap(state["model"], stage, mixes, lm["codebook_size"], lm["coarse_levels"]),
             "codes_fingerprint": codes_fingerprint(new_state["model"]), "valid_loss": None,
             "remapped": {"from_codec": str(args.from_codec), "to_codec": str(args.to_codec), "frames": int(counts[0].sum())}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    # How much one new code tells of the old one: 1 would be a relabelling.
    certainty = [round(float((counts[q].max(1).values.sum() / counts[q].sum())), 3) for q in range(levels)]
    print(json.dumps({"out": str(args.out), "stage": stage, "frames": int(counts[0].sum()),
                      "share_of_frames_on_the_most_common_old_code": certainty}))


if __name__ == "__main__":
    main()
