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
 * The takes with the correction applied, all by the same gain so they stay comparable. Peaks may
 * pass full scale here: each finished take goes through the peak limiter (audio/peakLimiter.ts).
 */
export function applyLevelCorrection(takes: Float32Array[], correctionDb: number): Float32Array[] {
  if (correctionDb === 0) return takes;
  const gain = 10 ** (correctionDb / 20);
  return takes.map((take) => take.map((sample) => sample * gain));
}
