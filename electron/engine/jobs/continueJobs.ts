import { randomInt } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodedLevels, withSamplingOverrides } from '../../contract/bundle';
import { SketchpadError } from '../../contract/errors';
import type { EngineMethods } from '../../contract/methods';
import { throwIfCancelled, type Handlers } from '../../contract/rpcServer';
import { peakOf } from '../audio/analyseAudio';
import { audioLimits } from '../audio/audioLimits';
import { writeWavFile } from '../audio/wavWriter';
import type { VerifiedBundle } from '../bundles/bundleVerifier';
import { continueAudio, type ContinuationSettings } from '../pipeline/continuation';
import { codecLayout, encodeAudio, roundTrip } from '../tokenizers/acousticTokenizer';
import { semanticTokens } from '../tokenizers/semanticTokenizer';
import { ProgressTracker, yieldToMessages } from './progressTracker';
import { detectDomain } from './domainDetection';
import { audioAtRate, bundleFor, codecKbps } from './jobInputs';

type H = Handlers<EngineMethods>;

/** The share of a continuation's time each stage takes (measured with the tiny bundle; only for the ETA). */
const stageWeights = { load: 0.05, prompt: 0.05, tokenize: 0.05, semantic: 0.15, coarse: 0.4, fine: 0.1, decode: 0.1, choose: 0.05, write: 0.05 };

function samplingFor(bundle: VerifiedBundle, temperatures: { semantic?: number; coarse?: number; fine?: number } = {}): ContinuationSettings['sampling'] {
  const only = (temperature: number | undefined) => (temperature === undefined ? {} : { temperature });
  return withSamplingOverrides(bundle.manifest.sampling, { semantic: only(temperatures.semantic), coarse: only(temperatures.coarse), fine: only(temperatures.fine) });
}

async function prepareOutDir(outDir: string): Promise<void> {
  const info = await stat(outDir).catch(() => null);
  if (info && !info.isDirectory()) throw new SketchpadError('continue/bad-settings', `${outDir} is a file; --out needs a folder.`);
  await mkdir(outDir, { recursive: true });
}

export const continueJob: H['continue'] = async (params, job) => {
  const started = performance.now();
  const progress = new ProgressTracker(job, stageWeights);
  progress.report('load', 0);
  const atRate = new Map<number, Promise<Float32Array>>();
  const promptAt = (rate: number): Promise<Float32Array> => {
    if (!atRate.has(rate)) {
      atRate.set(rate, audioAtRate(params.prompt, rate, job).then((whole) =>
        whole.subarray(Math.round((params.promptStart ?? 0) * rate), params.promptEnd === undefined ? whole.length : Math.round(params.promptEnd * rate))));
    }
    return atRate.get(rate)!;
  };
  // Named neither bundle nor domain: the prompt's sound picks the domain's default.
  const domain = params.domain ?? (params.bundle ? undefined : (await detectDomain(promptAt, job)).domain);
  const bundle = await bundleFor(params.bundle, domain);
  const made = bundle.manifest.domain;
  if (params.domain && made !== 'general' && made !== params.domain) {
    throw new SketchpadError('bundle/wrong-domain', `The bundle ${bundle.manifest.name} is made for ${made}, and this prompt is ${params.domain}: choose a ${params.domain} or general bundle.`);
  }
  progress.report('prompt', 0);
  const rate = bundle.manifest.sampleRate;
  const prompt = await promptAt(rate);
  if (peakOf([prompt]) < 10 ** (audioLimits.silenceDb / 20)) {
    throw new SketchpadError('continue/prompt', `${basename(params.prompt)} is silent: there is nothing to continue from.`);
  }
  const seed = params.seed ?? randomInt(0, 2 ** 31);
  const settings: ContinuationSettings = { seconds: params.seconds, variants: params.variants, seed, sampling: samplingFor(bundle, params.temperatures), candidatesPerTake: params.candidatesPerTake };
  await prepareOutDir(params.outDir);
  const result = await continueAudio(bundle, prompt, settings, async (stage, within) => {
    progress.report(stage, within);
    await yieldToMessages();
    throwIfCancelled(job);
  });
  // Every file under a temporary name first; renamed only when all are written.
  progress.report('write', 0);
  const files = result.audio.map((_, i) => join(params.outDir, `variant-${i + 1}.wav`));
  const temporary = files.map((f) => `${f}.partial`);
  try {
    for (const [i, audio] of result.audio.entries()) await writeWavFile(temporary[i]!, [audio], bundle.manifest.sampleRate, '16');
    throwIfCancelled(job);
    for (const [i, file] of files.entries()) await rename(temporary[i]!, file);
  } finally {
    await Promise.all(temporary.map((t) => rm(t, { force: true })));
  }
  progress.report('write', 1);
  return {
    files,
    bundle: bundle.manifest.name,
    provider: bundle.provider,
    sampleRate: bundle.manifest.sampleRate,
    seconds: params.seconds,
    variants: params.variants,
    seed,
    promptSeconds: prompt.length / bundle.manifest.sampleRate,
    timings: result.timings,
    drawnTakes: result.drawnTakes,
    wallSeconds: (performance.now() - started) / 1000,
  };
};

export const codecRoundTrip: H['codec.roundTrip'] = async (params, job) => {
  const bundle = await bundleFor(params.bundle);
  const audio = await audioAtRate(params.input, bundle.manifest.sampleRate, job);
  const result = await roundTrip(bundle.sessions.codecEncoder, bundle.sessions.codecDecoder, audio, codecLayout(bundle.manifest), async () => {
    await yieldToMessages();
    throwIfCancelled(job);
  });
  await writeWavFile(params.output, [result.audio], bundle.manifest.sampleRate, '16');
  return {
    output: params.output,
    bundle: bundle.manifest.name,
    sampleRate: bundle.manifest.sampleRate,
    seconds: audio.length / bundle.manifest.sampleRate,
    kbps: codecKbps(bundle.manifest),
    frames: result.frames,
    levels: decodedLevels(bundle.manifest),
  };
};

export const computeTokens: H['tokens.compute'] = async (params, job) => {
  const bundle = await bundleFor(params.bundle);
  const { manifest } = bundle;
  const unit = manifest.acoustic.hop * manifest.semantic.framesPerToken;
  const audio = await audioAtRate(params.input, manifest.sampleRate, job);
  if (audio.length < unit) throw new SketchpadError('continue/prompt', `${basename(params.input)} is shorter than one semantic token (${((unit / manifest.sampleRate) * 1000).toFixed(0)} ms).`);
  const framed = audio.subarray(0, Math.floor(audio.length / unit) * unit);
  const semantic = await semanticTokens(bundle.sessions.semanticTokenizer, framed);
  const acoustic = await encodeAudio(bundle.sessions.codecEncoder, framed, manifest.acoustic.levels);
  return { bundle: manifest.name, semanticRate: manifest.semantic.tokenRate, acousticRate: manifest.acoustic.frameRate, semantic: Array.from(semantic), acoustic: acoustic.map((row) => Array.from(row)) };
};
