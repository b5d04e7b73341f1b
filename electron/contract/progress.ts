import { z } from 'zod';

export const progressSchema = z.object({
  /** The stage of the job, e.g. "decode", "resample", "semantic", "coarse", "fine", "decode-audio". */
  stage: z.string(),
  /** 0..1 over the whole job. */
  fraction: z.number().min(0).max(1),
  /** Seconds left, estimated from the pace so far; null until there is a pace to go by. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** Free text for a status line. */
  detail: z.string().optional(),
});
export type Progress = z.infer<typeof progressSchema>;
