import { z } from 'zod';

/**
 * Every failure a person can meet has a code and a human sentence. The code lets the UI and the CLI
 * react (exit status, toast style); the message is what they show, as is.
 */
export const errorCodes = [
  'audio/not-found',
  'audio/is-directory',
  'audio/unreadable',
  'audio/too-large',
  'audio/empty',
  'audio/unsupported',
  'audio/corrupt',
  'audio/invalid-samples',
  'audio/too-long',
  'audio/silent',
  'audio/bad-settings',
  'bundle/not-found',
  'bundle/invalid',
  'bundle/wrong-domain',
  'continue/bad-settings',
  'continue/prompt',
  'eval/manifest',
  'job/cancelled',
  'engine/crashed',
  'engine/unknown-method',
  'request/invalid',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export const errorPayloadSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
});
export type ErrorPayload = z.infer<typeof errorPayloadSchema>;

export class SketchpadError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SketchpadError';
    this.code = code;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }

  static fromPayload(payload: ErrorPayload): SketchpadError {
    return new SketchpadError(payload.code, payload.message);
  }
}

/** Anything thrown, as a payload fit to cross a process boundary; unknown errors keep their message. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof SketchpadError) return error.toPayload();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Unexpected internal error: ${message}` };
}

/** A schema failure as people read it: where (a dotted path, or "(root)") and what, e.g. "coarse.topP: Too small". */
export function firstSchemaIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}
