import { describe, expect, it } from 'vitest';
import { resample } from '../../../electron/engine/audio/resample';
import { rms, sine, zeroCrossingFrequency } from '../../fixtures/signals';

describe('resample', () => {
  it.each([
    [44100, 48000, 1000],
    [48000, 44100, 3000],
    [44100, 16000, 440],
    [22050, 24000, 5000],
    [16000, 48000, 200],
  ])('%i Hz -> %i Hz keeps a %i Hz sine\'s frequency, level and length', async (from, to, frequency) => {
    const input = sine(frequency, from, 1.0, 0.5);
    const [output] = await resample([input], from, to);
    expect(output!.length).toBe(Math.round(input.length * (to / from)));
    expect(zeroCrossingFrequency(output!, to)).toBeCloseTo(frequency, 1);
    const margin = Math.round(to * 0.05);
    const levelDb = 20 * Math.log10(rms(output!, margin, output!.length - margin) / rms(input));
    expect(Math.abs(levelDb)).toBeLessThan(0.05);
  });

  it('starts aligned with the input: no delay is added', async () => {
    const input = sine(440, 44100, 0.5, 0.5);
    const [output] = await resample([input], 44100, 48000);
    const expected = sine(440, 48000, 0.5, 0.5);
    let worst = 0;
    for (let i = 2000; i < 20000; i++) worst = Math.max(worst, Math.abs(output![i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-3);
  });

  it('removes content above the new Nyquist frequency', async () => {
    const [output] = await resample([sine(10000, 44100, 0.5, 0.5)], 44100, 16000);
    expect(rms(output!, 800, output!.length - 800)).toBeLessThan(1e-3);
  });

  it('resamples each channel on its own', async () => {
    const [left, right] = await resample([sine(440, 44100, 0.5), new Float32Array(22050)], 44100, 48000);
    expect(rms(left!)).toBeGreaterThan(0.3);
    expect(rms(right!)).toBe(0);
  });
});

describe('resample in chunks', () => {
  it('has no seams at chunk borders over several seconds', async () => {
    for (const [from, to] of [[44100, 48000], [48000, 16000], [22050, 44100]] as const) {
      const input = sine(997, from, 3.3, 0.5);
      const [output] = await resample([input], from, to);
      const expected = sine(997, to, 3.3, 0.5);
      let worst = 0;
      for (let i = 2000; i < output!.length - 2000; i++) worst = Math.max(worst, Math.abs(output![i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('reports progress between chunks and stops when told to', async () => {
    const fractions: number[] = [];
    await resample([sine(440, 44100, 3)], 44100, 48000, { onChunk: (f) => void fractions.push(f) });
    expect(fractions).toEqual([1 / 3, 2 / 3, 1]);
    const stop = resample([sine(440, 44100, 3)], 44100, 48000, { onChunk: () => Promise.reject(new Error('cancelled')) });
    await expect(stop).rejects.toThrow('cancelled');
  });
});
