"""A small sampler over the Salamander Grand Piano V3 (CC BY 3.0, Alexander Holm), from the npm
packages @audio-samples/piano-velocity{N}: a real Yamaha C5 sampled every minor third at 16
velocity layers, 48 kHz.

    piano = SalamanderPiano.fetch(work / "salamander", layers=(4, 8, 12, 16))
    audio = piano.render(notes, pedal, seconds, rate=24000)
"""
from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

NOTE_OFFSETS = {"C": 0, "Ds": 3, "D#": 3, "Fs": 6, "F#": 6, "A": 9}
RELEASE_SECONDS = 0.35


def midi_number(name: str) -> int:
    match = re.fullmatch(r"(C|Ds|D#|Fs|F#|A)(\d)", name)
    if not match:
        raise ValueError(name)
    return 12 * (int(match.group(2)) + 1) + NOTE_OFFSETS[match.group(1)]


class SalamanderPiano:
    def __init__(self, samples: dict[int, dict[int, np.ndarray]], rate: int):
        self.samples, self.rate = samples, rate  # samples[layer][midi] = mono audio
        self.layers = sorted(samples)

    @staticmethod
    def fetch(folder: Path, layers=(4, 8, 12, 16)) -> "SalamanderPiano":
        """Downloads the layers' npm packages once (npm pack), then loads their OGG samples."""
        folder.mkdir(parents=True, exist_ok=True)
        samples: dict[int, dict[int, np.ndarray]] = {}
        rate = 48000
        for layer in layers:
            unpacked = folder / f"velocity{layer}"
            if not unpacked.exists():
                done = subprocess.run(["npm", "pack", f"@audio-samples/piano-velocity{layer}", "--pack-destination", str(folder)],
                                      check=True, capture_output=True, text=True)
                archive = folder / done.stdout.strip().splitlines()[-1]
                with tarfile.open(archive) as tar:
                    tar.extractall(unpacked)
                archive.unlink()
            samples[layer] = {}
            for ogg in sorted((unpacked / "package" / "audio").glob("*.ogg")):
                audio, rate = sf.read(ogg, dtype="float32")
                samples[layer][midi_number(ogg.stem.split("v")[0])] = audio.mean(axis=1) if audio.ndim == 2 else audio
        return SalamanderPiano(samples, rate)

    def note(self, pitch: int, velocity: int, held: float) -> np.ndarray:
        """One note: the nearest sampled pitch of the velocity's layer, re-pitched, cut with a release."""
        layer = self.layers[min(len(self.layers) - 1, int(velocity / 128 * len(self.layers)))]
        bank = self.samples[layer]
        source = min(bank, key=lambda p: abs(p - pitch))
        ratio = 2 ** ((pitch - source) / 12)
        audio = bank[source]
        length = min(len(audio), int((held + RELEASE_SECONDS) * self.rate * ratio))
        positions = np.arange(0, length, ratio)
        out = np.interp(positions, np.arange(len(audio)), audio).astype(np.float32)
        release = int(RELEASE_SECONDS * self.rate)
        if len(out) > release:
            out[-release:] *= np.exp(-np.linspace(0, 6, release))
        # Layers are recorded at their own loudness; scale softly within a layer too.
        return out * (0.5 + 0.5 * velocity / 127)

    def render(self, notes, pedal: list[tuple[float, float]], seconds: float, rate: int) -> np.ndarray:
        out = np.zeros(int(seconds * self.rate) + self.rate, dtype=np.float32)
        for n in notes:
            held = n.duration
            for down, up in pedal:
                if down <= n.start + n.duration < up:
                    held = up - n.start  # the sustain pedal holds the note until it lifts
            audio = self.note(n.pitch, n.velocity, held)
            start = int(n.start * self.rate)
            end = min(len(out), start + len(audio))
            out[start:end] += audio[: end - start]
        out = out[: int(seconds * self.rate)]
        peak = float(np.max(np.abs(out))) or 1.0
        out = out / peak * 0.8
        g = np.gcd(rate, self.rate)
        return resample_poly(out, rate // g, self.rate // g).astype(np.float32)


def notes_from_midi(path: Path):
    """Notes and pedal of a MIDI file (all tracks), in seconds."""
    import mido

    from .procedural import Note

    notes, pedal, sounding, pedal_down = [], [], {}, None
    t = 0.0
    for message in mido.MidiFile(path):
        t += message.time
        if message.type == "note_on" and message.velocity > 0:
            sounding[(message.channel, message.note)] = (t, message.velocity)
        elif message.type in ("note_off", "note_on") and (message.channel, message.note) in sounding:
            start, velocity = sounding.pop((message.channel, message.note))
            notes.append(Note(message.note, velocity, start, max(0.05, t - start)))
        elif message.type == "control_change" and message.control == 64:
            if message.value >= 64 and pedal_down is None:
                pedal_down = t
            elif message.value < 64 and pedal_down is not None:
                pedal.append((pedal_down, t))
                pedal_down = None
    return notes, pedal, t
