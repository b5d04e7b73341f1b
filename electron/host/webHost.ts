import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { apiMethods } from '../contract/methods';
import { toErrorPayload } from '../contract/errors';
import { RpcServer } from '../contract/rpcServer';
import { audioLimits } from '../engine/audio/audioLimits';
import { EngineClient } from './engineClient';
import { nodeEngineLauncher } from './engineChannel';
import { HostService } from './hostService';
import { contentSecurityPolicy } from './contentSecurityPolicy';

export interface WebHostOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  /** The built renderer (index.html and assets). */
  readonly rendererDir?: string;
  readonly engineEntry?: string;
  /** Where projects are saved (default: SKETCHPAD_PROJECTS, else ~/.local/share/sketchpad/projects). */
  readonly projectsDir?: string;
}

export interface WebHost {
  /** Open this in any Chromium: it carries the per-run token. */
  readonly url: string;
  readonly token: string;
  readonly service: HostService;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function defaultRendererDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}

function sameToken(given: string | null, token: string): boolean {
  if (!given || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

async function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('too large'), { tooLarge: true, size });
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Serves the built renderer and the same typed API as the desktop app, over a WebSocket, on
 * 127.0.0.1 only. Every API, upload and media request must carry the per-run token, and WebSocket
 * upgrades must come from our own origin, so other local pages and processes cannot drive it.
 */
export async function startWebHost(options: WebHostOptions = {}): Promise<WebHost> {
  const token = randomBytes(24).toString('hex');
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const engine = new EngineClient(nodeEngineLauncher(options.engineEntry));
  let origin = '';
  const service = new HostService(engine, {
    host: 'web',
    workDir: join(tmpdir(), `sketchpad-web-${process.pid}-${randomBytes(4).toString('hex')}`),
    acceptPaths: false,
    mediaUrl: (clipId) => `/media/${clipId}?token=${token}`,
    exportUrl: (exportId) => `/download/${exportId}?token=${token}`,
    projectsDir: options.projectsDir ?? process.env.SKETCHPAD_PROJECTS ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'sketchpad', 'projects'),
    maxUploadBytes: audioLimits.maxFileBytes,
  });

  const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', origin || 'http://127.0.0.1');
    try {
      if (url.pathname === '/upload' && request.method === 'POST') {
        if (!sameToken(url.searchParams.get('token'), token)) return sendJson(response, 403, { code: 'request/invalid', message: 'Bad token.' });
        const name = url.searchParams.get('name') ?? 'upload';
        let bytes: Uint8Array;
        try {
          bytes = await readBody(request, audioLimits.maxFileBytes);
        } catch {
          return sendJson(response, 413, { code: 'audio/too-large', message: `${name} is larger than the ${audioLimits.maxFileBytes / 1024 ** 3} GB limit.` });
        }
        const uploadId = await service.acceptUpload(name, bytes);
        return sendJson(response, 200, { uploadId });
      }
      if (url.pathname.startsWith('/media/') && request.method === 'GET') {
        if (!sameToken(url.searchParams.get('token'), token)) return sendJson(response, 403, { code: 'request/invalid', message: 'Bad token.' });
        const path = service.mediaPath(url.pathname.slice('/media/'.length));
        if (!path) return sendJson(response, 404, { code: 'request/invalid', message: 'No such clip.' });
        const info = await stat(path);
        response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': info.size, 'cache-control': 'no-store' });
        createReadStream(path).pipe(response);
        return;
      }
      if (url.pathname.startsWith('/download/') && request.method === 'GET') {
        if (!sameToken(url.searchParams.get('token'), token)) return sendJson(response, 403, { code: 'request/invalid', message: 'Bad token.' });
        const path = service.exportPath(url.pathname.slice('/download/'.length));
        if (!path) return sendJson(response, 404, { code: 'request/invalid', message: 'No such export.' });
        const info = await stat(path);
        response.writeHead(200, {
          'content-type': 'audio/wav',
          'content-length': info.size,
          'content-disposition': `attachment; filename="${basename(path).replace(/["\\]/g, '_')}"`,
          'cache-control': 'no-store',
        });
        createReadStream(path).pipe(response);
        return;
      }
      if (request.method !== 'GET') return sendJson(response, 405, { message: 'Method not allowed.' });
      const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      const file = normalize(join(rendererDir, relative));
      if (!file.startsWith(rendererDir + sep)) return sendJson(response, 404, { message: 'Not found.' });
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return sendJson(response, 404, { message: 'Not found.' });
      response.writeHead(200, {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': contentSecurityPolicy({ connectSelf: true }),
        'x-content-type-options': 'nosniff',
      });
      createReadStream(file).pipe(response);
    } catch (error) {
      sendJson(response, 500, toErrorPayload(error));
    }
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', origin);
    const originOk = !request.headers.origin || request.headers.origin === origin;
    if (url.pathname !== '/api' || !sameToken(url.searchParams.get('token'), token) || !originOk) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    const rpc = new RpcServer(apiMethods, service.handlers, (message) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    });
    ws.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        message = null;
      }
      void rpc.receive(message);
    });
    ws.on('close', () => rpc.cancelAll());
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    token,
    service,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((done) => server.close(() => done()));
      await service.dispose();
    },
  };
}
