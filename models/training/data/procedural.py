"""A procedural piano composer: licence-clean material beyond pop.

Each piece picks a key (major or minor), a tempo, a meter and a progression, and plays a left-hand
pattern (block chords, Alberti bass, arpeggios, broken octaves) under a right-hand melody built from
chord tones and passing notes, with dynamics that swell and fall and a pedal change per bar. Some
pieces are technical studies instead: scales and arpeggios through the key.

    notes = compose(seed)   # [Note(pitch, velocity, start, duration)], seconds
"""
from __future__ import annotations

import random
from dataclasses import dataclass

MAJOR = [0, 2, 4, 5, 7, 9, 11]
MINOR = [0, 2, 3, 5, 7, 8, 10]
PROGRESSIONS = {
    "major": [[1, 5, 6, 4], [1, 4, 5, 1], [2, 5, 1, 6], [1, 6, 2, 5], [1, 3, 4, 5], [4, 5, 3, 6]],
    "minor": [[1, 4, 5, 1], [1, 6, 3, 7], [1, 7, 6, 5], [1, 4, 7, 3], [6, 7, 1, 1]],
}


@dataclass
class Note:
    pitch: int
    velocity: int
    start: float
    duration: float


@dataclass
class Piece:
    notes: list[Note]
    pedal: list[tuple[float, float]]  # (down, up) in seconds
    seconds: float
    description: str


def degree_chord(tonic: int, scale: list[int], degree: int) -> list[int]:
    """A triad on a scale degree (1-based), as pitch classes above the tonic."""
    return [tonic + scale[(degree - 1 + k) % 7] + 12 * ((degree - 1 + k) // 7) for k in (0, 2, 4)]


def compose(seed: int, bars: int = 16) -> Piece:
    rng = random.Random(seed)
    mode = rng.choice(["major", "major", "minor"])
    scale = MAJOR if mode == "major" else MINOR
    tonic = 48 + rng.randrange(12)
    tempo = rng.uniform(60, 150)
    beats = rng.choice([3, 4, 4])
    beat = 60.0 / tempo
    if rng.random() < 0.15:
        return study(rng, tonic, scale, mode, beat)
    progression = rng.choice(PROGRESSIONS[mode])
    pattern = rng.choice(["block", "alberti", "arpeggio", "octaves"])
    notes: list[Note] = []
    pedal: list[tuple[float, float]] = []
    swell = rng.uniform(0.2, 0.5)
    base_velocity = rng.randint(45, 85)
    melody_pitch = tonic + 12 + rng.choice(scale)
    for bar in range(bars):
        start = bar * beats * beat
        chord = degree_chord(tonic, scale, progression[bar % len(progression)])
        dynamic = base_velocity * (1 + swell * ((bar % 8) / 8 - 0.5))
        vel = lambda extra=0: max(20, min(120, int(dynamic + extra + rng.randint(-8, 8))))
        bass = [p - 12 for p in chord]
        if pattern == "block":
            for b in range(beats):
                for p in (bass[0] - 12 if b == 0 else bass[0], bass[1], bass[2]):
                    notes.append(Note(p, vel(-10), start + b * beat, beat * 0.9))
        elif pattern == "alberti":
            order = [0, 2, 1, 2]
            for s in range(beats * 2):
                notes.append(Note(bass[order[s % 4]], vel(-15), start + s * beat / 2, beat / 2 * 0.95))
        elif pattern == "arpeggio":
            tones = bass + [bass[0] + 12, bass[2] + 12]
            for s in range(beats * 2):
                notes.append(Note(tones[s % len(tones)], vel(-15), start + s * beat / 2, beat * 1.5))
        else:
            for b in range(beats):
                notes.append(Note(bass[0] - 12, vel(-8), start + b * beat, beat / 2))
                notes.append(Note(bass[0], vel(-12), start + b * beat + beat / 2, beat / 2))
        pedal.append((start + 0.02, start + beats * beat - 0.05))
        t = start
        while t < start + beats * beat - 1e-6:
            length = rng.choice([0.5, 1, 1, 1, 2, 1.5]) * beat
            length = min(length, start + beats * beat - t)
            chord_tones = [p + 12 * k for p in chord for k in (1, 2)]
            if rng.random() < 0.7:
                melody_pitch = min(chord_tones, key=lambda p: abs(p - melody_pitch) + rng.random() * 3)
            else:
                step = rng.choice([-2, -1, 1, 2])
                candidates = [p for p in range(melody_pitch - 3, melody_pitch + 4) if (p - tonic) % 12 in scale]
                melody_pitch = min(candidates, key=lambda p: abs(p - (melody_pitch + step)))
            melody_pitch = max(tonic + 7, min(tonic + 31, melody_pitch))
            if rng.random() > 0.08:
                notes.append(Note(melody_pitch, vel(8), t, length * 0.95))
            t += length
    seconds = bars * beats * beat + 2.0
    return Piece(notes, pedal, seconds, f"{mode} {pattern} {tempo:.0f} bpm {beats}/4")


def study(rng: random.Random, tonic: int, scale: list[int], mode: str, beat: float) -> Piece:
    """Scales and arpeggios up and down through two or three octaves."""
    notes: list[Note] = []
    t = 0.0
    step = beat / rng.choice([2, 3, 4])
    octaves = rng.choice([2, 3])
    for _ in range(rng.randint(3, 6)):
        if rng.random() < 0.5:
            up = [tonic + 12 * o + s for o in range(octaves) for s in scale] + [tonic + 12 * octaves]
        else:
            up = [tonic + 12 * o + s for o in range(octaves) for s in (scale[0], scale[2], scale[4])] + [tonic + 12 * octaves]
        for p in up + up[-2::-1]:
            notes.append(Note(p, max(25, min(115, int(70 + 25 * (p - tonic) / (12 * octaves) + rng.randint(-6, 6)))), t, step * 1.1))
            t += step
        t += beat
    return Piece(notes, [], t + 2.0, f"{mode} study {60 / beat:.0f} bpm")


def write_midi(piece: Piece, path) -> None:
    """The piece as a standard MIDI file (for fluidsynth), 480 ticks per beat at 120 bpm."""
    import mido

    ticks = lambda seconds: int(round(seconds * 960))  # 480 ticks per 0.5 s beat
    events = []
    for n in piece.notes:
        events.append((ticks(n.start), mido.Message("note_on", note=n.pitch, velocity=n.velocity)))
        events.append((ticks(n.start + n.duration), mido.Message("note_off", note=n.pitch, velocity=0)))
    for down, up in piece.pedal:
        events.append((ticks(down), mido.Message("control_change", control=64, value=127)))
        events.append((ticks(up), mido.Message("control_change", control=64, value=0)))
    events.sort(key=lambda e: (e[0], e[1].type == "note_on"))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=500000))
    now = 0
    for at, message in events:
        track.append(message.copy(time=at - now))
        now = at
    midi = mido.MidiFile(ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(path)
