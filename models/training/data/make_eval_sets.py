"""Cut the validation split into the sets `sketchpad eval` reads (never trained on: they come from
the held-out pieces and speakers of data/build_dataset.py).

    /usr/bin/python3 -m data.make_eval_sets --data work/data --out work/eval

Writes OUT/codec/{piano,speech}/*.wav + OUT/codec.json (10 s clips) and
OUT/continue/{piano,speech}/ID.prompt.wav + ID.truth.wav + OUT/continue.json (4 s prompt, 8 s truth).

It also writes a tuning set, OUT/tune/... + OUT/tune.json, in continue.json's form but from other
passages, timbres and speakers of the validation split: sampling settings are chosen on it, so the
continuation tables are not measured on the cases that chose them.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import soundfile as sf

PROMPT, TRUTH, CODEC = 4.0, 8.0, 10.0


def loud_enough(x: np.ndarray) -> bool:
    return float(np.sqrt(np.mean(x ** 2))) > 0.01 and float(np.mean(np.abs(x) > 1e-3)) > 0.5


def windows(path: Path, seconds: float, offsets: list[float]):
    audio, rate = sf.read(path, dtype="float32")
    for offset in offsets:
        start, end = int(offset * rate), int((offset + seconds) * rate)
        if end <= len(audio) and loud_enough(audio[start:end]):
            yield offset, audio[start:end], rate


def split_case(save, folder: str, case: str, group: str, audio: np.ndarray, rate: int) -> dict:
    """A manifest entry for a PROMPT + TRUTH window, its two halves written under folder."""
    cut = int(PROMPT * rate)
    return {"id": case, "set": group, "prompt": save(folder, f"{case}.prompt.wav", audio[:cut], rate),
            "truth": save(folder, f"{case}.truth.wav", audio[cut:], rate)}


def joined(paths: list[Path], gap: float = 0.25) -> tuple[np.ndarray, int]:
    """One speaker's short utterances end to end, so a 12 s case exists where no utterance is that long."""
    parts, rate = [], 24000
    for path in paths:
        audio, rate = sf.read(path, dtype="float32")
        parts += [audio, np.zeros(int(gap * rate), dtype=np.float32)]
    return np.concatenate(parts), rate


def tuning_cases(valid: Path, songs: list[str], fonts: list[str], save) -> list[dict]:
    """Cases disjoint from continue.json's: other passages and timbres of the piano pieces, the
    ai-jam and procedural pieces, and speakers continue.json does not use (TTS voices, fillets-ng,
    asterisk), whose utterances are joined per speaker to reach 12 s."""
    cases = []

    def add(case: str, group: str, audio: np.ndarray, rate: int) -> None:
        cases.append(split_case(save, f"tune/{group}", case, group, audio, rate))

    for n, song in enumerate(songs):
        path = valid / "piano" / f"pop909-{song}-{fonts[(n + 1) % 3]}.wav"
        for offset, audio, rate in windows(path, PROMPT + TRUTH, [60.0]):
            add(f"pop909-{song}-{int(offset)}s-{fonts[(n + 1) % 3]}", "piano", audio, rate)
    for path in sorted((valid / "piano").glob("aijam-*-salamander.wav")) + sorted((valid / "piano").glob("procedural-*.wav")):
        for offset, audio, rate in windows(path, PROMPT + TRUTH, [10.0]):
            add(f"{path.stem}-{int(offset)}s", "piano", audio, rate)

    speakers: dict[str, list[Path]] = {}
    for path in sorted((valid / "speech").glob("*.wav")):
        if not path.name.startswith("librispeech-") and not path.name.startswith("asterisk-"):
            speakers.setdefault(path.stem.rsplit("-", 1)[0], []).append(path)
    for speaker, paths in sorted(speakers.items()):
        audio, rate = joined(paths)
        for k, offset in enumerate([0.0, 13.0]):
            start, end = int(offset * rate), int((offset + PROMPT + TRUTH) * rate)
            if end <= len(audio):
                add(f"{speaker}-{k}", "speech", audio[start:end], rate)
    long_prompt = valid / "speech" / "asterisk-allison-demo-congrats.wav"
    for offset, audio, rate in windows(long_prompt, PROMPT + TRUTH, [0.3, 15.0]):
        add(f"{long_prompt.stem}-{int(offset)}s", "speech", audio, rate)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--piano-pieces", type=int, default=12)
    args = parser.parse_args()
    valid = args.data / "valid"
    codec, cases = [], []

    def save(folder: str, name: str, audio: np.ndarray, rate: int) -> str:
        path = args.out / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, audio, rate, subtype="PCM_16")
        return str(path.relative_to(args.out))

    fonts = ["fluidr3", "musescore", "timgm6mb"]
    songs = sorted({p.name.split("-")[1] for p in (valid / "piano").glob("pop909-*.wav")})[: args.piano_pieces]
    for n, song in enumerate(songs):
        path = valid / "piano" / f"pop909-{song}-{fonts[n % 3]}.wav"
        for offset, audio, rate in windows(path, PROMPT + TRUTH, [30.0, 90.0]):
            cases.append(split_case(save, "continue/piano", f"pop909-{song}-{int(offset)}s", "piano", audio, rate))
        for offset, audio, rate in windows(path, CODEC, [60.0]):
            codec.append({"id": f"pop909-{song}", "set": "piano", "path": save("codec/piano", f"pop909-{song}.wav", audio, rate)})

    for path in sorted((valid / "speech").glob("librispeech-*.wav")):
        for offset, audio, rate in windows(path, PROMPT + TRUTH, [0.3]):
            cases.append(split_case(save, "continue/speech", path.stem, "speech", audio, rate))
        if len([c for c in codec if c["set"] == "speech"]) < 12:
            for offset, audio, rate in windows(path, CODEC, [0.3]):
                codec.append({"id": path.stem, "set": "speech", "path": save("codec/speech", f"{path.stem}.wav", audio, rate)})

    tuning = tuning_cases(valid, songs, fonts, save)
    (args.out / "tune.json").write_text(json.dumps({"cases": tuning}, indent=1) + "\n")
    (args.out / "codec.json").write_text(json.dumps({"clips": codec}, indent=1) + "\n")
    (args.out / "continue.json").write_text(json.dumps({"cases": cases}, indent=1) + "\n")
    count = lambda items, s: sum(1 for i in items if i["set"] == s)
    print(json.dumps({"codec": {"piano": count(codec, "piano"), "speech": count(codec, "speech")},
                      "continue": {"piano": count(cases, "piano"), "speech": count(cases, "speech")},
                      "tune": {"piano": count(tuning, "piano"), "speech": count(tuning, "speech")}}))


if __name__ == "__main__":
    main()
