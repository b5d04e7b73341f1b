import { median } from '../statistics';
import { analysis, spectralFlux } from './spectral';

/** Onsets per second: peaks of spectral flux above a moving median plus a tenth of the clip's largest flux, at least 50 ms apart. */
export function onsetRate(frames: Float32Array[]): number {
  const flux = spectralFlux(frames);
  const seconds = (frames.length * analysis.hop) / analysis.sampleRate;
  if (seconds <= 0) return 0;
  const margin = 0.1 * Math.max(...flux);
  let count = 0;
  let last = -Infinity;
  for (let t = 1; t < flux.length - 1; t++) {
    const from = Math.max(0, t - 25);
    const local = median(Array.from(flux.subarray(from, Math.min(flux.length, t + 25))));
    if (flux[t]! > flux[t - 1]! && flux[t]! >= flux[t + 1]! && flux[t]! > local + margin && t - last >= 5) {
      count++;
      last = t;
    }
  }
  return count / seconds;
}
