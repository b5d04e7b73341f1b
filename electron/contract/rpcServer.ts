import type { z } from 'zod';
import { inboundEnvelopeSchema, type OutboundEnvelope } from './envelopes';
import { SketchpadError, toErrorPayload } from './errors';
import type { MethodSpec } from './methods';
import type { Progress } from './progress';

/** What a running request sees: a signal that fires on cancel and a way to report progress. */
export interface JobContext {
  readonly signal: AbortSignal;
  report(progress: Progress): void;
}

export type Handlers<T extends Record<string, MethodSpec>> = {
  [M in keyof T]: (params: z.output<T[M]['params']>, job: JobContext) => Promise<z.input<T[M]['result']>>;
};

/** Throws the cancellation error if the job was cancelled: call it between steps of long work. */
export function throwIfCancelled(job: JobContext): void {
  if (job.signal.aborted) throw new SketchpadError('job/cancelled', 'The job was cancelled.');
}

/**
 * Serves one registry of methods over any message channel: validates each inbound envelope and
 * its params once, here at the edge, runs the handler, and answers with progress, result or error.
 */
export class RpcServer<T extends Record<string, MethodSpec>> {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly registry: T,
    private readonly handlers: Handlers<T>,
    private readonly send: (message: OutboundEnvelope) => void,
  ) {}

  /** Feed every message that arrives; returns once a request is finished (or at once for a cancel). */
  async receive(message: unknown): Promise<void> {
    const parsed = inboundEnvelopeSchema.safeParse(message);
    if (!parsed.success) {
      const id = typeof (message as { id?: unknown })?.id === 'number' ? (message as { id: number }).id : -1;
      this.send({ type: 'error', id, error: { code: 'request/invalid', message: 'Malformed message.' } });
      return;
    }
    const envelope = parsed.data;
    if (envelope.type === 'cancel') {
      this.running.get(envelope.id)?.abort();
      return;
    }
    const { id, method } = envelope;
    if (!Object.hasOwn(this.registry, method)) {
      this.send({ type: 'error', id, error: { code: 'engine/unknown-method', message: `Unknown method "${method}".` } });
      return;
    }
    const key = method as keyof T & string;
    const spec = this.registry[key] as MethodSpec; // present: checked with hasOwn above
    const params = spec.params.safeParse(envelope.params);
    if (!params.success) {
      const issue = params.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
      this.send({ type: 'error', id, error: { code: 'request/invalid', message: `Invalid ${method} request${where}: ${issue?.message ?? 'bad parameters'}.` } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    const job: JobContext = {
      signal: controller.signal,
      report: (progress) => {
        if (!controller.signal.aborted) this.send({ type: 'progress', id, progress });
      },
    };
    try {
      // The schema just checked the params, so the handler gets exactly what it declared.
      const handler = this.handlers[key] as (params: unknown, job: JobContext) => Promise<unknown>;
      const result = await handler(params.data, job);
      if (controller.signal.aborted) throw new SketchpadError('job/cancelled', 'The job was cancelled.');
      this.send({ type: 'result', id, result });
    } catch (error) {
      this.send({ type: 'error', id, error: toErrorPayload(error) });
    } finally {
      this.running.delete(id);
    }
  }

  /** Cancels everything in flight, e.g. when the other side went away. */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }
}
