import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from '../../electron/host/webHost';
import { builtEngine, fixture, repoRoot } from '../fixtures/paths';

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function request(ws: WebSocket, message: unknown): Promise<{ type: string; result?: unknown; error?: { code: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const reply = JSON.parse(data.toString()) as { type: string };
      if (reply.type !== 'progress') {
        ws.off('message', onMessage);
        resolve(reply);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(message));
  });
}

describe('the web host', () => {
  let host: WebHost;
  let base: string;

  beforeAll(async () => {
    host = await startWebHost({ rendererDir: join(repoRoot, 'out', 'renderer'), engineEntry: builtEngine });
    base = new URL(host.url).origin;
  });
  afterAll(() => host.close());

  it('listens on 127.0.0.1 only', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[a-f0-9]{48}$/);
  });

  it('serves the renderer with a strict content security policy', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(await fetch(`${base}/../package.json`).then((r) => r.status)).toBe(404);
  });

  it('refuses the API without the token or from another origin', async () => {
    await expect(connect(`${base.replace('http', 'ws')}/api`)).rejects.toThrow(/403/);
    await expect(connect(`${base.replace('http', 'ws')}/api?token=${'0'.repeat(48)}`)).rejects.toThrow(/403/);
    await expect(connect(`${base.replace('http', 'ws')}/api?token=${host.token}`, 'http://evil.example')).rejects.toThrow(/403/);
    expect((await fetch(`${base}/upload?name=x.wav`, { method: 'POST', body: 'x' })).status).toBe(403);
  });

  it('uploads, imports and serves a clip through the typed API', async () => {
    const bytes = readFileSync(fixture('speech.ogg'));
    const upload = (await fetch(`${base}/upload?token=${host.token}&name=speech.ogg`, { method: 'POST', body: bytes }).then((r) => r.json())) as { uploadId: string };
    const ws = await connect(`${base.replace('http', 'ws')}/api?token=${host.token}`, base);
    const reply = await request(ws, { type: 'request', id: 1, method: 'clip.import', params: { name: 'speech.ogg', source: { kind: 'upload', uploadId: upload.uploadId } } });
    expect(reply.type).toBe('result');
    const clip = reply.result as { mediaUrl: string; info: { format: string } };
    expect(clip.info.format).toBe('ogg-vorbis');
    const media = await fetch(`${base}${clip.mediaUrl}`);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('audio/wav');
    expect(await fetch(`${base}${clip.mediaUrl.replace(/token=\w+/, 'token=x')}`).then((r) => r.status)).toBe(403);
    ws.close();
  });

  it('does not accept file paths from a browser', async () => {
    const ws = await connect(`${base.replace('http', 'ws')}/api?token=${host.token}`, base);
    const reply = await request(ws, { type: 'request', id: 2, method: 'clip.import', params: { name: 'passwd', source: { kind: 'path', path: '/etc/passwd' } } });
    expect(reply.error?.code).toBe('request/invalid');
    ws.close();
  });
});
