"""Fit the pitch tokenizer's centroids: k-means of its features over training audio, half piano and
half speech, then save it as the semantic checkpoint (fp16, one file).

    /usr/bin/python3 -m semantic.fit_pitch --data work/data --out checkpoints/semantic.fp16.pt
"""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from .kmeans import kmeans
from .pitch import PitchConfig, PitchTokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clusters", type=int, default=512)
    parser.add_argument("--clips", type=int, default=120, help="training clips per domain")
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this much of each clip")
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rng = np.random.default_rng(11)
    cfg = PitchConfig(clusters=args.clusters)
    model = PitchTokenizer(cfg).eval()
    unit = cfg.hop * 2
    features = []
    for domain in ("piano", "speech"):
        files = sorted((args.data / "train" / domain).glob("*.wav"))
        rng.shuffle(files)
        frames = 0
        for wav in files[: args.clips]:
            info = sf.info(wav)
            length = min(info.frames, int(args.seconds * cfg.sample_rate))
            start = int(rng.integers(0, max(1, info.frames - length)))
            audio, _ = sf.read(wav, dtype="float32", start=start, frames=length)
            audio = audio[: len(audio) // unit * unit]
            if len(audio) < unit * 10:
                continue
            with torch.no_grad():
                features.append(model.features(torch.from_numpy(audio)[None, None])[0])
            frames += len(features[-1])
        print(f"{domain}: {frames} frames", flush=True)
    x = torch.cat(features)
    model.centroids.copy_(kmeans(x, cfg.clusters, args.iterations, seed=11))
    usage = torch.bincount(torch.cdist(x, model.centroids).argmin(1), minlength=cfg.clusters)
    state = {"semantic": asdict(cfg), "model": {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()},
             "step": None, "frames": len(x)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    print(json.dumps({"out": str(args.out), "frames": len(x), "clusters_used": int((usage > 0).sum()),
                      "megabytes": round(args.out.stat().st_size / 1e6, 2)}), flush=True)


if __name__ == "__main__":
    main()
