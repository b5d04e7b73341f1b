import { powerSpectrogram } from '../audio/spectrum';
import { analysis } from '../audio/spectral';

/** A note a transcription found: MIDI number and its span in seconds. */
export interface FoundNote { midi: number; start: number; end: number }

/**
 * The note finder behind the eval report's "notes before and after the seam": harmonic-sum
 * salience per semitone on 256 ms spectra, kept where it stands clearly above the frame's other
 * semitones, then joined into notes. It is a reading aid for piano continuations (are the notes
 * after the seam those of the prompt's key and register?), not a full transcriber: a note struck
 * again while it still sounds stays one note, and onsets are within a frame or two.
 */
export const noteFinding = {
  size: 4096,
  hop: 320, // 20 ms
  lowMidi: 36,
  highMidi: 96,
  harmonics: 5,
  harmonicDecay: 0.8,
  /** A note's fundamental must reach this share of its strongest partial. */
  fundamentalShare: 0.1,
  /** Kept semitones are at least this share of the frame's strongest... */
  relativeToStrongest: 0.3,
  /** ...and this many times the frame's median salience (a flat, noisy frame has no notes). */
  overMedian: 4,
  /** Frames quieter than the loudest frame by more than this many dB have no notes. */
  floorDb: 45,
  maxPolyphony: 6,
  minFrames: 3,
} as const;

const frequencyOf = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);
const names = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
export const noteName = (midi: number): string => `${names[midi % 12]}${Math.floor(midi / 12) - 1}`;

const binOf = (hz: number): number => (hz * noteFinding.size) / analysis.sampleRate;

/** Bins within a quarter tone of each of the note's partials: piano partials run a little sharp. */
function partialBins(midi: number): [number, number][] {
  const bins = noteFinding.size / 2 + 1;
  const ranges: [number, number][] = [];
  for (let h = 1; h <= noteFinding.harmonics; h++) {
    const centre = frequencyOf(midi) * h;
    if (centre >= analysis.sampleRate / 2) break;
    ranges.push([Math.max(1, Math.floor(binOf(centre * 2 ** (-0.5 / 12)))), Math.min(bins - 1, Math.ceil(binOf(centre * 2 ** (0.5 / 12))))]);
  }
  return ranges;
}

/** Every note's partial bins, once: the spectra all have the same size. */
const partialsOf = Array.from({ length: noteFinding.highMidi - noteFinding.lowMidi + 1 }, (_, i) => partialBins(noteFinding.lowMidi + i));

/** Harmonic-sum salience per semitone; zero where the fundamental itself is missing (a sub-harmonic). */
function salience(magnitude: Float32Array): Float64Array {
  const { lowMidi, highMidi, harmonicDecay, fundamentalShare } = noteFinding;
  const out = new Float64Array(highMidi - lowMidi + 1);
  for (let midi = lowMidi; midi <= highMidi; midi++) {
    const peaks = partialsOf[midi - lowMidi]!.map(([lo, hi]) => {
      let peak = 0;
      for (let k = lo; k <= hi; k++) peak = Math.max(peak, magnitude[k]!);
      return peak;
    });
    if (!peaks.length || peaks[0]! < fundamentalShare * Math.max(...peaks)) continue;
    out[midi - lowMidi] = peaks.reduce((sum, peak, h) => sum + harmonicDecay ** h * peak, 0);
  }
  return out;
}

/**
 * One frame's notes by estimate and cancel: take the most salient semitone, silence its partials,
 * look again. Cancelling is what keeps a note's own octave partial from reading as a second note
 * (and a true octave above a sounding note is missed: the price).
 */
function frameNotes(power: Float32Array): number[] {
  const { lowMidi, relativeToStrongest, overMedian, maxPolyphony } = noteFinding;
  const magnitude = power.map(Math.sqrt);
  const first = salience(magnitude);
  const sorted = [...first].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const strongest = sorted[sorted.length - 1]!;
  const found: number[] = [];
  for (let s = first; found.length < maxPolyphony; s = salience(magnitude)) {
    let best = 0;
    for (let i = 1; i < s.length; i++) if (s[i]! > s[best]!) best = i;
    if (s[best]! <= 0 || s[best]! < relativeToStrongest * strongest || s[best]! < overMedian * median) break;
    found.push(best + lowMidi);
    for (const [lo, hi] of partialsOf[best]!) magnitude.fill(0, lo, hi + 1);
  }
  return found;
}

function activeNotes(powers: Float32Array[]): Set<number>[] {
  const energies = powers.map((power) => power.reduce((sum, x) => sum + x, 0));
  const loudest = Math.max(...energies, 1e-20);
  return powers.map((power, t) => new Set(10 * Math.log10(energies[t]! / loudest + 1e-20) < -noteFinding.floorDb ? [] : frameNotes(power)));
}

/** Notes in 16 kHz audio, by start time. */
export function findNotes(audio16k: Float32Array): FoundNote[] {
  const { size, hop, minFrames } = noteFinding;
  const padded = new Float32Array(audio16k.length + size);
  padded.set(audio16k, size / 2);
  const powers = powerSpectrogram(padded, size, hop);
  const active = activeNotes(powers);
  const notes: FoundNote[] = [];
  const open = new Map<number, { first: number; last: number }>();
  const close = (midi: number, span: { first: number; last: number }) => {
    if (span.last - span.first + 1 >= minFrames) notes.push({ midi, start: (span.first * hop) / analysis.sampleRate, end: ((span.last + 1) * hop) / analysis.sampleRate });
    open.delete(midi);
  };
  active.forEach((now, t) => {
    for (const midi of now) {
      const span = open.get(midi);
      if (span && span.last >= t - 2) span.last = t; // a one-frame dropout does not end a note
      else {
        if (span) close(midi, span);
        open.set(midi, { first: t, last: t });
      }
    }
    for (const [midi, span] of open) if (span.last < t - 2) close(midi, span);
  });
  for (const [midi, span] of [...open]) close(midi, span);
  return notes.sort((a, b) => a.start - b.start || a.midi - b.midi);
}

/** The distinct notes sounding within [from, to) seconds, low to high, as names (e.g. "C4 E4 G4"). */
export function notesBetween(notes: FoundNote[], from: number, to: number): string {
  const midis = [...new Set(notes.filter((n) => n.start < to && n.end > from).map((n) => n.midi))].sort((a, b) => a - b);
  return midis.map(noteName).join(' ');
}
