"""A fine LM grown to more codec levels, so a chain can decode at a higher bitrate (12 levels, 6 kbps)
without training its fine LM from scratch.

    /usr/bin/python3 -m lm.grow_levels --lm checkpoints/fine_lm-piano.fp16.pt --levels 12 --out work/fine_lm-12.pt

The new levels' code embeddings start at zero, so until training moves them the grown model predicts
the old levels exactly as before (checked here on random codes before writing); each new level's
level embedding and output head start as copies of the last old level's, the nearest guess for a
residual one step finer. Train it on with `lm.train --stage fine --init OUT --set lm.levels=12` on
a token folder that holds 12 levels.
"""
from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import torch

from .models import FineLM, LmConfig


def grown(state: dict, levels: int) -> dict:
    config = copy.deepcopy(state["config"])
    old_cfg = LmConfig.from_dict(config["lm"])
    if levels <= old_cfg.levels:
        raise SystemExit(f"the LM already models {old_cfg.levels} levels; --levels must be more")
    config["lm"]["levels"] = levels
    old = {k: v.float() for k, v in state["model"].items()}
    model = dict(old)
    d = old["level_embed.weight"].shape[1]
    for q in range(old_cfg.levels, levels):
        model[f"embeds.{q}.weight"] = torch.zeros(old_cfg.codebook_size + 1, d)
    more = levels - old_cfg.levels
    for name in ("level_embed.weight", "head_weight", "head_bias"):  # the last level's row, repeated
        last = old[name][-1:]
        model[name] = torch.cat([old[name], last.repeat(more, *[1] * (last.dim() - 1))])
    return {**state, "model": model, "config": config, "grown_from_levels": old_cfg.levels}


def largest_change(before: dict, after: dict, seed: int = 0) -> float:
    """The largest logit difference between the two models on the old levels, on random codes whose
    new levels are unknown or random (the new levels' zero embeddings must make them no matter)."""
    old_cfg, new_cfg = LmConfig.from_dict(before["config"]["lm"]), LmConfig.from_dict(after["config"]["lm"])
    old_model, new_model = FineLM(old_cfg).eval(), FineLM(new_cfg).eval()
    old_model.load_state_dict({k: v.float() for k, v in before["model"].items()})
    new_model.load_state_dict(after["model"])
    generator = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, old_cfg.codebook_size, (2, 64, new_cfg.levels), generator=generator)
    worst = 0.0
    with torch.no_grad():
        for level in range(old_cfg.coarse_levels, old_cfg.levels):
            known = codes.clone()
            known[..., level:] = old_cfg.codebook_size
            extra = known.clone()
            extra[..., old_cfg.levels:] = codes[..., old_cfg.levels:]
            reference = old_model(known[..., :old_cfg.levels], torch.tensor(level))
            for variant in (known, extra):
                worst = max(worst, float((new_model(variant, torch.tensor(level)) - reference).abs().max()))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lm", type=Path, required=True, help="a fine LM checkpoint (lm.publish's or lm.train's)")
    parser.add_argument("--levels", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    state = torch.load(args.lm, map_location="cpu")
    if "head_weight" not in state["model"]:
        raise SystemExit(f"{args.lm} is not a fine LM: only the fine LM's shapes depend on the levels")
    result = grown(state, args.levels)
    change = largest_change(state, result)
    if change > 1e-3:
        raise SystemExit(f"the grown LM predicts the old levels differently (largest logit change {change:.2e}): not written")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(result, args.out)
    print(json.dumps({"out": str(args.out), "levels": [result["grown_from_levels"], args.levels],
                      "largest_logit_change_on_old_levels": change}))


if __name__ == "__main__":
    main()
