import { applyColourCorrection, codecColourCorrection, codecColourLimits, type ColourCorrection } from './codecColour';
import { applyLevelCorrection, codecLevelCorrectionDb, codecLevelLimits } from './codecLevel';

/**
 * What the codec's round trip of the prompt says to undo in the takes: its colouring (an equaliser,
 * which also carries a broadband loss up to its limit), then whatever level loss is left.
 */
export interface CodecCorrection {
  readonly colour: ColourCorrection;
  readonly levelDb: number;
}

/** Of the prompt's end, the part whose round trip both corrections are measured on. */
export const correctionMeasureSeconds = Math.max(codecColourLimits.measureSeconds, codecLevelLimits.measureSeconds);

/**
 * The correction measured on the prompt's end and the codec's rendering of it (same length, same
 * rate). The level is measured after the equaliser, on the last codecLevelLimits.measureSeconds,
 * where the continuation joins.
 */
export function measureCodecCorrection(original: Float32Array, roundTrip: Float32Array, rate: number): CodecCorrection {
  const colour = codecColourCorrection(original, roundTrip);
  const [equalised] = applyColourCorrection([roundTrip], colour);
  const tail = Math.min(original.length, equalised!.length, Math.round(codecLevelLimits.measureSeconds * rate));
  const levelDb = codecLevelCorrectionDb(original.subarray(original.length - tail), equalised!.subarray(equalised!.length - tail), rate);
  return { colour, levelDb };
}

/**
 * The takes equalised and brought to level, all alike so they stay comparable. Peaks may pass full
 * scale here: each finished take goes through the peak limiter (audio/peakLimiter.ts).
 */
export function applyCodecCorrection(takes: Float32Array[], correction: CodecCorrection): Float32Array[] {
  return applyLevelCorrection(applyColourCorrection(takes, correction.colour), correction.levelDb);
}
