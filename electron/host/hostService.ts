import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ApiMethods } from '../contract/methods';
import { SketchpadError } from '../contract/errors';
import type { Handlers, JobContext } from '../contract/rpcServer';
import packageJson from '../../package.json' with { type: 'json' };
import type { EngineClient } from './engineClient';

export interface HostServiceOptions {
  readonly host: 'electron' | 'web';
  /** A private folder for uploads and decoded clips, removed on dispose. */
  readonly workDir: string;
  /** Only the desktop app takes file paths from the renderer (dropped or opened files). */
  readonly acceptPaths: boolean;
  /** The URL under which the host serves a prepared clip's audio. */
  readonly mediaUrl: (clipId: string) => string;
  readonly maxUploadBytes: number;
}

const newId = (): string => randomBytes(16).toString('hex');

/**
 * What the renderer may ask of the host, Electron-free: the desktop app's main process and the web
 * host both serve these handlers, so the renderer sees one API.
 */
export class HostService {
  private readonly uploads = new Map<string, string>();
  private readonly media = new Map<string, string>();

  constructor(private readonly engine: EngineClient, private readonly options: HostServiceOptions) {}

  readonly handlers: Handlers<ApiMethods> = {
    'app.info': async () => ({ version: packageJson.version, host: this.options.host, enginePid: this.engine.pid }),
    'clip.import': (params, job) => this.importClip(params.name, params.source, job),
  };

  /** Keeps uploaded bytes under a fresh id; the renderer then imports by that id. */
  async acceptUpload(name: string, bytes: Uint8Array): Promise<string> {
    if (bytes.byteLength > this.options.maxUploadBytes) {
      throw new SketchpadError('audio/too-large', `${name} is ${(bytes.byteLength / 1024 ** 2).toFixed(0)} MB; the limit is ${(this.options.maxUploadBytes / 1024 ** 2).toFixed(0)} MB.`);
    }
    const id = newId();
    const folder = join(this.options.workDir, 'uploads', id);
    await mkdir(folder, { recursive: true });
    // The name is only a label: never let it pick a path.
    const path = join(folder, basename(name).replace(/[^\w.\- ]/g, '_') || 'upload');
    await writeFile(path, bytes);
    this.uploads.set(id, path);
    return id;
  }

  /** The file behind a media URL, or null: only prepared clips are ever served. */
  mediaPath(clipId: string): string | null {
    return this.media.get(clipId) ?? null;
  }

  private async importClip(name: string, source: { kind: 'path'; path: string } | { kind: 'upload'; uploadId: string }, job: JobContext) {
    let path: string;
    if (source.kind === 'path') {
      if (!this.options.acceptPaths) throw new SketchpadError('request/invalid', 'This host takes uploads, not file paths.');
      path = source.path;
    } else {
      const uploaded = this.uploads.get(source.uploadId);
      if (!uploaded) throw new SketchpadError('request/invalid', 'That upload is unknown or has expired; drop the file again.');
      path = uploaded;
    }
    const clipId = newId();
    const outputDir = join(this.options.workDir, 'clips', clipId);
    const prepared = await this.engine.call('audio.prepare', { path, outputDir }, { signal: job.signal, onProgress: job.report });
    this.media.set(clipId, prepared.playbackPath);
    if (source.kind === 'upload') {
      this.uploads.delete(source.uploadId);
      await rm(path, { force: true });
    }
    return { clipId, name, info: prepared.info, peaks: prepared.peaks, mediaUrl: this.options.mediaUrl(clipId) };
  }

  async dispose(): Promise<void> {
    this.engine.dispose();
    await rm(this.options.workDir, { recursive: true, force: true });
  }
}
