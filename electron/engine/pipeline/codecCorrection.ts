import { peakOf } from '../audio/analyseAudio';
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
 * The takes equalised and brought to level, all alike so they stay comparable; returns the
 * correction as applied (the level can come out lower, to keep peaks under the ceiling).
 */
export function applyCodecCorrection(takes: Float32Array[], correction: CodecCorrection): { takes: Float32Array[]; applied: CodecCorrection } {
  const levelled = applyLevelCorrection(withinPeakCeiling(applyColourCorrection(takes, correction.colour), peakOf(takes)), correction.levelDb);
  return { takes: levelled.takes, applied: { colour: correction.colour, levelDb: levelled.appliedDb } };
}

/**
 * An equaliser boost can lift a loud take's peaks past full scale, which a WAV export would clip:
 * all takes are lowered alike until no peak is above the ceiling (or above where it already was).
 */
function withinPeakCeiling(equalised: Float32Array[], peakBefore: number): Float32Array[] {
  const peak = peakOf(equalised);
  const allowed = Math.max(codecLevelLimits.peakCeiling, peakBefore);
  if (peak <= allowed) return equalised;
  const gain = allowed / peak;
  return equalised.map((take) => take.map((sample) => sample * gain));
}
