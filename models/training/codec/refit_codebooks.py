"""Fit the quantiser's codebooks again by k-means on the encoder's own latents, level by level on the
residuals; the encoder and decoder stay as they are.

    /usr/bin/python3 -m codec.refit_codebooks --codec checkpoints/codec.fp16.pt --data work/data \
        --out work/codec-refit.fp16.pt [--seconds-per-domain 600] [--iterations 25]

Before session 17 the dead-code restart replaced every code a training step had not used, so the
shipped codebooks hold about 360 distinct vectors out of 1024 per level, copies of one late batch
(`codec/rvq.py`). Refitting gives every level 1024 centroids of the domains in equal shares. The codes
change meaning, so the coarse and fine LMs need tokens made with the refitted codec; `codec.train
--init OUT` with `frozen_token_levels` then tunes the decoder behind them.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from codec.model import Codec, codes_fingerprint, load_codec_checkpoint
from codec.publish import published_weights
from common.domains import DOMAINS
from data.crops import domain_crops


def encoder_latents(codec: Codec, data: Path, domain: str, seconds: float, seed: int) -> torch.Tensor:
    """[N, D] latent frames of random 4-second training crops of one domain (augmented as in training)."""
    with torch.no_grad():
        return torch.cat([codec.encoder(torch.from_numpy(audio)[None, None])[0].t()
                          for audio in domain_crops(data, domain, seconds, 4, codec.cfg.sample_rate, seed)])


def residual_energy(codec: Codec, latents: torch.Tensor) -> torch.Tensor:
    """Mean energy the quantiser (all its levels) leaves of latents [N, D]."""
    codes = codec.quantizer.encode(latents.t()[None])
    return (latents - codec.quantizer.decode(codes)[0].t()).pow(2).mean()


def refit(codec: Codec, latents: torch.Tensor, iterations: int) -> list[float]:
    """Each level's k-means on what the levels before it left; returns the residual energy after
    each level as a share of the latents' energy."""
    residual, energy, shares = latents.clone(), latents.pow(2).mean(), []
    for book in codec.quantizer.codebooks:
        codes = book.kmeans_init(residual, iterations)
        residual = residual - book.lookup(codes)
        shares.append(float(residual.pow(2).mean() / energy))
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codec", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seconds-per-domain", type=float, default=600)
    parser.add_argument("--iterations", type=int, default=25)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--domains", nargs="+", choices=DOMAINS, default=list(DOMAINS),
                        help="fit on these domains' audio only (a codec for one domain)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    codec, state = load_codec_checkpoint(args.codec)
    latents = torch.cat([encoder_latents(codec, args.data, domain, args.seconds_per_domain, args.seed + i)
                         for i, domain in enumerate(args.domains)])
    held_out = torch.randperm(latents.shape[0])[: latents.shape[0] // 10]
    fit_on = torch.ones(latents.shape[0], dtype=torch.bool)
    fit_on[held_out] = False
    before_energy = residual_energy(codec, latents[held_out])
    shares = refit(codec, latents[fit_on], args.iterations)
    after_energy = residual_energy(codec, latents[held_out])
    weights = published_weights(codec.state_dict())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": weights, "step": state.get("step"), "config": state["config"],
                "trained_steps_total": state.get("trained_steps_total", state.get("step")),
                "refit": {"from": str(args.codec), "frames": int(fit_on.sum()), "iterations": args.iterations,
                          "domains": args.domains}}, args.out)
    energy = latents[held_out].pow(2).mean()
    print(json.dumps({"out": str(args.out), "frames": int(latents.shape[0]), "fingerprint": codes_fingerprint(weights),
                      "residual_share_by_level_fit": [round(s, 4) for s in shares],
                      "held_out_residual_share_all_levels": {"before": round(float(before_energy / energy), 4),
                                                             "after": round(float(after_energy / energy), 4)}}))


if __name__ == "__main__":
    main()
