import type { Feeds, Session } from '../runtime/onnxSession';
import { floats } from '../runtime/onnxSession';
import { KvCache, type TransformerShape } from './kvCache';

/**
 * An autoregressive LM session with its cache: `run` feeds new positions and returns the last
 * position's logits. With `useCache` off, every step re-runs the whole window from scratch (the
 * benchmark's baseline); the tokens are the same either way.
 */
export class CachedLm {
  readonly cache: KvCache;

  constructor(private readonly session: Session, shape: TransformerShape, batch: number, private readonly useCache = true) {
    this.cache = new KvCache(shape, batch, shape.context, session.inputNames.includes('cache_k_0'));
  }

  get capacity(): number {
    return this.cache.capacity;
  }

  get length(): number {
    return this.cache.length;
  }

  /** Starts a fresh window with these positions (a prefill). */
  async restart(inputs: Feeds): Promise<Float32Array> {
    this.cache.reset();
    return this.run(inputs);
  }

  /** Appends positions to the window. */
  async run(inputs: Feeds): Promise<Float32Array> {
    const result = await this.session.run({ ...inputs, ...this.cache.feeds() });
    this.cache.append(result.new_k!, result.new_v!);
    return floats(result.logits!);
  }

  private windowEnd = -1;

  /**
   * The logits after history positions [0, end), fed through `window(from, to)`. Steps one
   * position at a time while the cache has room; otherwise (first call, a full cache, or the
   * cache turned off) starts a new window over the most recent history: all that fits at first,
   * half the capacity when sliding, so that generation goes on past the model's context.
   */
  async next(end: number, window: (from: number, to: number) => Feeds): Promise<Float32Array> {
    if (this.useCache && this.windowEnd === end - 1 && this.cache.fits(1)) {
      this.windowEnd = end;
      return this.run(window(end - 1, end));
    }
    const keep = this.windowEnd < 0 || !this.useCache ? Math.min(end, this.capacity) : Math.min(end, Math.floor(this.capacity / 2));
    this.windowEnd = end;
    return this.restart(window(end - keep, end));
  }
}
