import type { z } from 'zod';
import type { CancelEnvelope, OutboundEnvelope, RequestEnvelope } from './envelopes';
import { SketchpadError, type ErrorPayload } from './errors';
import type { MethodSpec } from './methods';
import type { Progress } from './progress';

export interface CallOptions {
  /** Called for each progress report of this request. */
  onProgress?: (progress: Progress) => void;
  /** Aborting sends a cancel; the call then rejects with a `job/cancelled` error. */
  signal?: AbortSignal;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: SketchpadError): void;
  onProgress?: (progress: Progress) => void;
  detach(): void;
}

/** The calling side of an RpcServer: typed calls, progress, cancel; transport-agnostic. */
export class RpcClient<T extends Record<string, MethodSpec>> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly send: (message: RequestEnvelope | CancelEnvelope) => void) {}

  call<M extends keyof T & string>(
    method: M,
    params: z.input<T[M]['params']>,
    options: CallOptions = {},
  ): Promise<z.output<T[M]['result']>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new SketchpadError('job/cancelled', 'The job was cancelled.'));
        return;
      }
      const onAbort = (): void => this.send({ type: 'cancel', id });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: options.onProgress,
        detach: () => options.signal?.removeEventListener('abort', onAbort),
      });
      this.send({ type: 'request', id, method, params });
    });
  }

  /** Feed every message from the server. */
  receive(message: OutboundEnvelope): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    pending.detach();
    if (message.type === 'result') pending.resolve(message.result);
    else pending.reject(SketchpadError.fromPayload(message.error));
  }

  /** Rejects every call in flight, e.g. when the server's process died. */
  failAll(error: ErrorPayload): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.detach();
      pending.reject(SketchpadError.fromPayload(error));
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
