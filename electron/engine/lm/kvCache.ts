import type ort from 'onnxruntime-node';
import { float32, floats, scalarInt64 } from '../runtime/onnxSession';

export interface TransformerShape {
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  readonly context: number;
}

/**
 * A fixed-capacity key/value cache for one LM and one batch: allocated once, as [L, B, H, C, Dh];
 * each step writes only the new positions into it. The model masks slots at or past `length`.
 * An LM takes it either packed (inputs cache_k, cache_v) or one layer per input (cache_k_0 ..,
 * cache_v_0 ..: views of the same buffer, so no step copies it; export/layer_caches.py).
 */
export class KvCache {
  readonly keys: Float32Array;
  readonly values: Float32Array;
  private filled = 0;
  private readonly inputs: Record<string, ort.Tensor>;

  constructor(private readonly shape: TransformerShape, readonly batch: number, readonly capacity = shape.context, layered = false) {
    const size = shape.layers * batch * shape.heads * capacity * shape.headDim;
    this.keys = new Float32Array(size);
    this.values = new Float32Array(size);
    const layer = [batch, shape.heads, capacity, shape.headDim];
    const perLayer = size / shape.layers;
    this.inputs = layered
      ? Object.fromEntries(Array.from({ length: shape.layers }, (_, l) => [
        [`cache_k_${l}`, float32(this.keys.subarray(l * perLayer, (l + 1) * perLayer), layer)],
        [`cache_v_${l}`, float32(this.values.subarray(l * perLayer, (l + 1) * perLayer), layer)],
      ]).flat())
      : { cache_k: float32(this.keys, [shape.layers, ...layer]), cache_v: float32(this.values, [shape.layers, ...layer]) };
  }

  get length(): number {
    return this.filled;
  }

  /** Room for `steps` more positions? */
  fits(steps: number): boolean {
    return this.filled + steps <= this.capacity;
  }

  reset(): void {
    this.filled = 0;
  }

  /** The cache inputs of a run: the buffers themselves (no copy) and the filled length. */
  feeds(): Record<string, ort.Tensor> {
    return { ...this.inputs, cache_len: scalarInt64(this.filled) };
  }

  /** Writes a run's new_k/new_v ([L, B, H, T, Dh]) at the end of the filled part. */
  append(newKeys: ort.Tensor, newValues: ort.Tensor): void {
    const steps = newKeys.dims[3]!;
    if (!this.fits(steps)) throw new Error(`KV cache overflow: ${this.filled} + ${steps} > ${this.capacity}`);
    const { layers, heads, headDim } = this.shape;
    const rows = steps * headDim;
    for (const [source, target] of [[floats(newKeys), this.keys], [floats(newValues), this.values]] as const) {
      for (let l = 0; l < layers; l++) {
        for (let b = 0; b < this.batch; b++) {
          for (let h = 0; h < heads; h++) {
            const head = (l * this.batch + b) * heads + h;
            target.set(source.subarray(head * rows, (head + 1) * rows), (head * this.capacity + this.filled) * headDim);
          }
        }
      }
    }
    this.filled += steps;
  }
}
