import { describe, expect, it } from 'vitest';
import { toAnalysisRate } from '../../../electron/engine/audio/spectral';
import { features } from '../../../electron/engine/eval/measures';
import { hear, hearAll } from '../../../electron/engine/pipeline/hearing';
import { dot } from '../../../electron/engine/statistics';

/** Plucked notes, `perSecond` of them, each ringing until the next, cycling through `semitones` above `root` Hz. */
function plucked(rate: number, seconds: number, perSecond: number, root: number, semitones: readonly number[]): Float32Array {
  const audio = new Float32Array(Math.round(rate * seconds));
  const length = Math.round(rate / perSecond);
  for (let n = 0; n * length < audio.length; n++) {
    const f = root * 2 ** (semitones[n % semitones.length]! / 12);
    for (let i = 0; i < length && n * length + i < audio.length; i++) audio[n * length + i] = 0.3 * Math.exp((-4 * i) / rate) * Math.sin((2 * Math.PI * f * i) / rate);
  }
  return audio;
}

describe('hearing a take', () => {
  const triad = [0, 4, 7];

  it('counts onsets and pitch classes as the eval measures them, whatever the clip\'s rate', async () => {
    for (const [rate, perSecond] of [[24000, 5], [44100, 3]] as const) {
      const clip = plucked(rate, 4, perSecond, 262, triad);
      const heard = await hear(clip, rate);
      const measured = features(await toAnalysisRate(clip, rate));
      expect(heard.onsetRate).toBe(measured.onsetRate);
      expect(Array.from(heard.chroma)).toEqual(Array.from(measured.chroma));
      expect(heard.onsetRate).toBeCloseTo(perSecond, 0);
    }
  });

  it('finds the same key in a different voicing, and not in a key a tritone away', async () => {
    const cMajor = await hear(plucked(24000, 4, 4, 262, triad), 24000);
    const cMajorHigher = await hear(plucked(24000, 4, 3, 523, [7, 4, 0]), 24000);
    const fSharpMajor = await hear(plucked(24000, 4, 4, 370, triad), 24000);
    expect(dot(cMajor.chroma, cMajor.chroma)).toBeCloseTo(1, 6);
    expect(dot(cMajor.chroma, cMajorHigher.chroma)).toBeGreaterThan(0.9);
    expect(dot(cMajor.chroma, fSharpMajor.chroma)).toBeLessThan(0.5);
  });

  it('hears clips of one length together as it hears each alone', async () => {
    const clips = [plucked(24000, 3, 4, 262, triad), plucked(24000, 3, 6, 330, [0, 3, 7])];
    const together = await hearAll(clips, 24000);
    const alone = await Promise.all(clips.map((clip) => hear(clip, 24000)));
    expect(together.map((h) => h.onsetRate)).toEqual(alone.map((h) => h.onsetRate));
    expect(together.map((h) => Array.from(h.chroma))).toEqual(alone.map((h) => Array.from(h.chroma)));
    expect(together[0]!.onsetRate).not.toBe(together[1]!.onsetRate);
  });
});
