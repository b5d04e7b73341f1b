"""Pack a sample of the built training audio into one int16 array, for a GPU machine that can
receive only a few tens of MB and has neither soundfile nor the renderers.

Excerpts are drawn from as many files as the budget allows (piano and speech in a set share), so a
short pack still spans every timbre, source and speaker.

    /usr/bin/python3 -m data.pack --data work/data --out work/pack --minutes 22 [--speech-share 0.4]

Writes OUT/train.xz (int16 at 24 kHz, losslessly compressed: see `compress_audio`), OUT/pack.json (the excerpts: domain, start, length, source)
and OUT/valid_batch.npy (16 fixed 2-second validation crops, float32, as codec.train makes them).
"""
from __future__ import annotations

import argparse
import json
import lzma
from pathlib import Path

import numpy as np
import soundfile as sf

from .crops import CropSampler

SAMPLE_RATE = 24000


def loud_excerpt(path: Path, seconds: float, rng: np.random.Generator) -> np.ndarray | None:
    """A random excerpt that is not near silence, or None if the file has none."""
    frames = sf.info(path).frames
    length = min(frames, int(seconds * SAMPLE_RATE))
    for _ in range(6):
        start = int(rng.integers(0, max(1, frames - length)))
        audio, _ = sf.read(path, start=start, frames=length, dtype="int16")
        if np.sqrt(np.mean((audio.astype(np.float32) / 32768) ** 2)) > 3e-3:
            return audio
    return None


def compress_audio(audio: np.ndarray) -> bytes:
    """int16 audio -> bytes, about 0.6 of its size: first differences, zigzag-mapped so small
    steps of either sign are small numbers, split into byte planes that LZMA packs well."""
    steps = np.diff(audio.astype(np.int32), prepend=0)
    zigzag = ((steps << 1) ^ (steps >> 31)).astype(np.uint32)
    planes = [(zigzag >> shift & 0xFF).astype(np.uint8).tobytes() for shift in (0, 8, 16)]
    header = np.array([audio.size], dtype=np.int64).tobytes()
    return header + lzma.compress(b"".join(planes))


def decompress_audio(blob: bytes) -> np.ndarray:
    size = int(np.frombuffer(blob[:8], dtype=np.int64)[0])
    planes = np.frombuffer(lzma.decompress(blob[8:]), dtype=np.uint8).reshape(3, size).astype(np.uint32)
    zigzag = planes[0] | planes[1] << 8 | planes[2] << 16
    steps = (zigzag >> 1).astype(np.int64) ^ -(zigzag & 1).astype(np.int64)
    return np.cumsum(steps).astype(np.int16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--minutes", type=float, default=22.0)
    parser.add_argument("--speech-share", type=float, default=0.4)
    parser.add_argument("--excerpt-seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    budgets = {"speech": args.minutes * 60 * args.speech_share, "piano": args.minutes * 60 * (1 - args.speech_share)}
    pieces: list[np.ndarray] = []
    segments: list[dict] = []
    offset = 0
    for domain, budget in budgets.items():
        files = sorted((args.data / "train" / domain).glob("*.wav"))
        if not files:
            raise SystemExit(f"no {domain} audio under {args.data / 'train' / domain}: run data.build_dataset first")
        rng.shuffle(files)
        taken = 0.0
        for n in range(10 * len(files)):  # several excerpts per file once every file has given one
            if taken >= budget:
                break
            audio = loud_excerpt(files[n % len(files)], args.excerpt_seconds, rng)
            if audio is None:
                continue
            pieces.append(audio)
            segments.append({"domain": domain, "start": offset, "length": int(audio.size), "source": files[n % len(files)].name})
            offset += audio.size
            taken += audio.size / SAMPLE_RATE
        print(f"{domain}: {taken / 60:.1f} min from {len({s['source'] for s in segments if s['domain'] == domain})} files")

    (args.out / "train.xz").write_bytes(compress_audio(np.concatenate(pieces)))
    (args.out / "pack.json").write_text(json.dumps({"sample_rate": SAMPLE_RATE, "segments": segments}) + "\n")
    hop = 480
    valid = CropSampler(args.data, "valid", SAMPLE_RATE * 2 // hop * hop, SAMPLE_RATE, seed=1234, augment_probability=0.0)
    np.save(args.out / "valid_batch.npy", valid.batch(16))
    packed = (args.out / "train.xz").stat().st_size
    print(f"wrote {args.out / 'train.xz'} ({offset / SAMPLE_RATE / 60:.1f} min, {packed / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
