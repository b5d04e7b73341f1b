import type { InjectionKey } from 'vue';
import type { z } from 'zod';
import { outboundEnvelopeSchema, type CancelEnvelope, type RequestEnvelope } from '../../../electron/contract/envelopes';
import { SketchpadError } from '../../../electron/contract/errors';
import type { BundleSummary } from '../../../electron/contract/bundle';
import { isMenuCommand, type MenuCommand } from '../../../electron/contract/commands';
import type { ApiMethods, Clip } from '../../../electron/contract/methods';
import { RpcClient, type CallOptions } from '../../../electron/contract/rpcClient';

/** What the renderer can ask of its host, the same in the desktop app and in a browser. */
export interface SketchpadApi {
  readonly host: 'electron' | 'web';
  call<M extends keyof ApiMethods & string>(method: M, params: z.input<ApiMethods[M]['params']>, options?: CallOptions): Promise<z.output<ApiMethods[M]['result']>>;
  /** Hands a dropped or opened file to the host and returns the prepared clip. */
  importFile(file: File, options?: CallOptions): Promise<Clip>;
  /** Imports a model bundle (a zip) through the host. */
  importBundle(file: File, options?: CallOptions): Promise<BundleSummary>;
  /** Saves a rendered export where the person chooses (a dialog, or the browser's download); the name or path it went to, or null if cancelled. */
  saveExport(exported: { exportId: string; url: string; fileName: string }): Promise<string | null>;
  /** Starts dragging a rendered export out of the window (desktop app only). */
  readonly dragExport?: (exportId: string) => void;
  /** Commands from the desktop app's menu (desktop app only). */
  readonly onCommand?: (listener: (command: MenuCommand) => void) => void;
}

/** The browser's download of a URL the host serves. */
function download(url: string, fileName: string): string {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  return fileName;
}

export const apiKey: InjectionKey<SketchpadApi> = Symbol('sketchpad-api');

/** The preload's bridge in the desktop app (see electron/preload). */
interface DesktopBridge {
  send(message: RequestEnvelope | CancelEnvelope): void;
  onMessage(listener: (message: unknown) => void): void;
  pathForFile(file: File): string;
  saveExport(exportId: string): Promise<string | null>;
  dragExport(exportId: string): void;
  onCommand(listener: (command: unknown) => void): void;
}

function desktopApi(bridge: DesktopBridge): SketchpadApi {
  const rpc = new RpcClient<ApiMethods>((message) => bridge.send(message));
  bridge.onMessage((message) => {
    const parsed = outboundEnvelopeSchema.safeParse(message);
    if (parsed.success) rpc.receive(parsed.data);
  });
  return {
    host: 'electron',
    call: (method, params, options) => rpc.call(method, params, options),
    importFile: (file, options) => rpc.call('clip.import', { name: file.name, source: { kind: 'path', path: bridge.pathForFile(file) } }, options),
    importBundle: (file, options) => rpc.call('models.import', { name: file.name, source: { kind: 'path', path: bridge.pathForFile(file) } }, options),
    saveExport: (exported) => bridge.saveExport(exported.exportId),
    dragExport: (exportId) => bridge.dragExport(exportId),
    onCommand: (listener) => bridge.onCommand((command) => {
      if (isMenuCommand(command)) listener(command);
    }),
  };
}

function webApi(token: string): SketchpadApi {
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  const rpc = new RpcClient<ApiMethods>((message) => {
    void connect().then((ws) => ws.send(JSON.stringify(message)));
  });
  // One socket, reopened if the host restarts; calls in flight when it drops fail plainly.
  function connect(): Promise<WebSocket> {
    if (socket?.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onmessage = (event) => {
        const parsed = outboundEnvelopeSchema.safeParse(JSON.parse(String(event.data)));
        if (parsed.success) rpc.receive(parsed.data);
      };
      ws.onclose = () => {
        socket = null;
        opened = null;
        rpc.failAll({ code: 'engine/crashed', message: 'Lost the connection to the Sketchpad host. Is it still running?' });
        reject(new SketchpadError('engine/crashed', 'Cannot reach the Sketchpad host.'));
      };
    });
    return opened;
  }
  async function upload(file: File): Promise<string> {
    const response = await fetch(`/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
    const body = (await response.json()) as { uploadId?: string; code?: string; message?: string };
    if (!response.ok || !body.uploadId) throw new SketchpadError('audio/too-large', body.message ?? `Upload failed (${response.status}).`);
    return body.uploadId;
  }
  return {
    host: 'web',
    call: (method, params, options) => rpc.call(method, params, options),
    importFile: async (file, options) => rpc.call('clip.import', { name: file.name, source: { kind: 'upload', uploadId: await upload(file) } }, options),
    importBundle: async (file, options) => rpc.call('models.import', { name: file.name, source: { kind: 'upload', uploadId: await upload(file) } }, options),
    saveExport: async (exported) => download(exported.url, exported.fileName),
  };
}

export function connectApi(): SketchpadApi {
  const bridge = (window as unknown as { sketchpad?: DesktopBridge }).sketchpad;
  if (bridge) return desktopApi(bridge);
  const token = new URLSearchParams(location.search).get('token');
  if (!token) throw new Error('Open Sketchpad from the address the host printed: it carries the access token.');
  return webApi(token);
}
