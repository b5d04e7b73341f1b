import { integratedLoudness } from '../audio/loudness';
import { median } from '../statistics';

/**
 * Our small LMs drift quieter than the prompt they continue (the session-8 chain's takes came out
 * 2-4 dB below it even after the codec's own loss was undone), which a musician hears as a drop at
 * the join and has to fix by hand in the DAW. One gain for all takes, the median of what each take
 * would need to be as loud as the prompt, removes that drift and keeps the takes' levels relative
 * to each other (a take the model played softer stays softer than the rest).
 */
export const takeLevelLimits = {
  /** A larger gap says more about an odd prompt (a fade-out, a lone breath) than about drift. */
  maxMatchDb: 6,
} as const;

/**
 * Decibels to add to every take so the median take is as loud as the prompt (BS.1770 integrated
 * loudness, gated, so pauses do not count); 0 where the prompt or every take is too quiet to measure.
 */
export function takeLevelMatchDb(prompt: Float32Array, takes: readonly Float32Array[], rate: number): number {
  const target = integratedLoudness([prompt], rate);
  if (target === null) return 0;
  const gaps = takes.map((take) => integratedLoudness([take], rate)).filter((level): level is number => level !== null).map((level) => target - level);
  if (!gaps.length) return 0;
  return Math.min(takeLevelLimits.maxMatchDb, Math.max(-takeLevelLimits.maxMatchDb, median(gaps)));
}
