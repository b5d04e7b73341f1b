import { int64 } from '../runtime/onnxSession';
import type { CachedLm } from './cachedLm';

export interface StageCallbacks {
  /** Picks a token from one row's logits (sampling settings and random stream live there). */
  pick(row: number, logits: Float32Array, history: Int32Array, level?: number): number;
  /** After each step; may throw to cancel. */
  onStep?(done: number, total: number): Promise<void>;
}

/**
 * Stage 1: continues the prompt's semantic tokens by `count` tokens for each of `rows` variants,
 * in one batch. Returns each row's whole sequence (prompt + continuation).
 */
export async function generateSemantic(lm: CachedLm, prompt: Int32Array, count: number, rows: number, callbacks: StageCallbacks): Promise<Int32Array[]> {
  const total = prompt.length + count;
  const history = Array.from({ length: rows }, () => {
    const sequence = new Int32Array(total);
    sequence.set(prompt);
    return sequence;
  });
  const window = (from: number, to: number) => {
    const tokens: number[] = [];
    for (const sequence of history) tokens.push(...sequence.subarray(from, to));
    return { tokens: int64(tokens, [rows, to - from]) };
  };
  for (let position = prompt.length; position < total; position++) {
    const logits = await lm.next(position, window);
    const vocab = logits.length / rows;
    for (let row = 0; row < rows; row++) {
      const sequence = history[row]!;
      sequence[position] = callbacks.pick(row, logits.slice(row * vocab, (row + 1) * vocab), sequence.subarray(0, position));
    }
    await callbacks.onStep?.(position - prompt.length + 1, count);
  }
  return history;
}
