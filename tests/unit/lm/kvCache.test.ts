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
    expect(Number(cache.feeds().cache_len!.data[0])).toBe(3);
  });

  it('feeds an LM with one cache input per layer views of its one buffer, so what a run appends is what the next run reads', () => {
    const cache = new KvCache(shape, 2, shape.context, true);
    const feeds = cache.feeds();
    expect(Object.keys(feeds).sort()).toEqual(['cache_k_0', 'cache_k_1', 'cache_len', 'cache_v_0', 'cache_v_1']);
    expect(feeds.cache_k_1!.dims).toEqual([2, 2, 5, 3]);
    const layer1 = feeds.cache_k_1!.data as Float32Array;
    expect(layer1.buffer).toBe(cache.keys.buffer);
    expect(layer1.byteOffset).toBe(cache.keys.length / 2 * 4);
    const values = Float32Array.from({ length: 2 * 2 * 2 * 1 * 3 }, (_, i) => i + 1);
    cache.append(new ort.Tensor('float32', values, [2, 2, 2, 1, 3]), new ort.Tensor('float32', values, [2, 2, 2, 1, 3]));
    // Layer 1, row 0, head 0, slot 0 holds new_k[1, 0, 0, 0]: flat index 12, value 13.
    expect(Array.from(layer1.subarray(0, 3))).toEqual([13, 14, 15]);
    expect(Number(cache.feeds().cache_len!.data[0])).toBe(1);
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
