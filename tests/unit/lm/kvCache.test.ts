import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { KvCache } from '../../../electron/engine/lm/kvCache';

describe('the fixed-capacity KV cache', () => {
  const shape = { layers: 2, heads: 2, headDim: 3, context: 5 };

  it('writes each run\'s new positions after the filled ones, per layer, row and head, without reallocating', () => {
    const cache = new KvCache(shape, 2);
    const buffer = cache.keys;
    // new_k [L=2, B=2, H=2, T=2, Dh=3] filled with its own flat index.
    const values = Float32Array.from({ length: 2 * 2 * 2 * 2 * 3 }, (_, i) => i);
    cache.append(new ort.Tensor('float32', values, [2, 2, 2, 2, 3]), new ort.Tensor('float32', values.map((v) => -v), [2, 2, 2, 2, 3]));
    cache.append(new ort.Tensor('float32', Float32Array.from({ length: 24 }, () => 100), [2, 2, 2, 1, 3]), new ort.Tensor('float32', new Float32Array(24), [2, 2, 2, 1, 3]));
    expect(cache.length).toBe(3);
    expect(cache.keys).toBe(buffer);
    // layer 1, row 1, head 0 is head index (1 * 2 + 1) * 2 + 0 = 6; its slot 1 held new position 1.
    const at = (head: number, slot: number) => Array.from(cache.keys.subarray((head * 5 + slot) * 3, (head * 5 + slot + 1) * 3));
    expect(at(6, 1)).toEqual([6 * 6 + 3, 6 * 6 + 4, 6 * 6 + 5]);
    expect(at(6, 2)).toEqual([100, 100, 100]);
    expect(at(6, 3)).toEqual([0, 0, 0]);
    expect(Number(cache.feeds().cache_len.data[0])).toBe(3);
  });

  it('refuses to overflow and says when it is full', () => {
    const cache = new KvCache(shape, 1);
    const run = (steps: number) => new ort.Tensor('float32', new Float32Array(2 * 1 * 2 * steps * 3), [2, 1, 2, steps, 3]);
    cache.append(run(4), run(4));
    expect(cache.fits(1)).toBe(true);
    expect(cache.fits(2)).toBe(false);
    expect(() => cache.append(run(2), run(2))).toThrow(/overflow/);
  });
});
