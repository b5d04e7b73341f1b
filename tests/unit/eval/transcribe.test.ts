import { describe, expect, it } from 'vitest';
import { findNotes, noteName, notesBetween } from '../../../electron/engine/eval/transcribe';
import { Random } from '../../../electron/engine/sampling/random';

const rate = 16000;

/** A piano-like note: six partials, slightly stretched, decaying; added into `out` from `start` s. */
function addNote(out: Float32Array, midi: number, start: number, seconds: number, gain = 0.2): void {
  const f = 440 * 2 ** ((midi - 69) / 12);
  const first = Math.round(start * rate);
  for (let i = 0; i < seconds * rate && first + i < out.length; i++) {
    const t = i / rate;
    let sample = 0;
    for (let h = 1; h <= 6; h++) sample += Math.sin(2 * Math.PI * f * h * (1 + 0.0004 * h * h) * t) * 0.7 ** (h - 1);
    out[first + i]! += gain * Math.exp(-1.5 * t) * Math.min(1, t * 200) * sample;
  }
}

describe('findNotes', () => {
  it('finds a bass note and a later dyad with their times', () => {
    const audio = new Float32Array(2 * rate);
    addNote(audio, 45, 0, 1.2); // A2
    addNote(audio, 72, 0.6, 1.2); // C5
    addNote(audio, 76, 0.6, 1.2); // E5
    const notes = findNotes(audio);
    expect([...new Set(notes.map((n) => noteName(n.midi)))].sort()).toEqual(['A2', 'C5', 'E5']);
    const c5 = notes.find((n) => n.midi === 72)!;
    expect(c5.start).toBeGreaterThan(0.45);
    expect(c5.start).toBeLessThan(0.75);
    const a2 = notes.find((n) => n.midi === 45)!;
    expect(a2.start).toBeLessThan(0.15);
    expect(notesBetween(notes, 0, 0.4)).toBe('A2');
    expect(notesBetween(notes, 0.8, 1.0)).toBe('A2 C5 E5');
  });

  it('reports no notes in silence and at most a stray one in white noise', () => {
    expect(findNotes(new Float32Array(rate))).toEqual([]);
    const random = new Random(3);
    const noise = Float32Array.from({ length: 2 * rate }, () => 0.1 * (random.next() * 2 - 1));
    expect(findNotes(noise).length).toBeLessThanOrEqual(1);
  });

  it('names notes in scientific pitch notation', () => {
    expect([noteName(60), noteName(69), noteName(21), noteName(61)]).toEqual(['C4', 'A4', 'A0', 'C#4']);
  });
});
