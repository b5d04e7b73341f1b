import { z } from 'zod';

const id = z.string().regex(/^[a-f0-9]{32}$/);

export const laneSchema = z.object({
  id,
  name: z.string().max(200),
  kind: z.enum(['clip', 'variant']),
  offset: z.number().min(0),
  kept: z.boolean(),
  muted: z.boolean(),
  soloed: z.boolean(),
  // `variant` (1-based row of its generation; projects saved before it have none): one seed makes
  // every row of a generation, each from its own random stream, so the seed alone names no take.
  origin: z.object({ sourceId: id, regionStart: z.number(), regionEnd: z.number(), seed: z.number(), variant: z.number().int().min(1).optional(), bundle: z.string() }).optional(),
});

export const projectSettingsSchema = z.object({
  seconds: z.number(),
  variants: z.number(),
  adventurous: z.number(),
  advanced: z.boolean(),
  temperatures: z.object({ semantic: z.number(), coarse: z.number(), fine: z.number() }),
  fixedSeed: z.boolean(),
  seed: z.number(),
  bundle: z.string().optional(),
});

/** project.json: the timeline as plain data; each lane's audio is audio/<lane id>.wav beside it. */
export const projectDocumentSchema = z.object({
  formatVersion: z.literal(1),
  lanes: z.array(laneSchema).max(500),
  regions: z.record(z.string(), z.object({ start: z.number().min(0), end: z.number().min(0) })),
  settings: projectSettingsSchema,
});
export type ProjectDocument = z.infer<typeof projectDocumentSchema>;

/** A project name is also its folder's name. */
export const projectNameSchema = z.string().regex(/^[\w][\w .-]{0,79}$/, 'letters, digits, spaces, dots and dashes (up to 80)');

export const projectSummarySchema = z.object({ name: z.string(), savedAt: z.string(), lanes: z.number() });
export type ProjectSummary = z.infer<typeof projectSummarySchema>;
