import { describe, expect, it } from 'vitest';
import { clipOnsetRate, nearestInKeyAndPace } from '../../../electron/engine/pipeline/takeChoice';

const take = (keySimilarity: number, onsetRate: number) => ({ keySimilarity, onsetRate });

describe('choosing the takes nearest the prompt in key and pace', () => {
  it('keeps the takes whose onset rate is nearest the prompt\'s where their keys are alike', () => {
    const takes = [take(0.9, 7), take(0.9, 3.2), take(0.9, 1), take(0.9, 4.5)];
    expect(nearestInKeyAndPace(4, takes, 2)).toEqual([1, 3]);
  });

  it('keeps the takes nearest the prompt\'s key where their pace is alike', () => {
    const takes = [take(0.2, 4), take(0.95, 4), take(0.5, 4), take(0.9, 4)];
    expect(nearestInKeyAndPace(4, takes, 2)).toEqual([1, 3]);
  });

  it('prefers a take near in both to takes nearest in only one', () => {
    // Row 0 is nearest in key but far in pace, row 2 nearest in pace but far in key; row 1 is second in both.
    const takes = [take(0.99, 9), take(0.9, 4.4), take(0.1, 4), take(0.5, 8)];
    expect(nearestInKeyAndPace(4, takes, 1)).toEqual([1]);
  });

  it('breaks a tie by the nearer key, then the earlier row, and returns rows in drawn order', () => {
    // Rows 0 and 1 tie on rank sum (0+1, 1+0); row 0 is nearer in key.
    expect(nearestInKeyAndPace(4, [take(0.9, 5), take(0.8, 4), take(0.1, 9)], 1)).toEqual([0]);
    expect(nearestInKeyAndPace(4, [take(0.5, 6), take(0.5, 6), take(0.5, 6)], 2)).toEqual([0, 1]);
    expect(nearestInKeyAndPace(4, [take(0.1, 9), take(0.9, 4)], 2)).toEqual([0, 1]);
  });
});

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
