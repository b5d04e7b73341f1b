import { candidatesPerTake, candidatesPerTakeSchema, decodedLevels, keyRanking, type BundleManifest, type StageSampling } from '../../contract/bundle';
import { SketchpadError } from '../../contract/errors';
import { limitPeaks } from '../audio/peakLimiter';
import type { VerifiedBundle } from '../bundles/bundleVerifier';
import { CachedLm } from '../lm/cachedLm';
import { coarseBatch, generateCoarse, type CoarseGuidance } from '../lm/coarseStage';
import { generateFine } from '../lm/fineStage';
import { generateSemantic } from '../lm/semanticStage';
import type { Session } from '../runtime/onnxSession';
import { Random } from '../sampling/random';
import { sampleToken } from '../sampling/logitsProcessors';
import { dot } from '../statistics';
import { ChunkedDecoder, decodeChunking, decodeCodes, encodeAudio } from '../tokenizers/acousticTokenizer';
import { semanticTokens } from '../tokenizers/semanticTokenizer';
import { applyCodecCorrection, correctionMeasureSeconds, measureCodecCorrection, type CodecCorrection } from './codecCorrection';
import { applyLevelCorrection } from './codecLevel';
import { hear, hearAll } from './hearing';
import { keyProfiles } from './keyRanking';
import { nearestTakes, type Pace } from './takeChoice';
import { takeLevelMatchDb } from './takeLevel';

export interface ContinuationSettings {
  readonly seconds: number;
  readonly variants: number;
  readonly seed: number;
  readonly sampling: StageSampling;
  /** Off only for the benchmark's baseline. */
  readonly useCache?: boolean;
  /**
   * AudioLM's ablation: no semantic stage; the coarse LM sees its null token instead of a semantic
   * plan. Only for bundles whose coarse LM was trained with one (manifest semantic.nullToken).
   */
  readonly acousticOnly?: boolean;
  /**
   * The continuation's semantic tokens, given instead of sampled: the eval's semantic oracle (the
   * truth's own tokens), which shows what the acoustic stages make of a perfect plan. Shorter plans
   * hold their last token.
   */
  readonly semanticPlan?: Int32Array;
  /**
   * Takes drawn per take kept, where the bundle has a key profile to choose by (default: the
   * profile's own, else keyRanking.defaultCandidatesPerTake); 1 keeps every take drawn.
   */
  readonly candidatesPerTake?: number;
}

export const continuationLimits = {
  maxSeconds: 300,
  maxVariants: 16,
  /** The prompt's most recent part that conditions the models; longer prompts are refused. */
  maxPromptSeconds: 30,
  /** Memory the batch's caches and buffers may take. */
  maxBatchBytes: 1.5 * 1024 ** 3,
} as const;

export type StageTimings = Record<'tokenize' | 'semantic' | 'coarse' | 'fine' | 'decode' | 'choose', number>;

export interface Continuation {
  /** One continuation per variant, at the bundle's rate, the prompt not included, its peaks limited to -1 dBFS. */
  readonly audio: Float32Array[];
  readonly timings: StageTimings;
  readonly steps: { semantic: number; coarse: number; finePasses: number; decodeChunks: number };
  /** What undid the codec's colouring and level loss, as measured on the prompt (see codecCorrection.ts). */
  readonly correction: CodecCorrection;
  /** The gain, after that, that brought the median take to the prompt's loudness (see takeLevel.ts). */
  readonly levelMatchDb: number;
  /** Takes drawn; the `variants` nearest the prompt (in key, and pace where the bundle says) were kept. */
  readonly drawnTakes: number;
}

export interface ContinuationProgress {
  (stage: keyof StageTimings, within: number): Promise<void>;
}

/** Bytes a batch of `rows` needs: both LM caches (the coarse one twice when guided) and the decoder's output, roughly. */
export function batchBytes(manifest: BundleManifest, rows: number, seconds: number, guided = false): number {
  const cache = (t: { layers: number; heads: number; headDim: number; context: number }) => 2 * t.layers * t.heads * t.context * t.headDim * 4;
  const audio = seconds * manifest.sampleRate * 4 * 2;
  return rows * (cache(manifest.stages.semanticLm.transformer) + coarseBatch(1, guided) * cache(manifest.stages.coarseLm.transformer) + audio);
}

/** The coarse stage's guidance where the settings ask for it (sampling.coarse.guidance above 1); the acoustic-only chain has no plan to follow. */
function coarseGuidance(manifest: BundleManifest, settings: ContinuationSettings): CoarseGuidance | undefined {
  const scale = settings.sampling.coarse.guidance ?? 1;
  if (scale === 1 || settings.acousticOnly) return undefined;
  const nullToken = manifest.semantic.nullToken;
  if (nullToken === undefined) {
    throw new SketchpadError('continue/bad-settings', `The bundle ${manifest.name} has no null semantic token, so its coarse stage cannot be guided (coarse guidance must be 1).`);
  }
  return { scale, nullToken };
}

/** Rows the semantic and coarse LMs draw: the variants, times the takes drawn per take kept where the bundle can rank. */
export const drawnRows = (manifest: BundleManifest, settings: ContinuationSettings): number =>
  settings.variants * candidatesPerTake(manifest, settings.candidatesPerTake);

/** Checks settings against the bundle before any work, with the reason in the message. */
export function checkSettings(manifest: BundleManifest, settings: ContinuationSettings): void {
  const { seconds, variants } = settings;
  const candidates = settings.candidatesPerTake ?? 1;
  if (!candidatesPerTakeSchema.safeParse(candidates).success) {
    throw new SketchpadError('continue/bad-settings', `The takes drawn per take kept must be a whole number from 1 to ${keyRanking.maxCandidatesPerTake} (asked: ${candidates}).`);
  }
  if (!(seconds > 0) || seconds > continuationLimits.maxSeconds) {
    throw new SketchpadError('continue/bad-settings', `The continuation length must be more than 0 and at most ${continuationLimits.maxSeconds} seconds (asked: ${seconds}).`);
  }
  if (!Number.isInteger(variants) || variants < 1 || variants > continuationLimits.maxVariants) {
    throw new SketchpadError('continue/bad-settings', `The number of variants must be a whole number from 1 to ${continuationLimits.maxVariants} (asked: ${variants}).`);
  }
  const drawn = drawnRows(manifest, settings);
  const guided = coarseGuidance(manifest, settings) !== undefined;
  const bytes = batchBytes(manifest, drawn, seconds, guided);
  if (bytes > continuationLimits.maxBatchBytes) {
    const fit = Math.max(1, Math.floor(continuationLimits.maxBatchBytes / batchBytes(manifest, drawn / variants, seconds, guided)));
    throw new SketchpadError('continue/bad-settings', `${variants} variants of ${seconds} s with ${manifest.name} need about ${(bytes / 1024 ** 3).toFixed(1)} GB; at most ${fit} fit in the ${(continuationLimits.maxBatchBytes / 1024 ** 3).toFixed(1)} GB budget.`);
  }
}

/** Samples per semantic token. */
export const semanticTokenSamples = (manifest: BundleManifest): number => manifest.acoustic.hop * manifest.semantic.framesPerToken;

/**
 * Cuts the prompt to whole semantic tokens, keeping its end (where the continuation joins), and
 * refuses prompts too short to carry one token or too long to condition on.
 */
export function framePrompt(manifest: BundleManifest, audio: Float32Array): Float32Array {
  const unit = semanticTokenSamples(manifest);
  const seconds = audio.length / manifest.sampleRate;
  if (audio.length < unit) {
    throw new SketchpadError('continue/prompt', `The prompt is ${(seconds * 1000).toFixed(0)} ms long; it must hold at least one semantic token (${((unit / manifest.sampleRate) * 1000).toFixed(0)} ms), and a few seconds work best.`);
  }
  if (seconds > continuationLimits.maxPromptSeconds) {
    throw new SketchpadError('continue/prompt', `The prompt is ${seconds.toFixed(1)} s long; choose a region of at most ${continuationLimits.maxPromptSeconds} s (3-10 s work best).`);
  }
  const usable = Math.floor(audio.length / unit) * unit;
  return audio.subarray(audio.length - usable);
}

/** The prompt's semantic tokens, then `newTokens` of the plan, its last token held where it is shorter. */
function followedByPlan(promptSemantic: Int32Array, plan: Int32Array, newTokens: number): Int32Array {
  const tokens = new Int32Array(promptSemantic.length + newTokens);
  tokens.set(promptSemantic);
  for (let i = 0; i < newTokens; i++) tokens[promptSemantic.length + i] = plan[Math.min(i, plan.length - 1)]!;
  return tokens;
}

/**
 * Rows one decoder run holds. On the CPU, one: per row a run of one cost no more than a run of
 * four (a little less: its activations stay in cache), and the decoder's memory is one row's
 * (speech, 12 takes x 6.4 s then 4 x 4.4 s, in a fresh process: 3.5 s in runs of one against
 * 3.7 s in runs of four; peak 195 MB against 345 MB). Elsewhere the variants asked for, since
 * accelerators gain from batches; either way, drawing more takes costs time but not the
 * decoder's peak memory.
 */
export const decoderRowsPerRun = (provider: string, variants: number): number => (provider === 'CPU' ? 1 : variants);

/** Each drawn take's key-profile cosine with the prompt's, from coarse codes. */
async function keySimilaritiesToPrompt(keyProfile: Session, promptCoarse: readonly Int32Array[], drawn: readonly (readonly Int32Array[])[]): Promise<number[]> {
  const [promptProfile] = await keyProfiles(keyProfile, [promptCoarse]);
  return (await keyProfiles(keyProfile, drawn)).map((profile) => dot(promptProfile!, profile));
}

/** The prompt and each take over what has been decoded of it (`heard`): their onset rates, and each take's pitch-class cosine with the prompt. */
async function hearTakes(prompt: Float32Array, heard: readonly Float32Array[], rate: number): Promise<{ pace: Pace; keySimilarities: number[] }> {
  const promptHeard = await hear(prompt, rate);
  const takes = await hearAll(heard, rate);
  return {
    pace: { prompt: promptHeard.onsetRate, takes: takes.map((take) => take.onsetRate) },
    keySimilarities: takes.map((take) => dot(promptHeard.chroma, take.chroma)),
  };
}

/** Takes as they are played: the codec's colouring and level loss undone, the median take brought to the prompt's loudness, peaks limited. */
function asPlayed(takes: Float32Array[], correction: CodecCorrection, prompt: Float32Array, rate: number): { audio: Float32Array[]; levelMatchDb: number } {
  const corrected = applyCodecCorrection(takes, correction);
  const levelMatchDb = takeLevelMatchDb(prompt, corrected, rate);
  return { audio: applyLevelCorrection(corrected, levelMatchDb).map((take) => limitPeaks(take, rate).audio), levelMatchDb };
}

/**
 * The AudioLM chain: semantic and acoustic tokens of the prompt; semantic LM; coarse LM on the
 * semantic plan, primed with the prompt's coarse codes; fine LM (where the bundle has one) primed
 * with the prompt's fine codes; the codec decoder, fed a little of the prompt first so the
 * continuation starts without a seam. All variants run as one batch, each row with its own random
 * stream from the seed. Where the bundle has a key profile, more takes are drawn than asked and
 * those nearest the prompt are kept: in key (by their coarse codes, or where the bundle says
 * `keyFromHeard` by their decoded audio) and, where the bundle says `byPace`, pace (by the onsets
 * of their first decoded seconds): the LMs hold the prompt's key far better than its pace, and
 * their takes' onset rates spread widely enough that choosing among them matters
 * (docs/eval/README.md, sessions 34 and 35).
 */
export async function continueAudio(bundle: VerifiedBundle, prompt: Float32Array, settings: ContinuationSettings, progress: ContinuationProgress): Promise<Continuation> {
  const { manifest, sessions } = bundle;
  checkSettings(manifest, settings);
  const framed = framePrompt(manifest, prompt);
  const { levels, coarseLevels, hop } = manifest.acoustic;
  const { framesPerToken } = manifest.semantic;
  const rows = drawnRows(manifest, settings);
  const timings: StageTimings = { tokenize: 0, semantic: 0, coarse: 0, fine: 0, decode: 0, choose: 0 };
  const timed = async <T>(stage: keyof StageTimings, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    await progress(stage, 0);
    const result = await work();
    timings[stage] += (performance.now() - started) / 1000;
    return result;
  };
  const randoms = Array.from({ length: rows }, (_, row) => new Random(settings.seed, row));
  const picker = (stage: 'semantic' | 'coarse' | 'fine') => ({
    pick: (row: number, logits: Float32Array, history: Int32Array) => sampleToken(logits, settings.sampling[stage], randoms[row]!, history.subarray(Math.max(0, history.length - 64))),
  });

  const [promptSemantic, promptCodes] = await timed('tokenize', async () => [
    await semanticTokens(sessions.semanticTokenizer, framed),
    await encodeAudio(sessions.codecEncoder, framed, levels),
  ] as const);
  const promptFrames = promptCodes[0]!.length;
  const newTokens = Math.ceil((settings.seconds * manifest.semantic.tokenRate));
  const newFrames = newTokens * framesPerToken;

  const semanticLm = manifest.stages.semanticLm.transformer;
  const nullToken = manifest.semantic.nullToken;
  if (settings.acousticOnly && nullToken === undefined) {
    throw new SketchpadError('continue/bad-settings', `The bundle ${manifest.name} has no null semantic token, so it cannot run without its semantic stage.`);
  }
  const plan = settings.semanticPlan;
  if (plan && (settings.acousticOnly || !plan.length)) {
    throw new SketchpadError('continue/bad-settings', plan.length ? 'A semantic plan and the acoustic-only chain exclude each other.' : 'The semantic plan is empty.');
  }
  const semantic = settings.acousticOnly
    ? Array.from({ length: rows }, () => new Int32Array(promptSemantic.length + newTokens).fill(nullToken!))
    : plan
      ? Array.from({ length: rows }, () => followedByPlan(promptSemantic, plan, newTokens))
      : await timed('semantic', () =>
      generateSemantic(new CachedLm(sessions.semanticLm, semanticLm, rows, settings.useCache ?? true), promptSemantic, newTokens, rows, {
        ...picker('semantic'),
        onStep: (done, total) => progress('semantic', done / total),
      }));

  const guidance = coarseGuidance(manifest, settings);
  const coarse = await timed('coarse', () => generateCoarse(new CachedLm(sessions.coarseLm, manifest.stages.coarseLm.transformer, coarseBatch(rows, guidance !== undefined), settings.useCache ?? true),
    { levels: coarseLevels, codebookSize: manifest.acoustic.codebookSize, pad: manifest.vocabulary.coarsePad, framesPerToken },
    promptCodes.slice(0, coarseLevels), semantic, newFrames, {
      ...picker('coarse'),
      onStep: (done, total) => progress('coarse', done / total),
    }, guidance));
  // More rows than variants only where the bundle has a key profile (candidatesPerTake). Chosen by
  // key alone, the rows not kept never reach the fine stage or the decoder; by pace too, every row
  // is heard over its first seconds below.
  const choice = rows > settings.variants ? manifest.stages.keyProfile : undefined;
  const byPace = choice?.byPace === true;
  const codeKeySimilarities = choice && !choice.keyFromHeard
    ? await timed('choose', () => keySimilaritiesToPrompt(sessions.keyProfile!, promptCodes.slice(0, coarseLevels), coarse))
    : null;
  const goOn = codeKeySimilarities && !byPace ? nearestTakes(codeKeySimilarities, settings.variants).map((row) => coarse[row]!) : coarse;

  // Prime the fine stage with the prompt's last frames, every level known; without a fine stage,
  // only the decoder's run-in needs them.
  const decoded = decodedLevels(manifest);
  const fineLm = manifest.stages.fineLm && sessions.fineLm ? { spec: manifest.stages.fineLm, session: sessions.fineLm } : undefined;
  const decoderRunIn = 10;
  const primeFrames = Math.min(promptFrames, fineLm ? Math.floor(fineLm.spec.transformer.context / 2) : decoderRunIn);
  const grids = goOn.map((rowCodes) => {
    const frames = primeFrames + newFrames;
    const grid = new Int32Array(frames * decoded).fill(manifest.vocabulary.fineMask);
    for (let f = 0; f < primeFrames; f++) for (let q = 0; q < decoded; q++) grid[f * decoded + q] = promptCodes[q]![promptFrames - primeFrames + f]!;
    for (let f = 0; f < newFrames; f++) for (let q = 0; q < coarseLevels; q++) grid[(primeFrames + f) * decoded + q] = rowCodes[q]![f]!;
    return grid;
  });
  let finePasses = 0;
  if (fineLm) {
    await timed('fine', () => generateFine(fineLm.session, { levels, coarseLevels, mask: manifest.vocabulary.fineMask, window: fineLm.spec.transformer.context }, grids, primeFrames, {
      ...picker('fine'),
      onStep: (done, total) => {
        finePasses = done;
        return progress('fine', done / total);
      },
    }));
  }

  // Decode from a short run-in of prompt frames so the decoder's receptive field is warm at the seam.
  const runIn = Math.min(primeFrames, decoderRunIn);
  const codes = grids.map((grid) => Array.from({ length: decoded }, (_, q) => {
    const frames = runIn + newFrames;
    const out = new Int32Array(frames);
    for (let f = 0; f < frames; f++) out[f] = grid[(primeFrames - runIn + f) * decoded + q]!;
    return out;
  }));
  // Decoder runs are sized so the first covers what the choice hears: the bundle's hearSeconds, else one default chunk.
  const hearFrames = byPace && choice.hearSeconds ? Math.round(choice.hearSeconds * manifest.acoustic.frameRate) : undefined;
  const decoder = new ChunkedDecoder(sessions.codecDecoder, codes, hop, hearFrames ? { chunkFrames: runIn + hearFrames + decodeChunking.overlapFrames } : {});
  const allRows = codes.map((_, row) => row);
  const rowsPerRun = decoderRowsPerRun(bundle.provider, settings.variants);
  const runsFor = (count: number) => Math.ceil(count / rowsPerRun);
  const plannedRuns = byPace ? runsFor(allRows.length) + (decoder.chunks - 1) * runsFor(settings.variants) : decoder.chunks * runsFor(allRows.length);
  let decodeChunks = 0;
  const decodeChunk = async (index: number, decodedRows: readonly number[]) => {
    for (let from = 0; from < decodedRows.length; from += rowsPerRun) {
      await decoder.decode(index, decodedRows.slice(from, from + rowsPerRun));
      await progress('decode', ++decodeChunks / plannedRuns);
    }
  };
  const decodeRest = async (decodedRows: readonly number[]) => {
    for (let index = 1; index < decoder.chunks; index++) await decodeChunk(index, decodedRows);
  };
  const correction = await timed('decode', async () => {
    await decodeChunk(0, allRows);
    if (!byPace) await decodeRest(allRows);
    const measuredFrames = Math.min(promptFrames, Math.round((correctionMeasureSeconds * manifest.sampleRate) / hop));
    const [roundTrip] = await decodeCodes(sessions.codecDecoder, [promptCodes.slice(0, decoded).map((level) => level.slice(promptFrames - measuredFrames))], { hop });
    return measureCodecCorrection(framed.subarray(framed.length - measuredFrames * hop), roundTrip!, manifest.sampleRate);
  });
  const samples = Math.round(settings.seconds * manifest.sampleRate);
  let keptRows = allRows;
  if (byPace) {
    // Every take's first decoder run is heard as it would be played (the correction and limiter
    // move onsets and pitch classes), and only the takes kept are decoded to the end.
    const heardEnd = Math.min(decoder.finalSamples(1), (runIn * hop) + samples);
    keptRows = await timed('choose', async () => {
      const heard = asPlayed(allRows.map((row) => decoder.audio[row]!.slice(runIn * hop, heardEnd)), correction, framed, manifest.sampleRate).audio;
      const { pace, keySimilarities } = await hearTakes(framed, heard, manifest.sampleRate);
      return nearestTakes(codeKeySimilarities ?? keySimilarities, settings.variants, pace);
    });
    await timed('decode', () => decodeRest(keptRows));
  }
  const { audio, levelMatchDb } = asPlayed(keptRows.map((row) => decoder.audio[row]!.slice(runIn * hop, runIn * hop + samples)), correction, framed, manifest.sampleRate);
  return {
    audio,
    timings,
    steps: { semantic: settings.acousticOnly || plan ? 0 : newTokens, coarse: newFrames + coarseLevels - 1, finePasses, decodeChunks },
    correction,
    levelMatchDb,
    drawnTakes: rows,
  };
}
