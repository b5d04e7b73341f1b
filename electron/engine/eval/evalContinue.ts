import { measureNames, type CandidateMeasures, type ContinueEvalResult, type Distances, type Scores } from '../../contract/eval';
import { candidatesPerTake, withSamplingOverrides } from '../../contract/bundle';
import { SketchpadError } from '../../contract/errors';
import type { VerifiedBundle } from '../bundles/bundleVerifier';
import type { EngineMethods } from '../../contract/methods';
import { throwIfCancelled, type Handlers } from '../../contract/rpcServer';
import { decodeAudioFile } from '../audio/decodeAudio';
import { limitPeaks } from '../audio/peakLimiter';
import { audioAtRate, bundleFor } from '../jobs/jobInputs';
import { ProgressTracker, yieldToMessages } from '../jobs/progressTracker';
import { applyCodecCorrection } from '../pipeline/codecCorrection';
import { continueAudio, framePrompt, semanticTokenSamples } from '../pipeline/continuation';
import { semanticTokens } from '../tokenizers/semanticTokenizer';
import { codecLayout, roundTrip } from '../tokenizers/acousticTokenizer';
import { continueSummary, meanCandidate, writeContinueReport, type CaseAudio } from './evalReport';
import { continueCases } from './evalManifests';
import { copyFraction, distances, diversity, features, normalisedScore, seamJump, type ClipFeatures } from './measures';
import { logMel, spectralFlux, toAnalysisRate } from '../audio/spectral';
import { meanOfPresent } from '../statistics';

interface PreparedCase {
  id: string;
  set: string;
  prompt: ClipFeatures;
  truth: ClipFeatures;
  loop: ClipFeatures;
  codecTruth: ClipFeatures;
  variants: ClipFeatures[];
  acousticOnly: ClipFeatures[] | null;
  semanticOracle: ClipFeatures[] | null;
  audio: CaseAudio;
}

const minimum = { promptSeconds: 1, truthSeconds: 2 } as const;

/** The truth's semantic tokens after the prompt's, tokenized as one clip so the encoder hears the join as the chain does. */
async function truthSemanticPlan(bundle: VerifiedBundle, prompt: Float32Array, truth: Float32Array): Promise<Int32Array> {
  const framed = framePrompt(bundle.manifest, prompt);
  const joined = new Float32Array(framed.length + truth.length);
  joined.set(framed);
  joined.set(truth, framed.length);
  // The framed prompt holds whole tokens, so its own count needs no second tokenizer run.
  return (await semanticTokens(bundle.sessions.semanticTokenizer, joined)).slice(framed.length / semanticTokenSamples(bundle.manifest));
}

/** The prompt's last two seconds repeated to the continuation's length: the copying baseline. */
function loopOfTail(prompt: Float32Array, samples: number, rate: number): Float32Array {
  const tail = prompt.subarray(Math.max(0, prompt.length - 2 * rate));
  return Float32Array.from({ length: samples }, (_, i) => tail[i % tail.length]!);
}

function promptTransient(prompt: ClipFeatures): number {
  const flux = Array.from(spectralFlux(logMel(prompt.audio))).slice(1);
  const sorted = [...flux].sort((a, b) => a - b);
  return Math.max(...flux) / Math.max(sorted[Math.floor(sorted.length / 2)]!, 1e-6);
}

/** Per measure, the prompt's mean distance to the other pieces' true continuations: what scores 0. */
function otherPiecesDistances(c: PreparedCase, others: PreparedCase[]): Distances {
  return Object.fromEntries(measureNames.map((name) => [name, meanOfPresent(others.map((o) => distances[name](c.prompt, o.truth)))])) as Distances;
}

function measure(candidate: ClipFeatures, c: PreparedCase, otherPieces: Distances): CandidateMeasures {
  const mine = {} as Record<(typeof measureNames)[number], number | null>;
  const scores = {} as Record<(typeof measureNames)[number], number | null>;
  for (const name of measureNames) {
    const own = distances[name](c.prompt, c.truth);
    mine[name] = distances[name](c.prompt, candidate);
    const other = otherPieces[name];
    scores[name] = own === null || mine[name] === null || other === null ? null : normalisedScore(mine[name], own, other);
  }
  return { scores: scores as Scores, distances: mine as Distances, copyFraction: copyFraction(c.prompt, candidate), seamJump: seamJump(c.prompt, candidate), onsetRate: candidate.onsetRate };
}

/** `sketchpad eval continue`: continuations against the true continuation and a loop of the prompt. */
export const evalContinue: Handlers<EngineMethods>['eval.continue'] = async (params, job) => {
  const bundle = await bundleFor(params.bundle);
  const rate = bundle.manifest.sampleRate;
  const sampling = withSamplingOverrides(bundle.manifest.sampling, params.sampling);
  const cases = await continueCases(params);
  const progress = new ProgressTracker(job, { cases: 1 });
  const skipped: ContinueEvalResult['skipped'] = [];
  const notes: string[] = [];
  const prepared: PreparedCase[] = [];
  const to16k = (audio: Float32Array) => toAnalysisRate(audio, rate);
  for (const [index, c] of cases.entries()) {
    progress.report('cases', index / cases.length, c.id);
    await yieldToMessages();
    throwIfCancelled(job);
    let prompt: Float32Array, truth: Float32Array;
    try {
      const [promptRate, truthRate] = [(await decodeAudioFile(c.prompt)).sampleRate, (await decodeAudioFile(c.truth)).sampleRate];
      if (promptRate !== truthRate) notes.push(`${c.id}: the prompt is at ${promptRate} Hz and the truth at ${truthRate} Hz; both were resampled to ${rate} Hz.`);
      prompt = await audioAtRate(c.prompt, rate, job);
      truth = await audioAtRate(c.truth, rate, job);
    } catch (error) {
      if (error instanceof SketchpadError && error.code === 'job/cancelled') throw error;
      skipped.push({ id: c.id, reason: (error as Error).message });
      continue;
    }
    if (prompt.length < minimum.promptSeconds * rate || truth.length < minimum.truthSeconds * rate) {
      skipped.push({ id: c.id, reason: `too short for the measures: prompt ${(prompt.length / rate).toFixed(1)} s (needs ${minimum.promptSeconds}), truth ${(truth.length / rate).toFixed(1)} s (needs ${minimum.truthSeconds})` });
      continue;
    }
    const samples = Math.min(truth.length, Math.round(params.seconds * rate));
    truth = truth.subarray(0, samples);
    const settings = { seconds: samples / rate, variants: params.variants, seed: params.seed + index, sampling, candidatesPerTake: params.candidatesPerTake };
    const step = async () => {
      await yieldToMessages();
      throwIfCancelled(job);
    };
    const generated = await continueAudio(bundle, prompt, settings, step);
    const ablated = params.ablation ? await continueAudio(bundle, prompt, { ...settings, acousticOnly: true }, step) : null;
    const oracle = params.semanticOracle ? await continueAudio(bundle, prompt, { ...settings, semanticPlan: await truthSemanticPlan(bundle, prompt, truth) }, step) : null;
    const loop = loopOfTail(prompt, samples, rate);
    // With the correction the chain gave its takes: the row is what the chain would play
    // had its LMs found the truth's own codes.
    const truthCoded = await roundTrip(bundle.sessions.codecEncoder, bundle.sessions.codecDecoder, truth, codecLayout(bundle.manifest));
    const codecTruth = limitPeaks(applyCodecCorrection([truthCoded.audio], generated.correction)[0]!, rate).audio;
    prepared.push({
      id: c.id,
      set: c.set,
      prompt: features(await to16k(prompt)),
      truth: features(await to16k(truth)),
      loop: features(await to16k(loop)),
      codecTruth: features(await to16k(codecTruth)),
      variants: await Promise.all(generated.audio.map(async (a) => features(await to16k(a)))),
      acousticOnly: ablated && await Promise.all(ablated.audio.map(async (a) => features(await to16k(a)))),
      semanticOracle: oracle && await Promise.all(oracle.audio.map(async (a) => features(await to16k(a)))),
      audio: { id: c.id, prompt, truth, loop, variant: generated.audio[0]! },
    });
  }
  if (!prepared.length) throw new SketchpadError('eval/manifest', `No case could be measured: ${skipped.map((s) => `${s.id}: ${s.reason}`).join('; ')}`);
  const rows: ContinueEvalResult['cases'] = prepared.map((c) => {
    const otherPieces = otherPiecesDistances(c, prepared.filter((o) => o.set === c.set && o !== c));
    const measured = (candidate: ClipFeatures) => measure(candidate, c, otherPieces);
    return {
      id: c.id,
      set: c.set,
      model: meanCandidate(c.variants.map(measured)),
      acousticOnly: c.acousticOnly && meanCandidate(c.acousticOnly.map(measured)),
      semanticOracle: c.semanticOracle && meanCandidate(c.semanticOracle.map(measured)),
      loop: measured(c.loop),
      truth: measured(c.truth),
      codecTruth: measured(c.codecTruth),
      promptTransient: promptTransient(c.prompt),
      promptOnsetRate: c.prompt.onsetRate,
      otherPieces,
      diversity: diversity(c.variants),
    };
  });
  for (const set of new Set(prepared.map((c) => c.set))) {
    if (prepared.filter((c) => c.set === set).length < 2) notes.push(`${set}: one case only, so no other pieces to normalise against: scores are not measured.`);
  }
  const result: ContinueEvalResult = {
    bundle: bundle.manifest.name,
    sampling,
    variants: params.variants,
    candidatesPerTake: candidatesPerTake(bundle.manifest, params.candidatesPerTake),
    seconds: params.seconds,
    cases: rows,
    summary: continueSummary(rows),
    skipped,
    notes,
    report: null,
  };
  if (params.report) result.report = await writeContinueReport(params.report, result, prepared.map((c) => c.audio), rate);
  progress.report('cases', 1);
  return result;
};
