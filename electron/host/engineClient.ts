import type { EngineMethods } from '../contract/methods';
import { RpcClient, type CallOptions } from '../contract/rpcClient';
import type { z } from 'zod';
import type { EngineChannel, EngineLauncher } from './engineChannel';

/**
 * The host's handle on the engine: typed calls with progress and cancel. The process starts on the
 * first call; if it dies, the calls in flight fail with `engine/crashed` and the next call starts a
 * fresh one.
 */
export class EngineClient {
  private channel: EngineChannel | null = null;
  private rpc: RpcClient<EngineMethods> | null = null;
  private disposed = false;

  constructor(private readonly launch: EngineLauncher) {}

  get pid(): number | null {
    return this.channel?.pid ?? null;
  }

  call<M extends keyof EngineMethods & string>(
    method: M,
    params: z.input<EngineMethods[M]['params']>,
    options?: CallOptions,
  ): Promise<z.output<EngineMethods[M]['result']>> {
    return this.ensureStarted().call(method, params, options);
  }

  private ensureStarted(): RpcClient<EngineMethods> {
    if (this.disposed) throw new Error('engine client is disposed');
    if (this.rpc) return this.rpc;
    const channel = this.launch();
    const rpc = new RpcClient<EngineMethods>((message) => channel.send(message));
    channel.onMessage((message) => rpc.receive(message));
    channel.onExit((reason) => {
      if (this.channel === channel) {
        this.channel = null;
        this.rpc = null;
      }
      if (rpc.inFlight) {
        rpc.failAll({
          code: 'engine/crashed',
          message: `The engine stopped unexpectedly (it ${reason}); the job was lost. A fresh engine starts for the next job.`,
        });
      }
    });
    this.channel = channel;
    this.rpc = rpc;
    return rpc;
  }

  /** Stops the engine process; for tests, the engine can be killed this way mid-job as well. */
  kill(): void {
    this.channel?.kill();
  }

  dispose(): void {
    this.disposed = true;
    this.kill();
  }
}
