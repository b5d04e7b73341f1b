import { onsetRate } from '../audio/onsets';
import { resample } from '../audio/resample';
import { analysis, chroma, logMel, toAnalysisRate } from '../audio/spectral';

/** What the choice by pace hears in a clip, on the analysis the eval measures with. */
export interface Heard {
  /** Onsets per second (the eval's rhythm measure). */
  readonly onsetRate: number;
  /** Mean pitch-class profile, unit length (the eval's key measure). */
  readonly chroma: Float64Array;
}

const heardAt16k = (analysed: Float32Array): Heard => ({ onsetRate: onsetRate(logMel(analysed)), chroma: chroma(analysed) });

/** One resampling to the analysis rate serves both measures. */
export async function hear(audio: Float32Array, rate: number): Promise<Heard> {
  return heardAt16k(await toAnalysisRate(audio, rate));
}

/** Clips of one length heard together: one resampler serves them all (making one costs about as much as resampling a second). */
export async function hearAll(clips: readonly Float32Array[], rate: number): Promise<Heard[]> {
  if (!clips.length) return [];
  return (await resample(clips, rate, analysis.sampleRate)).map(heardAt16k);
}
