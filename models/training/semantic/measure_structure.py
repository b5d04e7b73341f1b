"""Do the semantic tokens carry structure rather than timbre or voice? For piano: for each
validation piece rendered in several timbres, the share of 25 Hz frames where two renderings get the same token, against the
agreement two unrelated token streams with the same token frequencies would show by chance, and
Cohen's kappa, (agreement - chance) / (1 - chance): tokenizers that use their clusters unevenly have
a higher chance level, so kappa is the figure that compares two of them. For speech: eight
sentences spoken by four espeak-ng voices, each pair of readings aligned by DTW on normalised
log-mel frames, the same figures along the path (pauses included).

    /usr/bin/python3 -m semantic.measure_structure --semantic work/semantic/semantic.pt --data work/data
"""
from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import subprocess
import tempfile

import soundfile as sf
import torch
from scipy.signal import resample_poly

from data.mel import mel_filterbank

from .tokenizers import load_semantic_tokenizer


SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "She sells sea shells by the sea shore every summer morning.",
    "A long winter evening passed slowly by the warm kitchen fire.",
    "Please remember to bring the yellow umbrella when it rains tomorrow.",
    "Seven silver spoons were found under the old wooden table.",
    "Our teacher told a story about a brave girl and a clever fox.",
    "The train to the city leaves at half past nine on weekdays.",
    "Music filled the hall as the orchestra began the final movement.",
]
VOICES = ["en-us", "en+f3", "en+m3", "en-gb"]


def agreement(pairs: list[tuple[np.ndarray, np.ndarray]], clusters: int) -> dict:
    """Mean agreement, chance and kappa over pairs of aligned token sequences."""
    same, chance = [], []
    for ta, tb in pairs:
        n = len(ta)
        same.append(float(np.mean(ta == tb)))
        pa, pb = np.bincount(ta, minlength=clusters) / n, np.bincount(tb, minlength=clusters) / n
        chance.append(float(np.sum(pa * pb)))
    if not same:
        return {"pairs": 0}
    return {"pairs": len(same), "agreement": round(float(np.mean(same)), 4), "chance": round(float(np.mean(chance)), 4),
            "kappa": round(float(np.mean([(s - c) / (1 - c) for s, c in zip(same, chance)])), 4)}


def piano_pairs(model, data: Path, seconds: float) -> list[tuple[np.ndarray, np.ndarray]]:
    renders: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    unit = model.cfg.hop * 2
    for wav in sorted((data / "valid" / "piano").glob("*.wav")):
        piece, timbre = wav.stem.rsplit("-", 1)
        audio, _ = sf.read(wav, dtype="float32", frames=int(seconds * 24000), start=int(20 * 24000))
        audio = audio[: len(audio) // unit * unit]
        if len(audio) < unit * 50:
            continue
        with torch.no_grad():
            renders[piece][timbre] = model(torch.from_numpy(audio)[None, None])[0].numpy()
    pairs = []
    for by_timbre in renders.values():
        for (_, ta), (_, tb) in itertools.combinations(sorted(by_timbre.items()), 2):
            n = min(len(ta), len(tb))
            pairs.append((ta[:n], tb[:n]))
    return pairs


def speak(text: str, voice: str, unit: int) -> np.ndarray:
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(["espeak-ng", "-v", voice, "-w", f.name, text], check=True)
        audio, rate = sf.read(f.name, dtype="float32")
    audio = resample_poly(audio, 24000 // 50, rate // 50).astype(np.float32)
    return audio[: len(audio) // unit * unit]


def normalised_log_mel(audio: np.ndarray, hop: int) -> np.ndarray:
    """Per-band standardised log-mel at the token rate (two analysis frames per token)."""
    n_fft, bank = 1024, mel_filterbank(24000, 1024, 40)
    padded = np.pad(audio, (n_fft // 2, n_fft // 2))
    frames = np.stack([padded[i * hop: i * hop + n_fft] * np.hanning(n_fft) for i in range(len(audio) // hop)])
    mel = np.log(np.abs(np.fft.rfft(frames, axis=1)) ** 2 @ bank.T + 1e-8)
    mel = mel[: len(mel) // 2 * 2].reshape(-1, 2, mel.shape[1]).mean(1)
    return (mel - mel.mean(0)) / (mel.std(0) + 1e-5)


def dtw_path(x: np.ndarray, y: np.ndarray) -> list[tuple[int, int]]:
    cost = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    total = np.full((len(x) + 1, len(y) + 1), np.inf)
    total[0, 0] = 0
    for i in range(1, len(x) + 1):
        for j in range(1, len(y) + 1):
            total[i, j] = cost[i - 1, j - 1] + min(total[i - 1, j], total[i, j - 1], total[i - 1, j - 1])
    i, j, path = len(x), len(y), []
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        step = int(np.argmin([total[i - 1, j - 1], total[i - 1, j], total[i, j - 1]]))
        i, j = (i - 1, j - 1) if step == 0 else (i - 1, j) if step == 1 else (i, j - 1)
    return path[::-1]


def speech_pairs(model) -> list[tuple[np.ndarray, np.ndarray]]:
    unit, pairs = model.cfg.hop * 2, []
    for sentence in SENTENCES:
        readings = {voice: speak(sentence, voice, unit) for voice in VOICES}
        with torch.no_grad():
            tokens = {v: model(torch.from_numpy(a)[None, None])[0].numpy() for v, a in readings.items()}
        for va, vb in itertools.combinations(VOICES, 2):
            path = [(i, j) for i, j in dtw_path(normalised_log_mel(readings[va], model.cfg.hop), normalised_log_mel(readings[vb], model.cfg.hop))
                    if i < len(tokens[va]) and j < len(tokens[vb])]
            pairs.append((tokens[va][[i for i, _ in path]], tokens[vb][[j for _, j in path]]))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--semantic", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    state = torch.load(args.semantic, map_location="cpu")
    model = load_semantic_tokenizer(args.semantic)
    result = {"kind": state["semantic"].get("kind", "hubert"), "step": state.get("step"),
              "piano_timbres": agreement(piano_pairs(model, args.data, args.seconds), model.cfg.clusters),
              "speech_voices": agreement(speech_pairs(model), model.cfg.clusters)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
