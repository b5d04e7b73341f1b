import { describe, expect, it } from 'vitest';
import {
  applyColourCorrection, codecColourCorrection, codecColourLimits, isFlat, meanSpectrum,
} from '../../../electron/engine/pipeline/codecColour';
import { measureCodecCorrection, applyCodecCorrection } from '../../../electron/engine/pipeline/codecCorrection';
import { integratedLoudness } from '../../../electron/engine/audio/loudness';
import { Random } from '../../../electron/engine/sampling/random';
import { rms, sine } from '../../fixtures/signals';

const rate = 24000;

function noise(seconds: number, seed: number): Float32Array {
  const random = new Random(seed, 0);
  return Float32Array.from({ length: Math.round(seconds * rate) }, () => 0.2 * (random.next() * 2 - 1));
}

/** A stand-in for a dull codec: a one-pole low-pass, which cuts the top octaves by several dB. */
function dulled(audio: Float32Array, pole = 0.6): Float32Array {
  const out = new Float32Array(audio.length);
  let state = 0;
  for (let i = 0; i < audio.length; i++) out[i] = state = (1 - pole) * audio[i]! + pole * state;
  return out;
}

/** Level in dB of the part of `audio` between two frequencies, from its mean power spectrum. */
function bandDb(audio: Float32Array, fromHz: number, toHz: number): number {
  const power = meanSpectrum(audio)!;
  const hzPerBin = rate / codecColourLimits.fftSize;
  let sum = 0;
  for (let k = Math.ceil(fromHz / hzPerBin); k <= Math.floor(toHz / hzPerBin); k++) sum += power[k]!;
  return 10 * Math.log10(sum);
}

describe('the codec colour correction', () => {
  it('measures a dull rendering and gives the top back, leaving the low end where it was', () => {
    const original = noise(4, 1);
    const roundTrip = dulled(original);
    const correction = codecColourCorrection(original, roundTrip);
    const take = dulled(noise(3, 2));
    const [corrected] = applyColourCorrection([take], correction);
    const reference = noise(3, 2);
    const lossBefore = bandDb(reference, 6000, 11000) - bandDb(take, 6000, 11000);
    const lossAfter = bandDb(reference, 6000, 11000) - bandDb(corrected!, 6000, 11000);
    expect(lossBefore).toBeGreaterThan(9);
    expect(Math.abs(lossAfter)).toBeLessThan(1);
    expect(Math.abs(bandDb(reference, 100, 1000) - bandDb(corrected!, 100, 1000))).toBeLessThan(1);
  });

  it('is flat for a faithful codec, a silent prompt or one shorter than its window', () => {
    const original = noise(2, 3);
    const same = codecColourCorrection(original, original);
    expect(Math.max(...same.gainsDb.map(Math.abs))).toBeLessThan(1e-6);
    expect(isFlat(codecColourCorrection(new Float32Array(2 * rate), original))).toBe(true);
    expect(isFlat(codecColourCorrection(original, new Float32Array(2 * rate)))).toBe(true);
    const short = original.subarray(0, codecColourLimits.fftSize - 1);
    expect(isFlat(codecColourCorrection(short, dulled(short)))).toBe(true);
  });

  it('never boosts or cuts beyond its limit, and never boosts what the prompt did not have', () => {
    const original = sine(440, rate, 3, 0.5);
    const roundTrip = original.map((x, i) => x * 0.01 + 0.05 * Math.sin((2 * Math.PI * 5000 * i) / rate));
    const { gainsDb } = codecColourCorrection(original, roundTrip);
    const bin = (hz: number) => Math.round((hz * codecColourLimits.fftSize) / rate);
    expect(gainsDb[bin(440)]).toBe(codecColourLimits.maxCorrectionDb);
    expect(gainsDb[bin(5000)]).toBe(-codecColourLimits.maxCorrectionDb);
    for (const db of gainsDb) expect(Math.abs(db)).toBeLessThanOrEqual(codecColourLimits.maxCorrectionDb);
    expect(Math.max(...gainsDb.subarray(bin(2000), bin(4000)))).toBeLessThanOrEqual(0);
  });

  it('keeps a take aligned and its length: a flat band passes through unchanged', () => {
    const original = noise(3, 4);
    const roundTrip = dulled(original, 0.3);
    const correction = codecColourCorrection(original, roundTrip);
    const tone = sine(200, rate, 1, 0.3);
    const [passed] = applyColourCorrection([tone], correction);
    expect(passed!.length).toBe(tone.length);
    const gain = 10 ** (correction.gainsDb[Math.round((200 * codecColourLimits.fftSize) / rate)]! / 20);
    const residual = tone.map((x, i) => passed![i]! - gain * x).subarray(2000, tone.length - 2000);
    expect(rms(residual)).toBeLessThan(0.01 * rms(tone));
  });

  it('then brings the takes to the prompt level where the equaliser could not, all by the same gain', () => {
    const original = noise(6, 5);
    // Quieter and duller than the equaliser's limit undoes: the level step makes up the rest.
    const roundTrip = dulled(original).map((x) => x * 0.5);
    const correction = measureCodecCorrection(original, roundTrip, rate);
    const takes = [dulled(noise(2, 6)).map((x) => x * 0.5), dulled(noise(2, 7)).map((x) => x * 0.5)];
    const equalisedOnly = applyColourCorrection(takes, correction.colour);
    const target = integratedLoudness([noise(2, 6)], rate)!;
    expect(target - integratedLoudness([equalisedOnly[0]!], rate)!).toBeGreaterThan(1);
    const corrected = applyCodecCorrection(takes, correction);
    expect(correction.levelDb).toBeGreaterThan(1);
    for (const take of corrected) expect(Math.abs(integratedLoudness([take], rate)! - target)).toBeLessThan(1);
  });
});

