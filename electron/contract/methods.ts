import { z } from 'zod';
import { audioInfoSchema, waveformPeaksSchema, wavEncodingSchema } from './audio';
import { bundleDomains, bundleSummarySchema, candidatesPerTakeSchema, samplingOverridesSchema } from './bundle';
import { codecEvalResultSchema, continueEvalResultSchema } from './eval';
import { projectDocumentSchema, projectNameSchema, projectSummarySchema } from './project';

/** A method: what it takes and what it answers, both as schemas so either side can validate. */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly params: P;
  readonly result: R;
}

const preparedClipSchema = z.object({
  info: audioInfoSchema,
  peaks: waveformPeaksSchema,
  /** A float WAV of the clip at its own rate (at most two channels), for playback. */
  playbackPath: z.string(),
});
export type PreparedClip = z.infer<typeof preparedClipSchema>;

const temperaturesSchema = z.object({
  semantic: z.number().min(0).max(5),
  coarse: z.number().min(0).max(5),
  fine: z.number().min(0).max(5),
}).partial();

/** Seconds per stage; `choose` is the ranking of drawn takes (0 where every take drawn is kept). */
const stageTimingsSchema = z.object({ tokenize: z.number(), semantic: z.number(), coarse: z.number(), fine: z.number(), decode: z.number(), choose: z.number() });

const continueResultSchema = z.object({
  files: z.array(z.string()),
  bundle: z.string(),
  provider: z.string(),
  sampleRate: z.number(),
  seconds: z.number(),
  variants: z.number(),
  seed: z.number(),
  promptSeconds: z.number(),
  timings: stageTimingsSchema,
  /** Takes drawn; the variants nearest the prompt (in key, and pace where the bundle says) were kept. */
  drawnTakes: z.number(),
  wallSeconds: z.number(),
});
export type ContinueResult = z.infer<typeof continueResultSchema>;

const benchRunSchema = z.object({
  useCache: z.boolean(),
  wallSeconds: z.number(),
  timings: stageTimingsSchema,
  drawnTakes: z.number(),
  steps: z.object({ semantic: z.number(), coarse: z.number(), finePasses: z.number(), decodeChunks: z.number() }),
  realTimeFactor: z.number(),
  peakRssMb: z.number(),
});
export type BenchRun = z.infer<typeof benchRunSchema>;

/** Methods the engine process answers (host -> engine). */
export const engineMethods = {
  'engine.hello': {
    params: z.object({}),
    result: z.object({ pid: z.number().int(), version: z.string(), device: z.string() }),
  },
  'audio.inspect': {
    params: z.object({ path: z.string().min(1) }),
    result: audioInfoSchema,
  },
  'audio.prepare': {
    params: z.object({ path: z.string().min(1), outputDir: z.string().min(1) }),
    result: preparedClipSchema,
  },
  'audio.convert': {
    params: z.object({
      input: z.string().min(1),
      output: z.string().min(1),
      sampleRate: z.number().int().min(8000).max(192000).optional(),
      encoding: wavEncodingSchema.default('16'),
      /** Keep the channel count (default) or fold to mono. */
      mono: z.boolean().default(false),
    }),
    result: z.object({ output: z.string(), sampleRate: z.number(), channels: z.number(), frames: z.number() }),
  },
  'audio.render': {
    params: z.object({
      /** Pieces of audio files laid end to end, each optionally cut to [start, end) seconds. */
      parts: z.array(z.object({ path: z.string().min(1), start: z.number().min(0).optional(), end: z.number().positive().optional() })).min(1),
      output: z.string().min(1),
      sampleRate: z.number().int().min(8000).max(192000),
      encoding: wavEncodingSchema,
    }),
    result: z.object({ output: z.string(), sampleRate: z.number(), channels: z.number(), frames: z.number() }),
  },
  'models.list': { params: z.object({}), result: z.array(bundleSummarySchema) },
  'models.verify': {
    params: z.object({ bundle: z.string().optional() }),
    result: z.object({ name: z.string(), path: z.string(), provider: z.string(), files: z.number() }),
  },
  'models.import': { params: z.object({ source: z.string().min(1) }), result: bundleSummarySchema },
  'models.remove': { params: z.object({ name: z.string().min(1) }), result: z.object({ removed: z.string() }) },
  'models.setDefault': { params: z.object({ name: z.string().min(1) }), result: z.object({ default: z.string() }) },
  'continue': {
    params: z.object({
      prompt: z.string().min(1),
      /** The prompt region within the file, in seconds (default: all of it). */
      promptStart: z.number().min(0).optional(),
      promptEnd: z.number().positive().optional(),
      outDir: z.string().min(1),
      seconds: z.number().default(8),
      variants: z.number().default(4),
      seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
      bundle: z.string().optional(),
      /** What the prompt is: a bundle made for another domain is refused. */
      domain: z.enum(bundleDomains).optional(),
      temperatures: temperaturesSchema.optional(),
      /** Takes drawn per take kept, where the bundle has a key profile (default: the profile's, else keyRanking's). */
      candidatesPerTake: candidatesPerTakeSchema.optional(),
    }),
    result: continueResultSchema,
  },
  'codec.roundTrip': {
    params: z.object({ input: z.string().min(1), output: z.string().min(1), bundle: z.string().optional() }),
    result: z.object({ output: z.string(), bundle: z.string(), sampleRate: z.number(), seconds: z.number(), kbps: z.number(), frames: z.number(), levels: z.number() }),
  },
  'tokens.compute': {
    params: z.object({ input: z.string().min(1), bundle: z.string().optional() }),
    result: z.object({
      bundle: z.string(),
      semanticRate: z.number(),
      acousticRate: z.number(),
      semantic: z.array(z.number().int()),
      acoustic: z.array(z.array(z.number().int())),
    }),
  },
  'bench.run': {
    params: z.object({
      promptSeconds: z.number().positive().max(30).default(4),
      seconds: z.number().positive().max(120).default(10),
      variants: z.number().int().min(1).max(16).default(4),
      bundle: z.string().optional(),
      candidatesPerTake: candidatesPerTakeSchema.optional(),
    }),
    result: z.object({ bundle: z.string(), provider: z.string(), promptSeconds: z.number(), seconds: z.number(), variants: z.number(), cached: benchRunSchema, uncached: benchRunSchema, speedup: z.number() }),
  },
  'eval.codec': {
    params: z.object({ manifest: z.string().optional(), dir: z.string().optional(), bundle: z.string().optional(), report: z.string().optional() })
      .refine((p) => Boolean(p.manifest) !== Boolean(p.dir), { message: 'give either a manifest or a folder' }),
    result: codecEvalResultSchema,
  },
  'eval.continue': {
    params: z.object({
      manifest: z.string().optional(),
      dir: z.string().optional(),
      bundle: z.string().optional(),
      report: z.string().optional(),
      variants: z.number().int().min(1).max(16).default(4),
      seconds: z.number().positive().max(60).default(8),
      seed: z.number().int().min(0).default(1),
      /** Also run the acoustic-only chain (no semantic stage) in the same run, as AudioLM's ablation. */
      ablation: z.boolean().default(false),
      /** Also run the acoustic stages on the truth's own semantic tokens: what a perfect semantic LM would give. */
      semanticOracle: z.boolean().default(false),
      /** Sampling settings over the bundle's, to choose them on a tuning set. */
      sampling: samplingOverridesSchema.optional(),
      candidatesPerTake: candidatesPerTakeSchema.optional(),
    }).refine((p) => Boolean(p.manifest) !== Boolean(p.dir), { message: 'give either a manifest or a folder' }),
    result: continueEvalResultSchema,
  },
} satisfies Record<string, MethodSpec>;

export const clipSchema = z.object({
  clipId: z.string(),
  name: z.string(),
  info: audioInfoSchema,
  peaks: waveformPeaksSchema,
  /** Where the renderer can stream the clip from (a local URL the host serves). */
  mediaUrl: z.string(),
});
export type Clip = z.infer<typeof clipSchema>;

export const generatedSchema = z.object({
  variants: z.array(clipSchema),
  seed: z.number().int(),
  bundle: z.string(),
  provider: z.string(),
  seconds: z.number(),
});
export type Generated = z.infer<typeof generatedSchema>;

const clipSourceSchema = z.discriminatedUnion('kind', [
  /** A file on disk: only the desktop app accepts this (a dropped or opened file). */
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  /** Bytes the renderer uploaded to the host first (the web host). */
  z.object({ kind: z.literal('upload'), uploadId: z.string().regex(/^[a-f0-9]{32}$/) }),
]);

/** Methods the host answers for the renderer (renderer -> host), over IPC or the local WebSocket. */
export const apiMethods = {
  'app.info': {
    params: z.object({}),
    result: z.object({
      version: z.string(),
      host: z.enum(['electron', 'web']),
      enginePid: z.number().int().nullable(),
    }),
  },
  'clip.import': {
    params: z.object({ name: z.string().min(1).max(500), source: clipSourceSchema }),
    result: clipSchema,
  },
  'continue.generate': {
    params: z.object({
      /** A clip or a variant the host prepared. */
      sourceId: z.string().regex(/^[a-f0-9]{32}$/),
      regionStart: z.number().min(0),
      regionEnd: z.number().positive(),
      seconds: z.number().positive().max(300),
      variants: z.number().int().min(1).max(8),
      seed: z.number().int().min(0).max(2 ** 32 - 1),
      temperatures: z.object({ semantic: z.number().min(0).max(5), coarse: z.number().min(0).max(5), fine: z.number().min(0).max(5) }).partial().optional(),
      bundle: z.string().optional(),
    }).refine((p) => p.regionEnd > p.regionStart, { message: 'the prompt region must end after it starts', path: ['regionEnd'] }),
    result: generatedSchema,
  },
  'export.render': {
    params: z.object({
      parts: z.array(z.object({ mediaId: z.string().regex(/^[a-f0-9]{32}$/), start: z.number().min(0).optional(), end: z.number().positive().optional() })).min(1),
      sampleRate: z.union([z.literal(44100), z.literal(48000)]),
      encoding: wavEncodingSchema,
      /** A file name only; the host chooses the folder. */
      fileName: z.string().regex(/^[^/\\]{1,200}\.wav$/, 'a plain .wav file name'),
    }),
    result: z.object({ exportId: z.string(), fileName: z.string(), url: z.string(), seconds: z.number(), sampleRate: z.number() }),
  },
  'models.list': {
    params: z.object({}),
    result: z.object({ bundles: z.array(bundleSummarySchema), device: z.string() }),
  },
  'models.import': {
    params: z.object({ name: z.string().min(1).max(500), source: clipSourceSchema }),
    result: bundleSummarySchema,
  },
  'models.remove': { params: z.object({ name: z.string().min(1) }), result: z.object({ removed: z.string() }) },
  'models.setDefault': { params: z.object({ name: z.string().min(1) }), result: z.object({ default: z.string() }) },
  'project.save': {
    params: z.object({ name: projectNameSchema, document: projectDocumentSchema }),
    result: projectSummarySchema,
  },
  /** The same, to the autosave slot that survives a crash. */
  'project.autosave': { params: z.object({ document: projectDocumentSchema }), result: z.object({ savedAt: z.string() }) },
  'project.list': { params: z.object({}), result: z.object({ projects: z.array(projectSummarySchema), autosave: projectSummarySchema.nullable() }) },
  'project.open': {
    /** A saved project by name, or the autosave (name omitted). */
    params: z.object({ name: projectNameSchema.optional() }),
    result: z.object({
      name: z.string().nullable(),
      document: projectDocumentSchema,
      clips: z.array(clipSchema),
      /** Lanes whose audio file is gone: they open empty and can be relinked. */
      missing: z.array(z.object({ laneId: z.string(), laneName: z.string(), file: z.string() })),
    }),
  },
  'project.discardAutosave': { params: z.object({}), result: z.object({ discarded: z.boolean() }) },
} satisfies Record<string, MethodSpec>;

export type EngineMethods = typeof engineMethods;
export type EngineMethod = keyof EngineMethods;
export type ApiMethods = typeof apiMethods;
export type ApiMethod = keyof ApiMethods;

export type ParamsOf<T extends Record<string, MethodSpec>, M extends keyof T> = z.input<T[M]['params']>;
export type ResultOf<T extends Record<string, MethodSpec>, M extends keyof T> = z.output<T[M]['result']>;
