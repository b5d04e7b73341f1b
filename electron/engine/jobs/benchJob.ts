import type { EngineMethods } from '../../contract/methods';
import { throwIfCancelled, type Handlers } from '../../contract/rpcServer';
import { continueAudio } from '../pipeline/continuation';
import { registry } from './engineContext';
import { ProgressTracker, yieldToMessages } from './progressTracker';

/** A piano-like test prompt: an arpeggio of decaying harmonic tones (the benchmark needs no files). */
export function arpeggioPrompt(seconds: number, rate: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  const notes = [261.63, 329.63, 392.0, 523.25];
  const noteLength = Math.round(0.25 * rate);
  for (let start = 0, n = 0; start < out.length; start += noteLength, n++) {
    const f = notes[n % notes.length]!;
    for (let i = 0; start + i < out.length && i < rate; i++) {
      const t = i / rate;
      const tone = Math.sin(2 * Math.PI * f * t) + 0.4 * Math.sin(4 * Math.PI * f * t) + 0.2 * Math.sin(6 * Math.PI * f * t);
      out[start + i]! += 0.15 * Math.exp(-3 * t) * tone;
    }
  }
  return out;
}

const stageOrder = ['tokenize', 'semantic', 'coarse', 'fine', 'decode', 'choose'] as const;

export const benchJob: Handlers<EngineMethods>['bench.run'] = async (params, job) => {
  const bundle = await registry.load(await registry.resolve(params.bundle));
  const prompt = arpeggioPrompt(params.promptSeconds, bundle.manifest.sampleRate);
  const tracker = new ProgressTracker(job, { cached: 1, uncached: 2 });
  const run = async (useCache: boolean) => {
    const started = performance.now();
    const result = await continueAudio(bundle, prompt, {
      seconds: params.seconds,
      variants: params.variants,
      seed: 1,
      sampling: bundle.manifest.sampling,
      useCache,
      candidatesPerTake: params.candidatesPerTake,
    }, async (stage, within) => {
      tracker.report(useCache ? 'cached' : 'uncached', (stageOrder.indexOf(stage) + within) / stageOrder.length);
      await yieldToMessages();
      throwIfCancelled(job);
    });
    const wallSeconds = (performance.now() - started) / 1000;
    return {
      useCache,
      wallSeconds,
      timings: result.timings,
      drawnTakes: result.drawnTakes,
      steps: result.steps,
      realTimeFactor: params.seconds / wallSeconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  };
  const cached = await run(true);
  const uncached = await run(false);
  return {
    bundle: bundle.manifest.name,
    provider: bundle.provider,
    promptSeconds: params.promptSeconds,
    seconds: params.seconds,
    variants: params.variants,
    cached,
    uncached,
    speedup: uncached.wallSeconds / cached.wallSeconds,
  };
};
