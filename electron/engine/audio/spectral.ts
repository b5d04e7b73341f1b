import { resample } from './resample';
import { powerSpectrogram } from './spectrum';
import { unitLength } from '../statistics';

/** The analysis every measure shares: 16 kHz, 32 ms Hann frames every 10 ms, 80 mel bands. */
export const analysis = { sampleRate: 16000, fftSize: 512, hop: 160, melBands: 80 } as const;

/** A mono clip at the analysis rate, ready for every measure. */
export async function toAnalysisRate(audio: Float32Array, rate: number): Promise<Float32Array> {
  return (await resample([audio], rate, analysis.sampleRate))[0]!;
}

const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

/** Triangular filters on the HTK mel scale, each of unit area (as models/training/data/mel.py). */
export function melFilterbank(sampleRate: number, size: number, bands: number): Float32Array[] {
  const bins = size / 2 + 1;
  const edges = Array.from({ length: bands + 2 }, (_, i) => melToHz((hzToMel(sampleRate / 2) * i) / (bands + 1)));
  return Array.from({ length: bands }, (_, b) => {
    const filter = new Float32Array(bins);
    const [lo, mid, hi] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    let area = 0;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / size;
      const weight = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      filter[k] = weight;
      area += weight;
    }
    if (area > 0) for (let k = 0; k < bins; k++) filter[k]! /= area;
    return filter;
  });
}

/** Each filter with the bins it covers: outside them its weights are 0, and adding 0 leaves a sum as it was. */
let filterbank: { filter: Float32Array; from: number; to: number }[] | null = null;

/** Mel energies per frame of 16 kHz audio: frames[t][band]. */
export function melPowers(audio16k: Float32Array): Float32Array[] {
  filterbank ??= melFilterbank(analysis.sampleRate, analysis.fftSize, analysis.melBands).map((filter) => ({
    filter,
    from: Math.max(0, filter.findIndex((weight) => weight !== 0)),
    to: filter.findLastIndex((weight) => weight !== 0) + 1,
  }));
  return powerSpectrogram(audio16k, analysis.fftSize, analysis.hop).map((power) => {
    const out = new Float32Array(analysis.melBands);
    for (let b = 0; b < analysis.melBands; b++) {
      const { filter, from, to } = filterbank![b]!;
      let sum = 0;
      for (let k = from; k < to; k++) sum += filter[k]! * power[k]!;
      out[b] = sum;
    }
    return out;
  });
}

/** Natural-log mel energies (floor 1e-5) per frame of 16 kHz audio: frames[t][band]. */
export function logMel(audio16k: Float32Array): Float32Array[] {
  return melPowers(audio16k).map((frame) => frame.map((x) => Math.log(Math.max(x, 1e-5))));
}

/** Mean 12-bin pitch-class profile (C = 0) from 2048-point spectra, 65 Hz to 2 kHz, unit length. */
export function chroma(audio16k: Float32Array): Float64Array {
  const size = 2048;
  const profile = new Float64Array(12);
  for (const power of powerSpectrogram(audio16k, size, 800)) {
    for (let k = 1; k < power.length; k++) {
      const f = (k * analysis.sampleRate) / size;
      if (f < 65 || f > 2000) continue;
      const pitchClass = (((Math.round(12 * Math.log2(f / 440)) + 69) % 12) + 12) % 12;
      profile[pitchClass]! += Math.sqrt(power[k]!);
    }
  }
  return unitLength(profile);
}

/** Frame-to-frame change of the log-mel spectrum: the L2 norm of the positive differences. */
export function spectralFlux(frames: Float32Array[]): Float64Array {
  const flux = new Float64Array(frames.length);
  for (let t = 1; t < frames.length; t++) {
    let sum = 0;
    for (let b = 0; b < frames[t]!.length; b++) sum += Math.max(0, frames[t]![b]! - frames[t - 1]![b]!) ** 2;
    flux[t] = Math.sqrt(sum);
  }
  return flux;
}
