"""Parity fixture for the pitch tokenizer: a small one (seeded centroids) as ONNX with fp16 weights,
exactly as a shipped bundle stores it, and the tokens PyTorch computes for a test signal, for
tests/integration/parity.test.ts.

    /usr/bin/python3 -m export.pitch_parity --out ../../tests/bundles/pitch-tokenizer-tiny.onnx \
        --fixtures ../../tests/fixtures/parity/pitch-tokenizer-tiny.json
"""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from semantic.pitch import PitchConfig, PitchTokenizer
from .export_bundle import export_onnx, round_to_fp16


def test_signal(cfg: PitchConfig, rng: np.random.Generator) -> np.ndarray:
    """Harmonic notes a semitone or more apart, a silence, then noise: tokens that change."""
    unit = 2 * cfg.hop
    notes = [48, 55, 60, 64, 67, 72, 59, 62]
    pieces = []
    for midi in notes:
        t = np.arange(unit * 4) / cfg.sample_rate
        f = 440 * 2 ** ((midi - 69) / 12)
        pieces.append(sum(0.3 * 0.6 ** h * np.sin(2 * np.pi * f * (h + 1) * t) for h in range(4)) * np.exp(-3 * t))
    pieces.append(np.zeros(unit * 4))
    pieces.append(0.1 * rng.standard_normal(unit * 4))
    return np.concatenate(pieces).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fixtures", type=Path, required=True)
    args = parser.parse_args()
    cfg = PitchConfig(n_fft=1024, low_midi=43, high_midi=84, clusters=32)
    model = PitchTokenizer(cfg).eval()
    rng = np.random.default_rng(4)
    wav = test_signal(cfg, rng)
    with torch.no_grad():
        # Centroids on features of the signal itself, so that the tokens are spread over many clusters.
        features = model.features(torch.from_numpy(wav)[None, None])[0]
        model.centroids.copy_(features[torch.from_numpy(rng.choice(len(features), cfg.clusters, replace=False))]
                              + 0.01 * torch.randn(cfg.clusters, cfg.semitones, generator=torch.Generator().manual_seed(4)))
        round_to_fp16(model)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        export_onnx(model, (torch.zeros(1, 1, 2 * cfg.hop * 4),), args.out,
                    {"audio": ("float32", ["batch", 1, "samples"])}, {"tokens": ("int64", ["batch", "tokens"])}, fp16_weights=True)
        tokens = model(torch.from_numpy(wav)[None, None])[0]
    args.fixtures.parent.mkdir(parents=True, exist_ok=True)
    args.fixtures.write_text(json.dumps({"config": asdict(cfg), "audio": [round(float(x), 8) for x in wav], "tokens": tokens.tolist()}) + "\n")
    print(json.dumps({"onnx": str(args.out), "megabytes": round(args.out.stat().st_size / 1e6, 2), "tokens": len(tokens), "distinct": len(set(tokens.tolist()))}))


if __name__ == "__main__":
    main()
