import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { OutboundEnvelope } from '../../../electron/contract/envelopes';
import { SketchpadError } from '../../../electron/contract/errors';
import { RpcClient } from '../../../electron/contract/rpcClient';
import { RpcServer, throwIfCancelled, type Handlers } from '../../../electron/contract/rpcServer';

const registry = {
  add: { params: z.object({ a: z.number(), b: z.number() }), result: z.number() },
  count: { params: z.object({ to: z.number().int() }), result: z.number() },
  fail: { params: z.object({}), result: z.null() },
};

const handlers: Handlers<typeof registry> = {
  add: async ({ a, b }) => a + b,
  count: async ({ to }, job) => {
    for (let i = 0; i < to; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throwIfCancelled(job);
      job.report({ stage: 'count', fraction: (i + 1) / to, etaSeconds: null });
    }
    return to;
  },
  fail: async () => {
    throw new SketchpadError('audio/corrupt', 'That file is damaged.');
  },
};

function pair() {
  const sent: OutboundEnvelope[] = [];
  const server = new RpcServer(registry, handlers, (message) => {
    sent.push(message);
    client.receive(message);
  });
  const client = new RpcClient<typeof registry>((message) => void server.receive(message));
  return { client, server, sent };
}

describe('the RPC contract', () => {
  it('answers a typed call', async () => {
    expect(await pair().client.call('add', { a: 2, b: 3 })).toBe(5);
  });

  it('streams progress before the result', async () => {
    const fractions: number[] = [];
    const result = await pair().client.call('count', { to: 4 }, { onProgress: (p) => fractions.push(p.fraction) });
    expect(result).toBe(4);
    expect(fractions).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('cancels within a step', async () => {
    const controller = new AbortController();
    const { client } = pair();
    const call = client.call('count', { to: 1000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    await expect(call).rejects.toMatchObject({ code: 'job/cancelled' });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('carries a SketchpadError across with its code and message', async () => {
    await expect(pair().client.call('fail', {})).rejects.toMatchObject({ code: 'audio/corrupt', message: 'That file is damaged.' });
  });

  it('refuses invalid parameters with the field named', async () => {
    const { client } = pair();
    // @ts-expect-error: the wrong type on purpose, as an untrusted sender might send it
    await expect(client.call('add', { a: 'two', b: 3 })).rejects.toMatchObject({ code: 'request/invalid', message: expect.stringMatching(/Invalid add request \(a\)/) });
  });

  it('refuses unknown methods and malformed envelopes', async () => {
    const { server, sent } = pair();
    await server.receive({ type: 'request', id: 7, method: 'format-disk', params: {} });
    await server.receive({ nonsense: true });
    await server.receive({ type: 'request', id: 8, method: 'toString', params: {} });
    expect(sent.map((m) => (m.type === 'error' ? m.error.code : m.type))).toEqual(['engine/unknown-method', 'request/invalid', 'engine/unknown-method']);
  });
});
