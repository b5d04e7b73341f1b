import { peakOf } from '../audio/analyseAudio';
import { integratedLoudness } from '../audio/loudness';

/**
 * A small codec loses level on what it cannot render (ours drops 3-4 LU of piano harmonics), so a
 * continuation comes out quieter than the prompt it follows. The codec's round trip of the
 * prompt's own end measures that loss on this very material; the same correction brings the
 * continuation back to the prompt's level without touching its dynamics.
 */
export const codecLevelLimits = {
  /** Of the prompt's end, the part whose round trip is measured. */
  measureSeconds: 2,
  /** A correction beyond this says more about a silent or odd prompt than about the codec. */
  maxCorrectionDb: 12,
  /** No correction pushes a take's peak above -1 dBFS. */
  peakCeiling: 10 ** (-1 / 20),
} as const;

/**
 * Decibels to add to the codec's output so that its rendering of `original` would be as loud as
 * `original` (K-weighted loudness, BS.1770); 0 where either is too short or too quiet to measure.
 */
export function codecLevelCorrectionDb(original: Float32Array, roundTrip: Float32Array, rate: number): number {
  const before = integratedLoudness([original], rate);
  const after = integratedLoudness([roundTrip], rate);
  if (before === null || after === null) return 0;
  const { maxCorrectionDb } = codecLevelLimits;
  return Math.min(maxCorrectionDb, Math.max(-maxCorrectionDb, before - after));
}

/**
 * The takes with the correction applied, all by the same gain so they stay comparable, lowered
 * where needed to keep every peak under the ceiling. Returns the decibels actually applied.
 */
export function applyLevelCorrection(takes: Float32Array[], correctionDb: number): { takes: Float32Array[]; appliedDb: number } {
  const peak = peakOf(takes);
  const wanted = 10 ** (correctionDb / 20);
  const gain = peak > 0 ? Math.min(wanted, Math.max(1, codecLevelLimits.peakCeiling / peak)) : wanted;
  if (gain === 1) return { takes, appliedDb: 0 };
  return { takes: takes.map((take) => take.map((sample) => sample * gain)), appliedDb: 20 * Math.log10(gain) };
}
