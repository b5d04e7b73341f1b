"""Build the training and validation audio for the codec and the LMs.

Renders piano MIDI through several soundfonts, gathers real speech and
synthesises speech with Debian's TTS voices; everything lands as 24 kHz mono
16-bit WAV under OUT/{train,valid}/ with an index (OUT/index.jsonl) and a
stats file. Reruns skip files that already exist, so the command resumes.

    /usr/bin/python3 -m data.build_dataset --out work/data [--piano-songs 240]
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, asdict
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from .sentences import make_sentences

SAMPLE_RATE = 24000
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
POP909 = SHARED / "piano" / "pop909"
LIBRISPEECH = SHARED / "speech" / "librispeech-train-clean-100"
SOUNDFONTS = {
    "fluidr3": Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    "musescore": Path("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"),
    "timgm6mb": Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
}
ESPEAK_VARIANTS = ["m1", "m3", "m5", "m7", "f1", "f2", "f4", "f5", "klatt", "klatt4", "Andy", "Annie",
                   "belinda", "benjamin", "david", "edward", "grandma", "linda", "paul", "steph"]
ESPEAK_VALID_VARIANTS = {"f4", "m7"}
FLITE_VOICES = ["kal16", "slt", "rms", "awb"]
FLITE_VALID_VOICES = {"awb"}


@dataclass
class Clip:
    path: str
    domain: str  # piano | speech
    source: str
    split: str  # train | valid
    group: str  # piece or speaker: the unit the split is made by
    seconds: float


def is_valid_piece(song_id: int) -> bool:
    return song_id % 20 == 0


def is_valid_speaker(speaker: str) -> bool:
    return int(speaker) % 10 == 3


def write_mono(path: Path, audio: np.ndarray, rate: int) -> float:
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if rate != SAMPLE_RATE:
        g = np.gcd(rate, SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, rate // g)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0.99:
        audio = audio * (0.99 / peak)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.wav")
    sf.write(tmp, audio.astype(np.float32), SAMPLE_RATE, subtype="PCM_16")
    tmp.rename(path)
    return len(audio) / SAMPLE_RATE


def seconds_of(path: Path) -> float:
    info = sf.info(path)
    return info.frames / info.samplerate


def render_piano(out: Path, song_id: int, font: str) -> Clip:
    split = "valid" if is_valid_piece(song_id) else "train"
    path = out / split / "piano" / f"pop909-{song_id:03d}-{font}.wav"
    if not path.exists():
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.6", "-r", str(SAMPLE_RATE),
                            "-F", str(raw), "-T", "wav", str(SOUNDFONTS[font]), str(POP909 / f"{song_id:03d}.mid")],
                           check=True, capture_output=True)
            audio, rate = sf.read(raw, dtype="float32")
            write_mono(path, trim_silence(audio), rate)
    return Clip(str(path), "piano", f"pop909/{font}", split, f"pop909-{song_id:03d}", seconds_of(path))


def trim_silence(audio: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    level = np.abs(audio if audio.ndim == 1 else audio.mean(axis=1))
    loud = np.nonzero(level > threshold)[0]
    return audio[loud[0]:loud[-1] + 1] if loud.size else audio[:0]


def copy_librispeech(out: Path, flac: Path) -> Clip:
    speaker = flac.name.split("-")[0]
    split = "valid" if is_valid_speaker(speaker) else "train"
    path = out / split / "speech" / f"librispeech-{flac.stem}.wav"
    if not path.exists():
        audio, rate = sf.read(flac, dtype="float32")
        write_mono(path, audio, rate)
    return Clip(str(path), "speech", "librispeech", split, f"librispeech-{speaker}", seconds_of(path))


def synthesise(out: Path, engine: str, voice: str, index: int, text: str) -> Clip:
    valid = voice in (ESPEAK_VALID_VARIANTS if engine == "espeak" else FLITE_VALID_VOICES)
    split = "valid" if valid else "train"
    path = out / split / "speech" / f"{engine}-{voice}-{index:03d}.wav"
    if not path.exists():
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            if engine == "espeak":
                rng = random.Random(f"{voice}{index}")
                cmd = ["espeak-ng", "-v", f"en-us+{voice}", "-s", str(rng.randint(130, 190)),
                       "-p", str(rng.randint(30, 70)), "-w", str(raw), text]
            else:
                cmd = ["flite", "-voice", voice, "-t", text, "-o", str(raw)]
            subprocess.run(cmd, check=True, capture_output=True)
            audio, rate = sf.read(raw, dtype="float32")
            write_mono(path, audio, rate)
    return Clip(str(path), "speech", engine, split, f"{engine}-{voice}", seconds_of(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--piano-songs", type=int, default=240, help="POP909 songs to render (of 879)")
    parser.add_argument("--tts-sentences", type=int, default=12, help="sentences per synthetic voice")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    out: Path = args.out.resolve()

    fonts = list(SOUNDFONTS)
    songs = sorted(int(p.stem) for p in POP909.glob("*.mid"))[: args.piano_songs]
    valid_songs = [s for s in sorted(int(p.stem) for p in POP909.glob("*.mid")) if is_valid_piece(s)][:12]
    piano_jobs = [(s, fonts[s % len(fonts)]) for s in songs]
    # Each validation piece in every timbre, so timbre consistency can be measured per piece.
    piano_jobs += [(s, f) for s in valid_songs for f in fonts if (s, f) not in piano_jobs]
    sentences = make_sentences(args.tts_sentences * (len(ESPEAK_VARIANTS) + len(FLITE_VOICES)), seed=7)

    # Speech first: it is quick, so both domains exist early and training can start on them.
    tasks = [lambda p=p: copy_librispeech(out, p) for p in sorted(LIBRISPEECH.glob("*.flac"))]
    k = 0
    for engine, voices in (("espeak", ESPEAK_VARIANTS), ("flite", FLITE_VOICES)):
        for voice in voices:
            for i in range(args.tts_sentences):
                tasks.append(lambda e=engine, v=voice, i=i, t=sentences[k]: synthesise(out, e, v, i, t))
                k += 1
    tasks += [lambda s=s, f=f: render_piano(out, s, f) for s, f in piano_jobs]

    clips: list[Clip] = []
    with ThreadPoolExecutor(args.jobs) as pool:
        for n, clip in enumerate(pool.map(lambda t: t(), tasks)):
            clips.append(clip)
            if n % 50 == 0:
                print(f"[{n + 1}/{len(tasks)}] {clip.path}", flush=True)

    with open(out / "index.jsonl", "w") as f:
        for clip in clips:
            f.write(json.dumps(asdict(clip)) + "\n")
    stats: dict[str, dict[str, float]] = {}
    for clip in clips:
        key = f"{clip.split}/{clip.domain}/{clip.source.split('/')[0]}"
        entry = stats.setdefault(key, {"clips": 0, "hours": 0.0})
        entry["clips"] += 1
        entry["hours"] = round(entry["hours"] + clip.seconds / 3600, 4)
    (out / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")
    print(json.dumps(stats, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
