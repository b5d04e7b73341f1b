import { describe, expect, it } from 'vitest';
import { codecQuality, copyFraction, distances, diversity, features, normalisedScore, seamJump, seamRatio, setScore, siSdr } from '../../../electron/engine/eval/measures';
import { Random } from '../../../electron/engine/sampling/random';

const rate = 16000;

/** A plucked melody: decaying harmonic notes, `perSecond` of them, MIDI pitches cycling through `pitches`. */
function melody(pitches: number[], seconds: number, perSecond = 4, gain = 0.3, offset = 0): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  const length = Math.round(rate / perSecond);
  for (let n = 0; n * length < out.length; n++) {
    const f = 440 * 2 ** ((pitches[(n + offset) % pitches.length]! - 69) / 12);
    for (let i = 0; i < length && n * length + i < out.length; i++) {
      const t = i / rate;
      out[n * length + i] = gain * Math.exp(-4 * t) * (Math.sin(2 * Math.PI * f * t) + 0.5 * Math.sin(4 * Math.PI * f * t) + 0.25 * Math.sin(6 * Math.PI * f * t));
    }
  }
  return out;
}

const cMajor = [60, 64, 67, 72, 67, 64, 62, 65, 69, 65];
const scaled = (x: Float32Array, g: number) => x.map((v) => v * g);

describe('continuation measures on signals with known answers', () => {
  const prompt = features(melody(cMajor, 4));
  const sameKey = features(melody(cMajor, 8, 4, 0.3, 3));

  it('a transposed melody moves away in key; the same melody does not', () => {
    const tritone = features(melody(cMajor.map((p) => p + 6), 8));
    expect(distances.key(prompt, sameKey)).toBeLessThan(0.05);
    expect(distances.key(prompt, tritone)).toBeGreaterThan(0.3);
  });

  it('a louder copy changes loudness by its gain and nothing else', () => {
    const louder = features(scaled(sameKey.audio, 2));
    expect(distances.loudness(sameKey, louder)).toBeCloseTo(6.02, 1);
    expect(distances.key(sameKey, louder)).toBeLessThan(1e-6);
    expect(distances.timbre(sameKey, louder)).toBeLessThan(1e-3);
    expect(distances.rhythm(sameKey, louder)).toBe(0);
  });

  it('timbre tells a bright tone from a dull one at the same notes', () => {
    const pure = new Float32Array(sameKey.audio.length);
    for (let i = 0; i < pure.length; i++) pure[i] = 0.3 * Math.sin((2 * Math.PI * 262 * i) / rate);
    expect(distances.timbre(prompt, features(pure))).toBeGreaterThan(5 * distances.timbre(prompt, sameKey));
  });

  it('rhythm counts onsets: four notes a second against eight', () => {
    expect(prompt.onsetRate).toBeCloseTo(4, 0);
    const faster = features(melody(cMajor, 8, 8));
    expect(faster.onsetRate).toBeCloseTo(8, 0);
    expect(distances.rhythm(prompt, faster)).toBeGreaterThan(3);
  });

  it('pitch finds the median F0 of a voiced tone in semitones', () => {
    const tone = (f: number) => Float32Array.from({ length: rate * 2 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / rate) + 0.1 * Math.sin((4 * Math.PI * f * i) / rate));
    const low = features(tone(120));
    expect(low.medianF0).toBeCloseTo(120, -1);
    expect(distances.pitch(low, features(tone(240)))).toBeCloseTo(12, 0);
    expect(distances.pitch(low, features(new Float32Array(rate * 2)))).toBeNull();
  });

  it('a loop of the prompt copies nearly every frame; new material copies few', () => {
    const loop = features(Float32Array.from({ length: rate * 8 }, (_, i) => prompt.audio[(i % (rate * 2)) + rate * 2]!));
    expect(copyFraction(prompt, loop)).toBeGreaterThan(0.9);
    // Other material: a low melody at another pace with a square-like tone.
    const other = new Float32Array(rate * 8);
    for (let i = 0; i < other.length; i++) {
      const f = [98, 110, 123, 131][Math.floor(i / (rate / 3)) % 4]!;
      other[i] = 0.2 * (Math.sin((2 * Math.PI * f * i) / rate) + Math.sin((6 * Math.PI * f * i) / rate) / 3 + Math.sin((10 * Math.PI * f * i) / rate) / 5);
    }
    expect(copyFraction(prompt, features(other))).toBeLessThan(0.1);
  });

  it('a cut at a zero crossing of a steady tone shows no seam jump; an impulse shows a large one', () => {
    const tone = Float32Array.from({ length: rate * 6 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 250 * i) / rate));
    const cut = rate * 2; // 250 Hz: every 64 samples is a zero crossing
    const before = features(tone.subarray(0, cut));
    expect(seamJump(before, features(tone.subarray(cut)))).toBeLessThan(2);
    const click = tone.slice(cut);
    click[0] = 1;
    click[1] = -1;
    expect(seamJump(before, features(click))).toBeGreaterThan(10);
  });

  it('normalised scores put the truth at 1 and other pieces at 0', () => {
    expect(normalisedScore(0.2, 0.2, 1)).toBe(1);
    expect(normalisedScore(1, 0.2, 1)).toBe(0);
    expect(normalisedScore(0.6, 0.2, 1)).toBeCloseTo(0.5, 6);
    expect(normalisedScore(0.5, 0.5, 0.5)).toBeNull();
  });

  it('a set score normalises summed distances, so one case whose truth strays cannot turn it upside down', () => {
    // The second case's truth is further from its prompt (3) than other pieces are (2): per case, a
    // candidate matching that prompt exactly scores -2, worse than one as far as other pieces (0);
    // over the set, matching both prompts scores above the truths, as it should.
    const cases = [{ trueDistance: 0.5, otherDistance: 2.5 }, { trueDistance: 3, otherDistance: 2 }];
    expect(normalisedScore(0, 3, 2)).toBe(-2);
    expect(setScore(cases.map((c) => ({ ...c, distance: c.trueDistance })))).toBeCloseTo(1, 9);
    expect(setScore(cases.map((c) => ({ ...c, distance: c.otherDistance })))).toBeCloseTo(0, 9);
    expect(setScore(cases.map((c) => ({ ...c, distance: 0 })))).toBeCloseTo(4.5 / 1, 9);
    expect(setScore([...cases.map((c) => ({ ...c, distance: 1 })), { distance: null, trueDistance: 9, otherDistance: 9 }])).toBeCloseTo((4.5 - 2) / 1, 9);
    expect(setScore([{ distance: null, trueDistance: 1, otherDistance: 2 }])).toBeNull();
  });

  it('diversity is zero for identical variants and grows with difference', () => {
    expect(diversity([sameKey, sameKey])).toBe(0);
    expect(diversity([sameKey, features(melody([50, 53, 57], 8))])).toBeGreaterThan(0.5);
    expect(diversity([sameKey])).toBeNull();
  });
});

describe('codec measures', () => {
  const random = new Random(5);
  const reference = melody(cMajor, 3);

  it('SI-SDR: infinite-ish for a scaled copy, the noise level for added noise', () => {
    expect(siSdr(reference, scaled(reference, 0.5))).toBeGreaterThan(100);
    const noisy = reference.map((x) => x + 0.01 * (random.next() * 2 - 1));
    const noiseDb = 10 * Math.log10(reference.reduce((s, x) => s + x * x, 0) / (reference.length * (0.01 ** 2 / 3)));
    expect(siSdr(reference, noisy)).toBeCloseTo(noiseDb, 0);
  });

  it('finds and removes a codec delay before measuring', () => {
    const delayed = new Float32Array(reference.length);
    delayed.set(reference.subarray(0, reference.length - 80), 80);
    const quality = codecQuality(reference, delayed);
    expect(quality.lagMs).toBeCloseTo(5, 1);
    expect(quality.siSdr).toBeGreaterThan(40);
    expect(quality.logMelL1).toBeLessThan(0.05);
  });
});

describe('chunk seams', () => {
  it('a faithful decode scores about 1 at its seams; a click at a seam scores high', () => {
    const reference = melody(cMajor, 6);
    // 2.6 s is mid-note (notes start every 0.25 s): nothing in the music changes there.
    expect(seamRatio(reference, reference, [2.6])).toBeCloseTo(1, 6);
    const clicked = reference.slice();
    clicked[2.6 * rate] = 0.9;
    clicked[2.6 * rate + 1] = -0.9;
    expect(seamRatio(reference, clicked, [2.6])!).toBeGreaterThan(3);
    expect(seamRatio(reference, reference, [])).toBeNull();
  });
});
