import { describe, expect, it } from 'vitest';
import { applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, argmax, draw, kthLargest, sampleToken, softmax } from '../../../electron/engine/sampling/logitsProcessors';
import { Random } from '../../../electron/engine/sampling/random';

const settings = { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 };

function histogram(logits: number[], s: typeof settings, draws = 20000, recent: number[] = []): number[] {
  const random = new Random(42);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleToken(Float32Array.from(logits), s, random, recent)]! += 1 / draws;
  return counts;
}

describe('logits processors', () => {
  it('repetition penalty lowers tokens seen recently, both positive and negative logits', () => {
    const logits = Float32Array.from([2, -1, 1]);
    applyRepetitionPenalty(logits, [0, 1, 1], 2);
    expect(Array.from(logits)).toEqual([1, -2, 1]);
  });

  it('temperature sharpens below 1 and flattens above 1', () => {
    const logits = Float32Array.from([1, 2]);
    applyTemperature(logits, 0.5);
    expect(Array.from(logits)).toEqual([2, 4]);
    const sharp = histogram([0, 1], { ...settings, temperature: 0.5 });
    const flat = histogram([0, 1], { ...settings, temperature: 2 });
    expect(sharp[1]!).toBeGreaterThan(0.85);
    expect(flat[1]!).toBeLessThan(0.65);
  });

  it('top-k keeps exactly the k best', () => {
    const logits = Float32Array.from([0.1, 3, 2, -1, 2.5]);
    applyTopK(logits, 2);
    expect(Array.from(logits)).toEqual([-Infinity, 3, -Infinity, -Infinity, 2.5]);
    const counts = histogram([0.1, 3, 2, -1, 2.5], { ...settings, topK: 2 });
    expect(counts[0]! + counts[2]! + counts[3]!).toBe(0);
  });

  it('the k-th largest is what a full sort finds, with ties, infinities and every k', () => {
    const random = new Random(7);
    for (let trial = 0; trial < 200; trial++) {
      const length = 1 + Math.floor(random.next() * 300);
      // Few distinct values make ties common; some -Infinity, as top-k leaves them.
      const values = Float32Array.from({ length }, () => (random.next() < 0.1 ? -Infinity : Math.floor(random.next() * 12) - 6));
      const ascending = Float32Array.from(values).sort();
      for (const k of [1, 2, Math.ceil(length / 3), length]) {
        if (k <= length) expect(kthLargest(values, k)).toBe(ascending[length - k]);
      }
    }
    const logits = Float32Array.from([1, 2, 2, 2, 0]);
    applyTopK(logits, 2);
    expect(Array.from(logits)).toEqual([-Infinity, 2, 2, 2, -Infinity]);
  });

  it('top-p keeps the smallest set reaching p and renormalises it', () => {
    const probabilities = Float32Array.from([0.5, 0.3, 0.15, 0.05]);
    applyTopP(probabilities, 0.75);
    expect(Array.from(probabilities).map((p) => Number(p.toFixed(4)))).toEqual([0.625, 0.375, 0, 0]);
    const tied = Float32Array.from([0.2, 0.4, 0.2, 0.2]);
    applyTopP(tied, 0.5);
    expect(Array.from(tied).map((p) => Number(p.toFixed(4)))).toEqual([0.2, 0.4, 0.2, 0.2]);
    const shuffled = Float32Array.from([0.05, 0.3, 0.5, 0.15]);
    applyTopP(shuffled, 0.75);
    expect(Array.from(shuffled).map((p) => Number(p.toFixed(4)))).toEqual([0, 0.375, 0.625, 0]);
    const counts = histogram([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)], { ...settings, topP: 0.75 });
    expect(counts[2]! + counts[3]!).toBe(0);
  });

  it('top-p keeps what sorting every token keeps, to the bit, for p up to the rounding of the total', () => {
    const random = new Random(11);
    const everyTokenSorted = (probabilities: Float32Array, p: number): Float32Array => {
      const descending = Float32Array.from(probabilities).sort().reverse();
      let total = 0;
      let keep = 0;
      while (keep < descending.length && total < p) total += descending[keep++]!;
      const threshold = descending[keep - 1]!;
      while (keep < descending.length && descending[keep] === threshold) total += descending[keep++]!;
      return probabilities.map((x) => (x < threshold ? 0 : x / total));
    };
    for (let trial = 0; trial < 300; trial++) {
      const length = 2 + Math.floor(random.next() * 1000);
      const spread = 0.5 + 4 * random.next();
      // Coarse steps make ties; p near 1 makes the candidates fall short by rounding alone.
      const logits = Float32Array.from({ length }, () => Math.round(spread * Math.log(random.next() + 1e-9) * 8) / 8);
      for (const p of [0.3, 0.9, 0.95, 0.999999, 1 - 1e-12]) {
        const probabilities = softmax(logits.slice());
        const expected = everyTokenSorted(probabilities, p);
        applyTopP(probabilities, p);
        expect(probabilities).toEqual(expected);
      }
    }
  });

  it('softmax sums to one and keeps the order', () => {
    const p = softmax(Float32Array.from([1, 3, 2]));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(argmax(p)).toBe(1);
  });

  it('draws in proportion to the probabilities', () => {
    const counts = histogram([Math.log(0.2), Math.log(0.8)], settings);
    expect(counts[1]!).toBeCloseTo(0.8, 1);
    expect(draw(Float32Array.from([0, 0, 1]), new Random(1))).toBe(2);
  });

  it('temperature 0 is greedy, and the repetition penalty still applies before it', () => {
    expect(sampleToken(Float32Array.from([1, 5, 3]), { ...settings, temperature: 0 }, new Random(1))).toBe(1);
    expect(sampleToken(Float32Array.from([1, 5, 3]), { ...settings, temperature: 0, repetitionPenalty: 3 }, new Random(1), [1])).toBe(2);
  });
});

describe('the seeded generator', () => {
  it('repeats for the same seed and stream, differs across streams and seeds', () => {
    const sequence = (seed: number, stream: number) => Array.from({ length: 5 }, (() => { const r = new Random(seed, stream); return () => r.nextUint32(); })());
    expect(sequence(7, 0)).toEqual(sequence(7, 0));
    expect(sequence(7, 0)).not.toEqual(sequence(7, 1));
    expect(sequence(7, 0)).not.toEqual(sequence(8, 0));
  });

  it('is uniform enough: every tenth of [0, 1) gets about a tenth', () => {
    const random = new Random(123);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 100000; i++) bins[Math.floor(random.next() * 10)]!++;
    for (const count of bins) expect(Math.abs(count - 10000)).toBeLessThan(500);
  });
});
