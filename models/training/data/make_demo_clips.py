"""Make the demo clips shipped in resources/demo/: a piano phrase from our own procedural composer
played by the Salamander Grand Piano sampler (CC BY 3.0), and a sentence spoken by flite's slt
voice. Neither piece nor sentence is in the training data (their seeds are outside its range).

    /usr/bin/python3 -m data.make_demo_clips --work work/data --out ../../resources/demo
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from .build_dataset import SAMPLE_RATE, salamander, trim_silence
from .procedural import compose

PIANO_SEED = 90210  # build_dataset composes pieces 0..N with N in the hundreds
PIANO_SECONDS = 6.0
SENTENCE = "The little boat drifted past the harbour lights, and nobody on the shore said a word."


def normalise(audio: np.ndarray, peak_db: float = -3.0) -> np.ndarray:
    return (audio / (np.max(np.abs(audio)) + 1e-9) * 10 ** (peak_db / 20)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="build_dataset's output (it holds the Salamander samples)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    piece = compose(PIANO_SEED)
    piano = salamander(args.work.resolve()).render(piece.notes, piece.pedal, piece.seconds, SAMPLE_RATE)
    piano = trim_silence(piano)[: int(PIANO_SECONDS * SAMPLE_RATE)]
    sf.write(args.out / "piano-phrase.flac", normalise(piano), SAMPLE_RATE, subtype="PCM_16")

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "speech.wav"
        subprocess.run(["flite", "-voice", "slt", "-t", SENTENCE, "-o", str(raw)], check=True, capture_output=True)
        speech, rate = sf.read(raw, dtype="float32")
    speech = trim_silence(resample_poly(speech, SAMPLE_RATE, rate) if rate != SAMPLE_RATE else speech)
    sf.write(args.out / "speech-sentence.flac", normalise(speech), SAMPLE_RATE, subtype="PCM_16")
    for name in ("piano-phrase.flac", "speech-sentence.flac"):
        info = sf.info(args.out / name)
        print(f"{args.out / name}: {info.duration:.1f} s, {(args.out / name).stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
