import { describe, expect, it } from 'vitest';
import { nearestTakes } from '../../../electron/engine/pipeline/takeChoice';

/** Rows of (key similarity, onset rate) to choose among, the prompt at 4 onsets a second. */
const choose = (takes: readonly (readonly [number, number])[], keep: number) =>
  nearestTakes(takes.map(([key]) => key), keep, { prompt: 4, takes: takes.map(([, rate]) => rate) });

describe('choosing the takes nearest the prompt in key and pace', () => {
  it('keeps the takes whose onset rate is nearest the prompt\'s where their keys are alike', () => {
    expect(choose([[0.9, 7], [0.9, 3.2], [0.9, 1], [0.9, 4.5]], 2)).toEqual([1, 3]);
  });

  it('keeps the takes nearest the prompt\'s key where their pace is alike', () => {
    expect(choose([[0.2, 4], [0.95, 4], [0.5, 4], [0.9, 4]], 2)).toEqual([1, 3]);
  });

  it('prefers a take near in both to takes nearest in only one', () => {
    // Row 0 is nearest in key but far in pace, row 2 nearest in pace but far in key; row 1 is second in both.
    expect(choose([[0.99, 9], [0.9, 4.4], [0.1, 4], [0.5, 8]], 1)).toEqual([1]);
  });

  it('breaks a tie by the nearer key, then the earlier row, and returns rows in drawn order', () => {
    // Rows 0 and 1 tie on rank sum (0+1, 1+0); row 0 is nearer in key.
    expect(choose([[0.9, 5], [0.8, 4], [0.1, 9]], 1)).toEqual([0]);
    expect(choose([[0.5, 6], [0.5, 6], [0.5, 6]], 2)).toEqual([0, 1]);
    expect(choose([[0.1, 9], [0.9, 4]], 2)).toEqual([0, 1]);
  });

  it('without pace, keeps the takes nearest the prompt\'s key, the earlier of two equals', () => {
    expect(nearestTakes([0.2, 0.7, 0.5, 0.9], 2)).toEqual([1, 3]);
    expect(nearestTakes([0.2, 0.7, 0.5, 0.9], 3)).toEqual([1, 2, 3]);
    expect(nearestTakes([0.6, 0.1, 0.6], 1)).toEqual([0]);
  });
});
