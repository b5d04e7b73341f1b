import { describe, expect, it } from 'vitest';
import { clipOnsetRate } from '../../../electron/engine/audio/onsets';

describe('a clip\'s onset rate', () => {
  it('counts the notes of a click-like pulse per second, whatever the clip\'s rate', async () => {
    // Plucked notes, each ringing until the next, stepping through a scale.
    const pulse = (rate: number, perSecond: number) => {
      const audio = new Float32Array(rate * 4);
      const length = Math.round(rate / perSecond);
      for (let n = 0; n * length < audio.length; n++) {
        const f = 262 * 2 ** ((2 * (n % 5)) / 12);
        for (let i = 0; i < length && n * length + i < audio.length; i++) audio[n * length + i] = 0.3 * Math.exp((-4 * i) / rate) * Math.sin((2 * Math.PI * f * i) / rate);
      }
      return audio;
    };
    expect(await clipOnsetRate(pulse(24000, 3), 24000)).toBeCloseTo(3, 0);
    expect(await clipOnsetRate(pulse(44100, 6), 44100)).toBeCloseTo(6, 0);
  });
});
