import { z } from 'zod';
import { stageSamplingSchema } from './bundle';

/** A codec eval manifest: clips by set (piano, speech, ...); paths relative to the manifest. */
export const codecManifestSchema = z.object({
  clips: z.array(z.object({ id: z.string().min(1), set: z.string().min(1), path: z.string().min(1) })).min(1),
});
export type CodecManifest = z.infer<typeof codecManifestSchema>;

/** A continuation eval manifest: a prompt and its true continuation per case. */
export const continueManifestSchema = z.object({
  cases: z.array(z.object({ id: z.string().min(1), set: z.string().min(1), prompt: z.string().min(1), truth: z.string().min(1) })).min(1),
});
export type ContinueManifest = z.infer<typeof continueManifestSchema>;

const quality = z.object({ logMelL1: z.number(), siSdr: z.number() });
export type CodecQuality = z.infer<typeof quality>;

export const codecEvalResultSchema = z.object({
  bundle: z.string(),
  kbps: z.number(),
  /** false where ffmpeg with libopus is missing: the Opus columns are then not measured (not zero). */
  opusMeasured: z.boolean(),
  rows: z.array(z.object({
    id: z.string(), set: z.string(), seconds: z.number(), codec: quality, opus6: quality.nullable(), opus12: quality.nullable(),
    /** The decoder's chunk seams against the original at the same place (1: nothing added); null without a seam. */
    chunkSeam: z.number().nullable(),
  })),
  summary: z.array(z.object({
    set: z.string(),
    clips: z.number(),
    codec: quality,
    opus6: quality.nullable(),
    opus12: quality.nullable(),
    chunkSeam: z.number().nullable(),
  })),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
  report: z.string().nullable(),
});
export type CodecEvalResult = z.infer<typeof codecEvalResultSchema>;

export const measureNames = ['key', 'timbre', 'loudness', 'rhythm', 'pitch'] as const;
const scores = z.object({ key: z.number().nullable(), timbre: z.number().nullable(), loudness: z.number().nullable(), rhythm: z.number().nullable(), pitch: z.number().nullable() });
export type Scores = z.infer<typeof scores>;
/** Per measure, how far a clip is from its prompt (measures.ts `distances`); null where unmeasured (pitch of unvoiced audio). */
export type Distances = Scores;
/** `onsetRate`: onsets a second by the rhythm measure's detector, so a rhythm score can be read as
 * too many onsets (a codec's flicker) or too few (a smeared or static take). */
const candidate = z.object({ scores, distances: scores, copyFraction: z.number(), seamJump: z.number(), onsetRate: z.number() });
export type CandidateMeasures = z.infer<typeof candidate>;
const summaryCandidate = candidate.extend({ medianCaseScores: scores });
export type SummaryCandidate = z.infer<typeof summaryCandidate>;

export const continueEvalResultSchema = z.object({
  bundle: z.string(),
  /** The sampling settings the run used: the bundle's, with any overrides given. */
  sampling: stageSamplingSchema,
  variants: z.number(),
  /** Takes drawn per variant kept (the nearest the prompt in key, and pace where the bundle says, kept); 1 where the bundle has no key profile. */
  candidatesPerTake: z.number(),
  seconds: z.number(),
  cases: z.array(z.object({
    id: z.string(),
    set: z.string(),
    model: candidate,
    /** The acoustic-only chain, where the run asked for the ablation. */
    acousticOnly: candidate.nullable(),
    /** The coarse and fine LMs on the truth's own semantic tokens, where the run asked for it: what
     * the acoustic stages make of a perfect semantic plan, so what the semantic LM alone costs. */
    semanticOracle: candidate.nullable(),
    loop: candidate,
    truth: candidate,
    /** The true continuation through the bundle's codec, with the takes' level correction: what the
     * chain would play had its LMs found the truth's own codes, so what the codec alone costs each score. */
    codecTruth: candidate,
    /** The prompt's own largest transient over its median flux: what a seam may match. */
    promptTransient: z.number(),
    /** The prompt's onsets a second, which the rhythm score compares each candidate's with. */
    promptOnsetRate: z.number(),
    /** The mean distance from the prompt to the other pieces' true continuations in the set: what scores 0. */
    otherPieces: scores,
    diversity: z.number().nullable(),
  })),
  /**
   * Per set. A summary candidate's `scores` normalise the set's summed distances, (others - candidate) /
   * (others - truth), because one case's span can be tiny or even negative (its truth further from the
   * prompt than other pieces are), which turns that case's score upside down; `medianCaseScores` keeps
   * the median of the per-case scores for comparison. Distances and the other measures are means and
   * medians over cases.
   */
  summary: z.array(z.object({ set: z.string(), cases: z.number(), promptOnsetRate: z.number(), model: summaryCandidate, acousticOnly: summaryCandidate.nullable(), semanticOracle: summaryCandidate.nullable(), loop: summaryCandidate, truth: summaryCandidate, codecTruth: summaryCandidate, diversity: z.number().nullable() })),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
  /** Things handled but worth knowing, e.g. a prompt and truth at different sample rates. */
  notes: z.array(z.string()),
  report: z.string().nullable(),
});
export type ContinueEvalResult = z.infer<typeof continueEvalResultSchema>;
