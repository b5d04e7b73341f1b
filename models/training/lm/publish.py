"""Write an LM run's best weights as the committed checkpoint: weights only, fp16, one file.

    /usr/bin/python3 -m lm.publish --run work/lm --stage coarse [--out checkpoints/coarse_lm.fp16.pt]

It keeps what `export.export_bundle` and `lm.train --init` check: the config the LM was trained
with and the fingerprint of the codec whose codes it models.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from codec.publish import published_weights


def committed_checkpoint(stage: str) -> Path:
    """Where a stage's published weights live, and so where `lm.train` starts from by default."""
    return Path(__file__).resolve().parents[1] / "checkpoints" / f"{stage}_lm.fp16.pt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="the --out folder of lm.train")
    parser.add_argument("--stage", choices=["semantic", "coarse", "fine"], required=True)
    parser.add_argument("--out", type=Path, help="default: checkpoints/<stage>_lm.fp16.pt")
    args = parser.parse_args()
    best_path = args.run / args.stage / "best.pt"
    if not best_path.exists():
        raise SystemExit(f"{best_path} does not exist: no validation has run in {args.run / args.stage} yet")
    best = torch.load(best_path, map_location="cpu")
    out = args.out or committed_checkpoint(args.stage)
    published = {"model": published_weights(best["model"]), "step": best["step"], "valid_loss": best["valid_loss"],
                 "config": best["config"]}
    if best.get("codes_fingerprint") is not None:
        published["codes_fingerprint"] = best["codes_fingerprint"]
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(published, out)
    print(json.dumps({"out": str(out), "step": best["step"], "valid_loss": round(float(best["valid_loss"]), 4),
                      "megabytes": round(out.stat().st_size / 1e6, 2)}))


if __name__ == "__main__":
    main()
