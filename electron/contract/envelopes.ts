import { z } from 'zod';
import { errorPayloadSchema } from './errors';
import { progressSchema } from './progress';

/**
 * The envelopes every hop uses: renderer <-> host (IPC or WebSocket) and host <-> engine (process
 * messages). A request carries an id; progress, the result or the error answer that id; a cancel
 * names the id to stop.
 */
export const requestEnvelopeSchema = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  params: z.unknown(),
});
export const cancelEnvelopeSchema = z.object({ type: z.literal('cancel'), id: z.number().int().nonnegative() });
export const inboundEnvelopeSchema = z.discriminatedUnion('type', [requestEnvelopeSchema, cancelEnvelopeSchema]);

export const progressEnvelopeSchema = z.object({
  type: z.literal('progress'),
  id: z.number().int(),
  progress: progressSchema,
});
export const resultEnvelopeSchema = z.object({ type: z.literal('result'), id: z.number().int(), result: z.unknown() });
export const errorEnvelopeSchema = z.object({ type: z.literal('error'), id: z.number().int(), error: errorPayloadSchema });
export const outboundEnvelopeSchema = z.discriminatedUnion('type', [
  progressEnvelopeSchema,
  resultEnvelopeSchema,
  errorEnvelopeSchema,
]);

export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;
export type CancelEnvelope = z.infer<typeof cancelEnvelopeSchema>;
export type InboundEnvelope = z.infer<typeof inboundEnvelopeSchema>;
export type OutboundEnvelope = z.infer<typeof outboundEnvelopeSchema>;
