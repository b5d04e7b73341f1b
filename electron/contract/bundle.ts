import { z } from 'zod';

/** A tensor as the manifest declares it: numbers are fixed dims, strings name dynamic ones. */
export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  type: z.enum(['float32', 'int64']),
  shape: z.array(z.union([z.number().int().nonnegative(), z.string().min(1)])),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

const stageFileSchema = z.object({
  /** A plain file name inside the bundle folder: no folders, no way out of it. */
  file: z.string().regex(/^[\w.-]+\.onnx$/, 'a plain .onnx file name inside the bundle folder'),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
});

const transformerSchema = z.object({
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  context: z.number().int().positive(),
});

const lmStageSchema = stageFileSchema.extend({ transformer: transformerSchema });

export const samplingSchema = z.object({
  temperature: z.number().min(0).max(5),
  /** 0 keeps every token. */
  topK: z.number().int().min(0),
  /** 1 keeps every token. */
  topP: z.number().gt(0).max(1),
  /** 1 is off; above 1 discourages tokens seen in the recent window. */
  repetitionPenalty: z.number().min(1).max(3),
});
export type SamplingSettings = z.infer<typeof samplingSchema>;

/**
 * The coarse stage alone can be guided: it also runs each row with the null semantic token (the
 * acoustic-only guess) and draws from unguided + guidance x (guided - unguided) logits, which
 * follows the semantic plan more closely at twice the coarse batch. Absent or 1: off.
 */
export const coarseSamplingSchema = samplingSchema.extend({ guidance: z.number().min(1).max(4).optional() });

export const stageSamplingSchema = z.object({ semantic: samplingSchema, coarse: coarseSamplingSchema, fine: samplingSchema });
export type StageSampling = z.infer<typeof stageSamplingSchema>;

/** Settings over a bundle's own, stage by stage and field by field (what a sampling sweep varies). */
export const samplingOverridesSchema = z.object({
  semantic: samplingSchema.partial().strict(),
  coarse: coarseSamplingSchema.partial().strict(),
  fine: samplingSchema.partial().strict(),
}).partial().strict();
export type SamplingOverrides = z.infer<typeof samplingOverridesSchema>;

/** One line for tables and reports: "semantic t0.9 k0 p0.95 r1.1; coarse ...". */
export function describeSampling(sampling: StageSampling): string {
  const stage = (s: SamplingSettings) => `t${s.temperature} k${s.topK} p${s.topP} r${s.repetitionPenalty}`;
  const guidance = sampling.coarse.guidance !== undefined && sampling.coarse.guidance !== 1 ? ` g${sampling.coarse.guidance}` : '';
  return `semantic ${stage(sampling.semantic)}; coarse ${stage(sampling.coarse)}${guidance}; fine ${stage(sampling.fine)}`;
}

export function withSamplingOverrides(base: StageSampling, overrides: SamplingOverrides = {}): StageSampling {
  return {
    semantic: { ...base.semantic, ...overrides.semantic },
    coarse: { ...base.coarse, ...overrides.coarse },
    fine: { ...base.fine, ...overrides.fine },
  };
}

export const bundleDomains = ['piano', 'speech', 'general'] as const;
export type BundleDomain = (typeof bundleDomains)[number];

/**
 * Takes drawn for each take kept where the bundle has a key profile: k times the semantic and coarse
 * work (and the decoding of their first seconds, where it chooses by pace too), keeping the 1/k nearest the
 * prompt. A bundle's key profile may name its own default (the speech bundle draws 3:
 * docs/eval/README.md, sessions 32 and 33); otherwise 2. Bundles without a key profile draw
 * exactly the takes asked for.
 */
export const keyRanking = { defaultCandidatesPerTake: 2, maxCandidatesPerTake: 4 } as const;

/** Takes drawn per take kept, as a job or a key profile may ask for them. */
export const candidatesPerTakeSchema = z.number().int().min(1).max(keyRanking.maxCandidatesPerTake);

/** `bundle.json`: the manifest and model card of a model bundle. */
export const bundleManifestSchema = z.object({
  formatVersion: z.literal(1),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes'),
  title: z.string(),
  description: z.string(),
  domain: z.enum(bundleDomains),
  sampleRate: z.number().int().min(8000).max(96000),
  acoustic: z.object({
    hop: z.number().int().positive(),
    frameRate: z.number().positive(),
    levels: z.number().int().positive().max(32),
    codebookSize: z.number().int().positive(),
    coarseLevels: z.number().int().positive(),
  }),
  semantic: z.object({
    tokenRate: z.number().positive(),
    framesPerToken: z.number().int().positive(),
    vocabSize: z.number().int().positive(),
    /** The coarse LM's "no semantic token" id, where it was trained with one: enables the acoustic-only chain. */
    nullToken: z.number().int().nonnegative().optional(),
  }),
  /**
   * fine 'none': the bundle has no fine LM and its decoder reads the coarse levels alone (a fine
   * LM that cannot hear much draws fine levels that flicker more than none at all).
   */
  interleaving: z.object({ coarse: z.literal('delay'), fine: z.enum(['level-parallel', 'none']) }),
  vocabulary: z.object({ coarsePad: z.number().int().nonnegative(), fineMask: z.number().int().nonnegative() }),
  stages: z.object({
    codecEncoder: stageFileSchema,
    codecDecoder: stageFileSchema,
    semanticTokenizer: stageFileSchema,
    semanticLm: lmStageSchema,
    coarseLm: lmStageSchema,
    fineLm: lmStageSchema.optional(),
    /**
     * Coarse codes -> their summed pitch-class profile (12 values), fitted on the training audio
     * (models/training/export/key_profile.py): lets the engine draw more takes than asked and keep
     * those that stay nearest the prompt in key (and, with `byPace`, pace).
     */
    keyProfile: stageFileSchema.extend({
      /** Takes drawn per take kept when a job does not say (keyRanking.defaultCandidatesPerTake where absent). */
      candidatesPerTake: candidatesPerTakeSchema.optional(),
      /**
       * Whether the takes kept are chosen by pace as well as key: the first seconds of every take
       * drawn are decoded, heard as they will be played, and their onset rate compared with the
       * prompt's (pipeline/hearing.ts, pipeline/takeChoice.ts). Absent, by key alone, before
       * anything is decoded. Piano since session 34, speech since session 35 (docs/eval/README.md).
       */
      byPace: z.boolean().optional(),
      /**
       * With `byPace`: the seconds of each take heard for the choice. Absent, the first decoder
       * chunk (~4.6 s). Speech hears 6: its onsets over 4.6 s said too little about the whole take
       * (docs/eval/README.md, session 35).
       */
      hearSeconds: z.number().positive().max(60).optional(),
      /**
       * With `byPace`: key compared on the heard audio's pitch-class profile (the measure the eval
       * uses) instead of the coarse codes' profile. Speech yes: its code profile separates takes
       * less sharply than piano's.
       */
      keyFromHeard: z.boolean().optional(),
    }).refine((profile) => profile.byPace === true || (profile.hearSeconds === undefined && profile.keyFromHeard === undefined), {
      message: 'hearSeconds and keyFromHeard describe the choice by pace: they need byPace',
    }).optional(),
  }),
  sampling: stageSamplingSchema,
  license: z.string(),
  provenance: z.record(z.string(), z.unknown()),
  /** The model card: data, steps, wall time and the measured figures. */
  card: z.record(z.string(), z.unknown()),
}).refine((m) => m.acoustic.coarseLevels < m.acoustic.levels, { message: 'coarseLevels must be fewer than levels', path: ['acoustic', 'coarseLevels'] })
  .refine((m) => Math.abs(m.sampleRate / m.acoustic.hop - m.acoustic.frameRate) < 1e-6, { message: 'frameRate must equal sampleRate / hop', path: ['acoustic', 'frameRate'] })
  .refine((m) => hasFineStage(m) === Boolean(m.stages.fineLm), {
    message: "a fine LM goes with fine 'level-parallel' and none with fine 'none'", path: ['stages', 'fineLm'],
  })
  .refine((m) => m.stages.codecDecoder.inputs[0]?.shape[1] === decodedLevels(m), {
    message: 'the decoder must read every level the chain makes (the coarse levels alone where there is no fine stage)', path: ['stages', 'codecDecoder', 'inputs'],
  })
  .refine((m) => !m.stages.keyProfile || m.stages.keyProfile.inputs[0]?.shape[1] === m.acoustic.coarseLevels, {
    message: 'the key profile reads the coarse levels', path: ['stages', 'keyProfile', 'inputs'],
  });

export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** How many takes a job draws per take it keeps: the asked number, else the bundle's or the default, where the bundle can rank; else 1. */
export function candidatesPerTake(manifest: Pick<BundleManifest, 'stages'>, asked?: number): number {
  const profile = manifest.stages.keyProfile;
  return profile ? (asked ?? profile.candidatesPerTake ?? keyRanking.defaultCandidatesPerTake) : 1;
}
export type StageName = keyof BundleManifest['stages'];

/** Whether the chain has a fine LM (the schema holds `interleaving.fine` and `stages.fineLm` to agree). */
export function hasFineStage(manifest: { interleaving: { fine: 'level-parallel' | 'none' } }): boolean {
  return manifest.interleaving.fine !== 'none';
}

/** The acoustic levels the chain makes and the decoder reads: all of them, or the coarse ones where there is no fine stage. */
export function decodedLevels(manifest: { acoustic: { levels: number; coarseLevels: number }; interleaving: { fine: 'level-parallel' | 'none' } }): number {
  return hasFineStage(manifest) ? manifest.acoustic.levels : manifest.acoustic.coarseLevels;
}

/** What the UI and `sketchpad models list` show of a bundle. */
export const bundleSummarySchema = z.object({
  name: z.string(),
  title: z.string(),
  domain: z.enum(bundleDomains),
  source: z.enum(['shipped', 'user']),
  path: z.string(),
  isDefault: z.boolean(),
  sampleRate: z.number(),
  /** Whether the chain has a fine LM (and so a fine temperature that matters). */
  fineStage: z.boolean(),
  card: z.record(z.string(), z.unknown()),
});
export type BundleSummary = z.infer<typeof bundleSummarySchema>;

export type SampledStage = keyof StageSampling;

/**
 * The stages whose temperature a bundle reads: all three, or semantic and coarse where it has no
 * fine stage. Unknown (no bundle chosen: the engine picks one by the clip's domain) means all three.
 */
export function sampledStages(bundle?: Pick<BundleSummary, 'fineStage'>): readonly SampledStage[] {
  return bundle?.fineStage === false ? ['semantic', 'coarse'] : ['semantic', 'coarse', 'fine'];
}

/**
 * The domain defaults (piano, speech: not general) a prompt is heard against when a job names
 * neither bundle nor domain; none unless there are two to choose between. The engine detects with
 * them, and the app offers "Automatic" where there are any.
 */
export function domainCandidates<T extends Pick<BundleSummary, 'domain' | 'isDefault'>>(bundles: readonly T[]): T[] {
  const candidates = bundles.filter((b) => b.isDefault && b.domain !== 'general');
  return candidates.length >= 2 ? candidates : [];
}

/**
 * The bundle a job runs when it names none: the default for the clip's domain, else the general
 * domain's default, else any default. The engine resolves with it and, where there are no domain
 * candidates to hear, the app labels "Default" by it.
 */
export function defaultBundleOf<T extends Pick<BundleSummary, 'domain' | 'isDefault'>>(bundles: readonly T[], domain?: BundleDomain): T | undefined {
  const defaults = bundles.filter((b) => b.isDefault);
  return (domain && defaults.find((b) => b.domain === domain)) || defaults.find((b) => b.domain === 'general') || defaults[0];
}
