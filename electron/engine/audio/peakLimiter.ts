import { peakOf } from './analyseAudio';

/**
 * A look-ahead peak limiter for one finished take. Our takes are peakier than the prompts they
 * follow (session 27: peak-to-loudness medians 19-20 dB against the prompts' 16.6), so a gain that
 * lowered every take until the loudest spike fit under the ceiling left most takes several LU
 * below the prompt. Limiting each take's own spikes lets its body reach the prompt's loudness.
 *
 * The gain envelope is the lowest gain any sample in the next `lookaheadSeconds` needs, released
 * towards 1 with a time constant, then smoothed by a moving average as long as the look-ahead:
 * every sample of that average was already at or below the gain its peak needs, so no sample ends
 * above the ceiling, and the gain never steps (no clicks).
 */
export const peakLimits = {
  /** No sample of a finished take is above -1 dBFS, which leaves room for a DAW's resampling. */
  ceiling: 10 ** (-1 / 20),
  /** Long enough for the gain to glide down before a piano attack or a plosive, short enough to be inaudible. */
  lookaheadSeconds: 0.005,
  /** Time constant of the recovery after a peak: slow enough not to pump on a sustained note. */
  releaseSeconds: 0.1,
} as const;

export interface LimitedTake {
  readonly audio: Float32Array;
  /** The deepest gain reduction applied, in dB (0 where no sample was above the ceiling). */
  readonly reductionDb: number;
}

export function limitPeaks(audio: Float32Array, rate: number, limits = peakLimits): LimitedTake {
  const { ceiling } = limits;
  if (peakOf([audio]) <= ceiling) return { audio, reductionDb: 0 };

  const lookahead = Math.max(1, Math.round(limits.lookaheadSeconds * rate));
  const release = 1 - Math.exp(-1 / (limits.releaseSeconds * rate));
  // The gain each sample needs to sit at the ceiling; past the end, none.
  const needed = new Float64Array(audio.length + lookahead).fill(1);
  for (let i = 0; i < audio.length; i++) {
    const magnitude = Math.abs(audio[i]!);
    if (magnitude > ceiling) needed[i] = ceiling / magnitude;
  }

  // Sliding minimum of the needed gain over [n, n + lookahead], by a deque of candidate indices.
  const held = new Float64Array(audio.length);
  const window = new Int32Array(needed.length);
  let head = 0, tail = 0;
  for (let i = 0; i < needed.length; i++) {
    while (tail > head && needed[window[tail - 1]!]! >= needed[i]!) tail--;
    window[tail++] = i;
    const n = i - lookahead;
    if (n < 0) continue;
    while (window[head]! < n) head++;
    held[n] = needed[window[head]!]!;
  }

  const out = new Float32Array(audio.length);
  // Before the take the gain is taken to be where its first samples need it already: a take is
  // the continuation's first sound, and a spike at the seam would otherwise only meet the clamp.
  let released = held[0]!, sum = (lookahead + 1) * released;
  const recent = new Float64Array(lookahead + 1).fill(released);
  let deepest = 1;
  for (let n = 0; n < audio.length; n++) {
    released = Math.min(held[n]!, released + (1 - released) * release);
    sum += released - recent[n % recent.length]!;
    recent[n % recent.length] = released;
    const gain = Math.min(1, sum / recent.length);
    deepest = Math.min(deepest, gain);
    // Guards only the running sum's rounding (1e-12), not the envelope.
    out[n] = Math.max(-ceiling, Math.min(ceiling, audio[n]! * gain));
  }
  return { audio: out, reductionDb: -20 * Math.log10(deepest) };
}
