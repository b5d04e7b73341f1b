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
 * The k-th largest value (k from 1): the smallest of a min-heap of the k largest seen so far.
 * It runs for every token drawn, and one pass that mostly compares against the heap's top beats
 * a quickselect over a copy (a sort here was once a seventh of a continuation's wall time).
 */
export function kthLargest(values: Float32Array, k: number): number {
  const heap = values.slice(0, k);
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(heap, i, heap[i]!);
  for (let i = k; i < values.length; i++) if (values[i]! > heap[0]!) siftDown(heap, 0, values[i]!);
  return heap[0]!;
}

/** Puts `value` at `slot` of a min-heap and moves it down until both children are no smaller. */
function siftDown(heap: Float32Array, slot: number, value: number): void {
  const size = heap.length;
  for (;;) {
    let child = 2 * slot + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
    if (heap[child]! >= value) break;
    heap[slot] = heap[child]!;
    slot = child;
  }
  heap[slot] = value;
}

/** Softmax in place; returns the same array as probabilities. */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    // Top-k leaves most logits at -Infinity; their exp is 0 either way, and cheaper to skip.
    if (logits[i] === -Infinity) {
      logits[i] = 0;
      continue;
    }
    const e = Math.exp(logits[i]! - max);
    logits[i] = e;
    sum += e;
  }
  for (let i = 0; i < logits.length; i++) logits[i]! /= sum;
  return logits;
}

/**
 * Keeps the smallest set of most likely tokens whose probability reaches p (ties at the border
 * kept) and renormalises it (on probabilities). Sorts only the tokens at or above (1 - p) / n:
 * those below it hold less than 1 - p together, so the rest reach p and the set is among them.
 * The same sorted prefix, added in the same order, as sorting every token; all are sorted only
 * where rounding left the candidates short of p.
 */
export function applyTopP(probabilities: Float32Array, p: number): void {
  if (p >= 1) return;
  const cutoff = (1 - p) / probabilities.length;
  const { threshold, total } = topPBorder(probabilities.filter((x) => x >= cutoff), p, false) ?? topPBorder(probabilities.slice(), p, true)!;
  for (let i = 0; i < probabilities.length; i++) probabilities[i] = probabilities[i]! < threshold ? 0 : probabilities[i]! / total;
}

/**
 * The smallest kept probability and the kept total among `values` (sorted here). Where all of
 * them fall short of p: undefined if they are only some of the tokens, else all are kept.
 */
function topPBorder(values: Float32Array, p: number, everyToken: boolean): { threshold: number; total: number } | undefined {
  const descending = values.sort().reverse();
  let total = 0;
  let keep = 0;
  while (keep < descending.length && total < p) total += descending[keep++]!;
  if (total < p && !everyToken) return undefined;
  const threshold = descending[keep - 1]!;
  while (keep < descending.length && descending[keep] === threshold) total += descending[keep++]!;
  return { threshold, total };
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
