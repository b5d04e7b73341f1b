"""Write the best codec weights as the committed checkpoint: weights only, fp16, one file.

    /usr/bin/python3 -m codec.publish --run work/codec [--out checkpoints/codec.fp16.pt] [--checkpoint last | --average-snapshots]

--average-snapshots publishes the mean of the weights codec.train kept under RUN/snapshots/ (its
`snapshot_from` setting) instead of one checkpoint.

The next session (or a clean machine) resumes from it with `codec.train` (its --init default).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "checkpoints" / "codec.fp16.pt")
    parser.add_argument("--checkpoint", choices=["best", "last"], default="best",
                        help="last: the end of the run (e.g. where a decay ended on an objective best.pt did not score)")
    parser.add_argument("--average-snapshots", action="store_true", help="the mean of RUN/snapshots/*.pt")
    args = parser.parse_args()
    last = torch.load(args.run / "last.pt", map_location="cpu") if (args.run / "last.pt").exists() else None
    if args.average_snapshots:
        chosen = averaged(sorted((args.run / "snapshots").glob("*.pt")))
    else:
        chosen = last if args.checkpoint == "last" and last else torch.load(args.run / "best.pt", map_location="cpu")
    weights = published_weights(chosen["model"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": weights, "step": chosen["step"], "valid_mel": chosen.get("valid_mel"), "config": chosen["config"],
                "trained_steps_total": (last or chosen)["step"], "averaged_steps": chosen.get("averaged_steps")}, args.out)
    print(json.dumps({"out": str(args.out), "step": chosen["step"], "valid_mel": chosen.get("valid_mel"),
                      "averaged_steps": chosen.get("averaged_steps"), "megabytes": round(args.out.stat().st_size / 1e6, 2)}))


def published_weights(model: dict) -> dict:
    """Weights only, fp16; embedding_sum is embedding * cluster_size, rebuilt on load, not stored."""
    return {k: v.half() if v.is_floating_point() else v for k, v in model.items() if not k.endswith("embedding_sum")}


def averaged(paths: list[Path]) -> dict:
    """The snapshots' weights averaged; integer buffers and the config from the last one."""
    if not paths:
        raise SystemExit("no snapshots to average: train with --set train.snapshot_from=STEP")
    states = [torch.load(p, map_location="cpu") for p in paths]
    model = {k: (sum(s["model"][k].float() for s in states) / len(states)) if v.is_floating_point() else v
             for k, v in states[-1]["model"].items()}
    return {"model": model, "step": states[-1]["step"], "config": states[-1]["config"], "averaged_steps": [s["step"] for s in states]}


if __name__ == "__main__":
    main()
