"""Do the semantic tokens carry structure rather than timbre? For each validation piece rendered in
several timbres, the share of 25 Hz frames where two renderings get the same token, against the
agreement two unrelated token streams with the same token frequencies would show by chance, and
Cohen's kappa, (agreement - chance) / (1 - chance): tokenizers that use their clusters unevenly have
a higher chance level, so kappa is the figure that compares two of them.

    /usr/bin/python3 -m semantic.measure_structure --semantic work/semantic/semantic.pt --data work/data
"""
from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from .tokenizers import load_semantic_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--semantic", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    state = torch.load(args.semantic, map_location="cpu")
    model = load_semantic_tokenizer(args.semantic)
    renders: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    for wav in sorted((args.data / "valid" / "piano").glob("*.wav")):
        piece, timbre = wav.stem.rsplit("-", 1)
        audio, rate = sf.read(wav, dtype="float32", frames=int(args.seconds * 24000), start=int(20 * 24000))
        unit = model.cfg.hop * 2
        audio = audio[: len(audio) // unit * unit]
        if len(audio) < unit * 50:
            continue
        with torch.no_grad():
            renders[piece][timbre] = model(torch.from_numpy(audio)[None, None])[0].numpy()
    same, chance = [], []
    for piece, by_timbre in renders.items():
        for (a, ta), (b, tb) in itertools.combinations(sorted(by_timbre.items()), 2):
            n = min(len(ta), len(tb))
            same.append(float(np.mean(ta[:n] == tb[:n])))
            pa = np.bincount(ta[:n], minlength=model.cfg.clusters) / n
            pb = np.bincount(tb[:n], minlength=model.cfg.clusters) / n
            chance.append(float(np.sum(pa * pb)))
    result = {"pairs": len(same), "agreement": round(float(np.mean(same)), 4) if same else None,
              "chance": round(float(np.mean(chance)), 4) if chance else None,
              "kappa": round(float(np.mean([(s - c) / (1 - c) for s, c in zip(same, chance)])), 4) if same else None,
              "kind": state["semantic"].get("kind", "hubert"), "step": state.get("step")}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
