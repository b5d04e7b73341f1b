"""Copies of one source's training clips under other recording conditions, for the LMs.

    /usr/bin/python3 -m data.voice_copies --data work/data --out work/data-voices --source librispeech --copies 3

Each copy of a voice gets one condition (data.augment: EQ tilt, room, soft compression, level,
noise), the same for all of that voice's clips, so a copy sounds like the reader recorded again
elsewhere. The LMs train on tokens of the audio as it is, where a voice always sounds one way; with
copies the same words come in several conditions and only the context tells which, so an LM learns
to keep the prompt's condition (and voice) rather than an average one. The codec trains on the fly
augmented crops (data.crops) and needs none of this.

Writes OUT/train/<domain>/<source>-c<copy>-<rest of the name>.wav and OUT/index.jsonl; the
training clips only (the validation clips are the eval's and stay as recorded). Resumable: clips
already written are skipped. Several sources may share one OUT: a run replaces only its own
source's rows in the index.
"""
from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf

from common.run import write_atomically
from .augment import augment


def voice_of(stem: str) -> str:
    """The clips that share a voice share their name without its last part ("librispeech-1034-121119"
    for one reader's chapter, "fillets-airplane-let-m" for one fish's lines, "espeak-Andy"); lm.train
    stitches a crop's clips by it, and a copy's name keeps it apart from the original's."""
    return stem.rsplit("-", 1)[0]


def condition_seed(voice: str, copy: int) -> int:
    return zlib.crc32(f"{voice}/{copy}".encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="a built dataset (data.build_dataset)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--source", required=True, help="the clips whose names start with SOURCE-, e.g. librispeech")
    parser.add_argument("--domain", default="speech", choices=["speech", "piano"])
    parser.add_argument("--copies", type=int, default=3)
    args = parser.parse_args()
    clips = sorted((args.data / "train" / args.domain).glob(f"{args.source}-*.wav"))
    if not clips:
        raise SystemExit(f"no {args.source} clips under {args.data / 'train' / args.domain}")
    folder = args.out / "train" / args.domain
    folder.mkdir(parents=True, exist_ok=True)
    index, seconds = [], 0.0
    for copy in range(1, args.copies + 1):
        for clip in clips:
            name = f"{args.source}-c{copy}-{clip.stem[len(args.source) + 1:]}"
            path = folder / f"{name}.wav"
            if not path.exists():
                audio, rate = sf.read(clip, dtype="float32", always_2d=False)
                rng = np.random.default_rng(condition_seed(voice_of(clip.stem), copy))
                copied = augment(audio, rng, rate)
                write_atomically(path, lambda file: sf.write(file, copied, rate, subtype="PCM_16", format="WAV"))
            length = sf.info(path).duration
            seconds += length
            index.append({"path": str(path), "domain": args.domain, "source": f"{args.source}-c{copy}", "split": "train",
                          "group": voice_of(name), "seconds": length})
    # One index for every source copied into OUT: another source's rows stay.
    listed = args.out / "index.jsonl"
    others = [json.loads(line) for line in listed.read_text().splitlines()] if listed.exists() else []
    others = [r for r in others if not r["source"].startswith(f"{args.source}-c")]
    listed.write_text("".join(json.dumps(r) + "\n" for r in others + index))
    print(f"{len(index)} clips, {seconds / 3600:.2f} h in {folder}")


if __name__ == "__main__":
    main()
