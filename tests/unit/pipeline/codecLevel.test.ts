import { describe, expect, it } from 'vitest';
import { peakOf } from '../../../electron/engine/audio/analyseAudio';
import { integratedLoudness } from '../../../electron/engine/audio/loudness';
import { applyLevelCorrection, codecLevelCorrectionDb, codecLevelLimits } from '../../../electron/engine/pipeline/codecLevel';
import { sine } from '../../fixtures/signals';

const rate = 24000;
const scaled = (audio: Float32Array, gain: number): Float32Array => audio.map((x) => x * gain);

describe('the codec level correction', () => {
  it('measures how much quieter the round trip came out', () => {
    const original = sine(440, rate, 2, 0.5);
    expect(codecLevelCorrectionDb(original, scaled(original, 10 ** (-4 / 20)), rate)).toBeCloseTo(4, 1);
    expect(codecLevelCorrectionDb(original, scaled(original, 2), rate)).toBeCloseTo(-6.02, 1);
  });

  it('does nothing for a silent or too short prompt, and never more than its limit', () => {
    const original = sine(440, rate, 2, 0.5);
    expect(codecLevelCorrectionDb(new Float32Array(2 * rate), original, rate)).toBe(0);
    expect(codecLevelCorrectionDb(original.subarray(0, rate / 10), original.subarray(0, rate / 10), rate)).toBe(0);
    expect(codecLevelCorrectionDb(original, scaled(original, 0.001), rate)).toBe(codecLevelLimits.maxCorrectionDb);
  });

  it('brings every take up or down by the same gain, so they stay comparable', () => {
    const takes = [sine(220, rate, 1, 0.1), sine(330, rate, 1, 0.05)];
    for (const db of [6, -6]) {
      const corrected = applyLevelCorrection(takes, db);
      for (const [i, take] of corrected.entries()) {
        expect(integratedLoudness([take], rate)! - integratedLoudness([takes[i]!], rate)!).toBeCloseTo(db, 1);
      }
    }
  });

  it('leaves peaks over full scale to the limiter rather than giving up the gain', () => {
    const loud = [sine(220, rate, 1, 0.7)];
    expect(peakOf(applyLevelCorrection(loud, 6))).toBeCloseTo(0.7 * 10 ** (6 / 20), 3);
    expect(applyLevelCorrection(loud, 0)).toBe(loud);
  });
});
