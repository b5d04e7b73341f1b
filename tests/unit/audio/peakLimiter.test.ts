import { describe, expect, it } from 'vitest';
import { peakOf } from '../../../electron/engine/audio/analyseAudio';
import { integratedLoudness } from '../../../electron/engine/audio/loudness';
import { limitPeaks, peakLimits } from '../../../electron/engine/audio/peakLimiter';
import { sine } from '../../fixtures/signals';

const rate = 24000;
const lookahead = Math.round(peakLimits.lookaheadSeconds * rate);

/** A steady tone with short loud clicks at the given seconds, the shape of a take's spikes. */
function toneWithClicks(clicksAt: number[], clickAmplitude: number): Float32Array {
  const audio = sine(330, rate, 4, 0.25);
  for (const seconds of clicksAt) {
    const at = Math.round(seconds * rate);
    for (let i = 0; i < 24; i++) audio[at + i] = clickAmplitude * Math.sin((Math.PI * i) / 24);
  }
  return audio;
}

describe('the peak limiter', () => {
  it('returns a take already under the ceiling untouched', () => {
    const take = sine(440, rate, 1, 0.8);
    const limited = limitPeaks(take, rate);
    expect(limited.audio).toBe(take);
    expect(limited.reductionDb).toBe(0);
  });

  it('keeps every sample under -1 dBFS, however far over full scale the take went', () => {
    for (const amplitude of [0.95, 1.5, 4, 30]) {
      const limited = limitPeaks(toneWithClicks([0.5, 1.7, 1.701, 3.2], amplitude), rate);
      expect(peakOf([limited.audio])).toBeLessThanOrEqual(peakLimits.ceiling + 1e-6);
      expect(limited.reductionDb).toBeCloseTo(20 * Math.log10(amplitude / peakLimits.ceiling), 1);
    }
  });

  it('glides into and out of the gain a peak needs: scaled, never clipped, no step that would click', () => {
    const take = toneWithClicks([1], 2);
    const limited = limitPeaks(take, rate).audio;
    const gains = Array.from(take, (sample, i) => (Math.abs(sample) > 0.05 ? limited[i]! / sample : null));
    let steepest = 0;
    for (let i = 1; i < gains.length; i++) {
      if (gains[i] !== null && gains[i - 1] !== null) steepest = Math.max(steepest, Math.abs(gains[i]! - gains[i - 1]!));
    }
    expect(steepest).toBeLessThan(0.02);
    const click = gains.slice(Math.round(rate) + 1, Math.round(rate) + 24) as number[];
    expect(Math.max(...click)).toBeLessThan(peakLimits.ceiling / 2 + 0.05);
  });

  it('is already down at the first sample when the take starts on a peak (the seam is not clipped)', () => {
    const take = toneWithClicks([0], 2);
    const limited = limitPeaks(take, rate).audio;
    const click = Array.from({ length: 22 }, (_, i) => limited[i + 1]! / take[i + 1]!);
    expect(Math.max(...click) - Math.min(...click)).toBeLessThan(0.02);
    expect(Math.max(...click)).toBeLessThan(peakLimits.ceiling / 2 + 0.005);
  });

  it('changes only the neighbourhood of a click, so the take keeps its loudness', () => {
    const take = toneWithClicks([2], 3);
    const limited = limitPeaks(take, rate).audio;
    const at = Math.round(2 * rate);
    // Before the look-ahead window the take is untouched, and well after the release it is back.
    for (let i = 0; i < at - lookahead - 1; i++) expect(limited[i]).toBe(take[i]);
    const recovered = at + Math.round(8 * peakLimits.releaseSeconds * rate);
    for (let i = recovered; i < take.length; i++) expect(Math.abs(limited[i]! - take[i]!)).toBeLessThan(0.001);
    const toneOnly = sine(330, rate, 4, 0.25);
    expect(Math.abs(integratedLoudness([limited], rate)! - integratedLoudness([toneOnly], rate)!)).toBeLessThan(0.5);
  });

  it('limits a take that is loud throughout to the ceiling with no sample over it', () => {
    const take = sine(110, rate, 2, 1.6);
    const limited = limitPeaks(take, rate).audio;
    expect(peakOf([limited])).toBeLessThanOrEqual(peakLimits.ceiling + 1e-6);
    expect(peakOf([limited])).toBeGreaterThan(peakLimits.ceiling * 0.95);
  });
});
