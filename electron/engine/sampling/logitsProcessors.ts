import type { SamplingSettings } from '../../contract/bundle';
import type { Random } from './random';

/**
 * The logits processors, applied in this order: repetition penalty, temperature, top-k, top-p;
 * then one token is drawn. Each works in place on one row of logits.
 */

/** Divides positive logits (multiplies negative ones) of tokens seen recently, as in CTRL. */
export function applyRepetitionPenalty(logits: Float32Array, recent: ArrayLike<number>, penalty: number): void {
  if (penalty === 1) return;
  const seen = new Set<number>();
  for (let i = 0; i < recent.length; i++) seen.add(recent[i]!);
  for (const token of seen) {
    if (token < 0 || token >= logits.length) continue;
    const x = logits[token]!;
    logits[token] = x > 0 ? x / penalty : x * penalty;
  }
}

export function applyTemperature(logits: Float32Array, temperature: number): void {
  if (temperature === 1 || temperature === 0) return;
  for (let i = 0; i < logits.length; i++) logits[i]! /= temperature;
}

/** Keeps the k largest logits (ties at the border kept), the rest become -Infinity. */
export function applyTopK(logits: Float32Array, k: number): void {
  if (k <= 0 || k >= logits.length) return;
  const threshold = kthLargest(logits, k);
  for (let i = 0; i < logits.length; i++) if (logits[i]! < threshold) logits[i] = -Infinity;
}

/**
 * The k-th largest value (k from 1), by quickselect on a copy: linear where a sort is n log n,
 * and it runs for every token drawn (a sort here was a seventh of a continuation's wall time).
 */
export function kthLargest(values: Float32Array, k: number): number {
  const a = Float32Array.from(values);
  const target = a.length - k; // its index in ascending order
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const swap = a[i]!;
        a[i++] = a[j]!;
        a[j--] = swap;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break; // between j and i every value equals the pivot
  }
  return a[target]!;
}

/** Softmax in place; returns the same array as probabilities. */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i]! - max);
    logits[i] = e;
    sum += e;
  }
  for (let i = 0; i < logits.length; i++) logits[i]! /= sum;
  return logits;
}

/**
 * Keeps the smallest set of most likely tokens whose probability reaches p (ties at the border
 * kept) and renormalises it (on probabilities). Sorts the values, not an index array by comparator,
 * which took three times as long in a profile of a continuation.
 */
export function applyTopP(probabilities: Float32Array, p: number): void {
  if (p >= 1) return;
  const descending = Float32Array.from(probabilities).sort().reverse();
  let total = 0;
  let keep = 0;
  while (keep < descending.length && total < p) total += descending[keep++]!;
  const threshold = descending[keep - 1]!;
  while (keep < descending.length && descending[keep] === threshold) total += descending[keep++]!;
  for (let i = 0; i < probabilities.length; i++) probabilities[i] = probabilities[i]! < threshold ? 0 : probabilities[i]! / total;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Draws from probabilities by inverse CDF. */
export function draw(probabilities: Float32Array, random: Random): number {
  const u = random.next();
  let cumulative = 0;
  for (let i = 0; i < probabilities.length; i++) {
    cumulative += probabilities[i]!;
    if (u < cumulative) return i;
  }
  // Rounding left u above the total: the last token with any probability.
  for (let i = probabilities.length - 1; i >= 0; i--) if (probabilities[i]! > 0) return i;
  return probabilities.length - 1;
}

/** One token from one row of logits (modified in place). Temperature 0 is greedy. */
export function sampleToken(logits: Float32Array, settings: SamplingSettings, random: Random, recent: ArrayLike<number> = []): number {
  applyRepetitionPenalty(logits, recent, settings.repetitionPenalty);
  if (settings.temperature === 0) return argmax(logits);
  applyTemperature(logits, settings.temperature);
  applyTopK(logits, settings.topK);
  const probabilities = softmax(logits);
  applyTopP(probabilities, settings.topP);
  return draw(probabilities, random);
}
