import { describe, expect, it } from 'vitest';
import { nearestInKey } from '../../../electron/engine/pipeline/keyRanking';

/** A unit-length pitch-class profile weighted on the given classes (C = 0). */
const profile = (weights: Record<number, number>): Float64Array => {
  const out = new Float64Array(12);
  for (const [pc, w] of Object.entries(weights)) out[Number(pc)] = w;
  const norm = Math.hypot(...out);
  return out.map((x) => x / norm);
};
const cMajor = profile({ 0: 1, 4: 1, 7: 1 });
const aMinor = profile({ 9: 1, 0: 1, 4: 1 });
const fSharpMajor = profile({ 6: 1, 10: 1, 1: 1 });
const aFlatMajor = profile({ 8: 1, 0: 1, 3: 1 });

describe('choosing the takes nearest the prompt\'s key', () => {
  it('keeps the rows whose profile is nearest, in the order they were drawn', () => {
    expect(nearestInKey(cMajor, [fSharpMajor, aMinor, aFlatMajor, cMajor], 2)).toEqual([1, 3]);
    expect(nearestInKey(cMajor, [fSharpMajor, aMinor, aFlatMajor, cMajor], 3)).toEqual([1, 2, 3]);
  });

  it('keeps every row when asked for all of them, and the earlier of two equals', () => {
    expect(nearestInKey(cMajor, [fSharpMajor, cMajor], 2)).toEqual([0, 1]);
    expect(nearestInKey(cMajor, [aMinor, fSharpMajor, aMinor], 1)).toEqual([0]);
  });
});
