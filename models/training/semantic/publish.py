"""Write the semantic tokenizer (encoder + centroids) as the committed checkpoint: fp16, one file.

    /usr/bin/python3 -m semantic.publish --run work/semantic [--out checkpoints/semantic.fp16.pt]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "checkpoints" / "semantic.fp16.pt")
    args = parser.parse_args()
    state = torch.load(args.run / "semantic.pt", map_location="cpu")
    state["model"] = {k: v.half() if v.is_floating_point() else v for k, v in state["model"].items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    print(json.dumps({"out": str(args.out), "step": state.get("step"), "megabytes": round(args.out.stat().st_size / 1e6, 2)}))


if __name__ == "__main__":
    main()
