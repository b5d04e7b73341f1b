import { dot, median } from '../statistics';
import { onsetRate } from '../audio/onsets';
import { analysis, chroma, logMel, melPowers, spectralFlux } from '../audio/spectral';

/** Everything the continuation measures need of one clip, computed once. */
export interface ClipFeatures {
  readonly audio: Float32Array;
  readonly frames: Float32Array[];
  /** Mean mel power per band over the clip (linear). */
  readonly meanMel: Float64Array;
  readonly chroma: Float64Array;
  readonly rmsDb: number;
  readonly onsetRate: number;
  /** Median F0 of voiced frames in Hz, or null when too little is voiced. */
  readonly medianF0: number | null;
}

export function rmsDb(audio: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < audio.length; i++) sum += audio[i]! * audio[i]!;
  return 10 * Math.log10(Math.max(sum / Math.max(1, audio.length), 1e-12));
}

/** Median F0 from normalised autocorrelation on 40 ms frames, 60-400 Hz, voiced where the peak exceeds 0.5. */
export function medianF0(audio16k: Float32Array): number | null {
  const size = 640;
  const minLag = Math.floor(analysis.sampleRate / 400);
  const maxLag = Math.ceil(analysis.sampleRate / 60);
  const f0s: number[] = [];
  for (let start = 0; start + size + maxLag <= audio16k.length; start += analysis.hop * 2) {
    let energy = 0;
    for (let i = 0; i < size; i++) energy += audio16k[start + i]! ** 2;
    if (energy / size < 1e-6) continue;
    const r = new Float64Array(maxLag + 2);
    for (let lag = minLag; lag <= maxLag + 1; lag++) {
      let dot = 0, shifted = 0;
      for (let i = 0; i < size; i++) {
        dot += audio16k[start + i]! * audio16k[start + i + lag]!;
        shifted += audio16k[start + i + lag]! ** 2;
      }
      r[lag] = dot / Math.sqrt(energy * shifted + 1e-12);
    }
    const best = Math.max(...r.subarray(minLag, maxLag + 1));
    if (best <= 0.5) continue;
    // The first peak near the best: a periodic signal correlates as well at two and three periods.
    for (let lag = minLag; lag <= maxLag; lag++) {
      if (r[lag]! >= 0.9 * best && r[lag]! >= r[lag - 1]! && r[lag]! >= r[lag + 1]!) {
        f0s.push(analysis.sampleRate / lag);
        break;
      }
    }
  }
  return f0s.length >= 5 ? median(f0s) : null;
}

export function features(audio16k: Float32Array): ClipFeatures {
  const powers = melPowers(audio16k);
  const frames = powers.map((frame) => frame.map((x) => Math.log(Math.max(x, 1e-5))));
  const meanMel = new Float64Array(analysis.melBands);
  for (const frame of powers) for (let b = 0; b < meanMel.length; b++) meanMel[b]! += frame[b]! / powers.length;
  return { audio: audio16k, frames, meanMel, chroma: chroma(audio16k), rmsDb: rmsDb(audio16k), onsetRate: onsetRate(frames), medianF0: medianF0(audio16k) };
}

/** The spectral envelope without its level: log mean mel power, floored 80 dB below its peak, mean removed. */
function meanShape(meanMel: Float64Array): Float64Array {
  const floor = Math.max(...meanMel) * 1e-8 + 1e-30;
  const logs = meanMel.map((x) => Math.log(Math.max(x, floor)));
  const level = logs.reduce((s, x) => s + x, 0) / Math.max(1, logs.length);
  return logs.map((x) => x - level);
}

/** The distances between a prompt and a candidate continuation: 0 is the same, larger is further. */
export const distances = {
  /** 1 - cosine of the mean pitch-class profiles. */
  key: (a: ClipFeatures, b: ClipFeatures): number => 1 - dot(a.chroma, b.chroma),
  /** RMS difference of the mean log-mel shapes (levels removed), in nepers. */
  timbre: (a: ClipFeatures, b: ClipFeatures): number => {
    const [x, y] = [meanShape(a.meanMel), meanShape(b.meanMel)];
    return Math.sqrt(x.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / Math.max(1, x.length));
  },
  /** Difference of RMS levels in dB. */
  loudness: (a: ClipFeatures, b: ClipFeatures): number => Math.abs(a.rmsDb - b.rmsDb),
  /** Difference of onset rates, onsets per second. */
  rhythm: (a: ClipFeatures, b: ClipFeatures): number => Math.abs(a.onsetRate - b.onsetRate),
  /** Difference of median F0 in semitones (null where either is unvoiced). */
  pitch: (a: ClipFeatures, b: ClipFeatures): number | null => (a.medianF0 && b.medianF0 ? Math.abs(12 * Math.log2(a.medianF0 / b.medianF0)) : null),
} as const;

export type DistanceName = keyof typeof distances;

/** A distance as a score: the true continuation scores 1, other pieces' continuations score 0. */
export function normalisedScore(distance: number, trueDistance: number, otherDistance: number): number | null {
  const span = otherDistance - trueDistance;
  return Math.abs(span) < 1e-9 ? null : (otherDistance - distance) / span;
}

/** One candidate's distance in one case, with the two it is scored between. */
export interface ScoredDistance { distance: number | null; trueDistance: number | null; otherDistance: number | null }

/**
 * A set's score: the summed distances normalised as one, over the cases where all three are measured.
 * A median of per-case scores misreads cases whose truth sits further from the prompt than other
 * pieces do: their span is negative, so there a candidate that matches the prompt exactly scores below 0.
 */
export function setScore(cases: ScoredDistance[]): number | null {
  const measured = cases.filter((c): c is { distance: number; trueDistance: number; otherDistance: number } => c.distance !== null && c.trueDistance !== null && c.otherDistance !== null);
  if (!measured.length) return null;
  const sum = (pick: (c: (typeof measured)[number]) => number) => measured.reduce((s, c) => s + pick(c), 0);
  return normalisedScore(sum((c) => c.distance), sum((c) => c.trueDistance), sum((c) => c.otherDistance));
}

function centred(frame: Float32Array): Float32Array {
  const mean = frame.reduce((s, x) => s + x, 0) / frame.length;
  const out = frame.map((x) => x - mean);
  const norm = Math.hypot(...out) || 1;
  return out.map((x) => x / norm);
}

/** Share of the continuation's frames that nearly repeat a prompt frame (cosine of mean-removed log-mel > 0.98). */
export function copyFraction(prompt: ClipFeatures, continuation: ClipFeatures, threshold = 0.98): number {
  const promptFrames = prompt.frames.map(centred);
  let copied = 0;
  for (const frame of continuation.frames) {
    const x = centred(frame);
    if (promptFrames.some((p) => p.reduce((s, v, i) => s + v * x[i]!, 0) > threshold)) copied++;
  }
  return copied / Math.max(1, continuation.frames.length);
}

/** The jump at the join: the largest spectral flux within 20 ms of the border over the prompt's median flux. */
export function seamJump(prompt: ClipFeatures, continuation: ClipFeatures): number {
  const joined = new Float32Array(prompt.audio.length + continuation.audio.length);
  joined.set(prompt.audio);
  joined.set(continuation.audio, prompt.audio.length);
  const flux = spectralFlux(logMel(joined));
  const border = Math.round(prompt.audio.length / analysis.hop);
  const promptFlux = Array.from(flux.subarray(1, Math.max(2, border - 3)));
  const around = Array.from(flux.subarray(Math.max(1, border - 4), Math.min(flux.length, border + 2)));
  return Math.max(...around) / Math.max(median(promptFlux), 1e-6);
}

/** Mean log-mel L1 between frames of two clips over their common length. */
export function logMelDistance(a: Float32Array[], b: Float32Array[]): number {
  const frames = Math.min(a.length, b.length);
  let sum = 0;
  for (let t = 0; t < frames; t++) for (let k = 0; k < a[t]!.length; k++) sum += Math.abs(a[t]![k]! - b[t]![k]!);
  return sum / Math.max(1, frames * (a[0]?.length ?? 1));
}

/** Mean pairwise log-mel L1 between variants of one prompt: 0 means they are all the same. */
export function diversity(variants: ClipFeatures[]): number | null {
  if (variants.length < 2) return null;
  let sum = 0, pairs = 0;
  for (let i = 0; i < variants.length; i++) for (let j = i + 1; j < variants.length; j++) {
    sum += logMelDistance(variants[i]!.frames, variants[j]!.frames);
    pairs++;
  }
  return sum / pairs;
}

/** The lag (samples, within ±maxLag) that best aligns `estimate` to `reference`, by cross-correlation. */
export function bestLag(reference: Float32Array, estimate: Float32Array, maxLag: number): number {
  let best = 0, bestScore = -Infinity;
  const length = Math.min(reference.length, estimate.length) - 2 * maxLag;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let score = 0;
    for (let i = maxLag; i < maxLag + length; i += 2) score += reference[i]! * estimate[i + lag]!;
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best;
}

/** Scale-invariant SDR in dB (Le Roux et al. 2019). */
export function siSdr(reference: Float32Array, estimate: Float32Array): number {
  const n = Math.min(reference.length, estimate.length);
  let dot = 0, energy = 0;
  for (let i = 0; i < n; i++) {
    dot += reference[i]! * estimate[i]!;
    energy += reference[i]! ** 2;
  }
  const alpha = dot / Math.max(energy, 1e-12);
  let target = 0, noise = 0;
  for (let i = 0; i < n; i++) {
    const t = alpha * reference[i]!;
    target += t * t;
    noise += (estimate[i]! - t) ** 2;
  }
  return 10 * Math.log10(Math.max(target, 1e-12) / Math.max(noise, 1e-12));
}

/** Codec quality after removing its delay: log-mel L1 (lower is better) and SI-SDR (higher is better). */
export function codecQuality(reference16k: Float32Array, decoded16k: Float32Array): { logMelL1: number; siSdr: number; lagMs: number } {
  const lag = bestLag(reference16k, decoded16k, Math.round(0.04 * analysis.sampleRate));
  const aligned = lag >= 0 ? decoded16k.subarray(lag) : Float32Array.from([...new Float32Array(-lag), ...decoded16k]);
  const n = Math.min(reference16k.length, aligned.length);
  const ref = reference16k.subarray(0, n);
  const est = aligned.subarray(0, n);
  return { logMelL1: logMelDistance(logMel(ref), logMel(est)), siSdr: siSdr(ref, est), lagMs: (lag / analysis.sampleRate) * 1000 };
}

/**
 * How much a decoder's chunk seams stand out: the largest spectral flux within 20 ms of each seam in
 * the decoded audio, over the original's at the same place (floored at its median flux). Near 1:
 * the seam adds nothing the music did not have; null where there is no seam.
 */
export function seamRatio(reference16k: Float32Array, decoded16k: Float32Array, seamsSeconds: number[]): number | null {
  if (!seamsSeconds.length) return null;
  const [ref, dec] = [spectralFlux(logMel(reference16k)), spectralFlux(logMel(decoded16k))];
  const floor = Math.max(median(Array.from(ref).slice(1)), 1e-6);
  const around = (flux: Float64Array, frame: number) => Math.max(...flux.subarray(Math.max(1, frame - 2), Math.min(flux.length, frame + 3)));
  return Math.max(...seamsSeconds.map((t) => {
    const frame = Math.round((t * analysis.sampleRate) / analysis.hop);
    return around(dec, frame) / Math.max(around(ref, frame), floor);
  }));
}
