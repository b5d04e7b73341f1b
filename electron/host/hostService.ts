import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ApiMethods } from '../contract/methods';
import { SketchpadError } from '../contract/errors';
import type { Handlers, JobContext } from '../contract/rpcServer';
import packageJson from '../../package.json' with { type: 'json' };
import type { EngineClient } from './engineClient';
import { ProjectStore } from './projectStore';

export interface HostServiceOptions {
  readonly host: 'electron' | 'web';
  /** A private folder for uploads and decoded clips, removed on dispose. */
  readonly workDir: string;
  /** Only the desktop app takes file paths from the renderer (dropped or opened files). */
  readonly acceptPaths: boolean;
  /** The URL under which the host serves a prepared clip's audio. */
  readonly mediaUrl: (clipId: string) => string;
  readonly maxUploadBytes: number;
  /** The URL a finished export downloads from (the web host); the desktop app saves through a dialog instead. */
  readonly exportUrl: (exportId: string) => string;
  /** Where saved projects and the autosave live (outside workDir: they outlive the session). */
  readonly projectsDir: string;
}

type ClipSource = { kind: 'path'; path: string } | { kind: 'upload'; uploadId: string };

const newId = (): string => randomBytes(16).toString('hex');

/**
 * What the renderer may ask of the host, Electron-free: the desktop app's main process and the web
 * host both serve these handlers, so the renderer sees one API.
 */
export class HostService {
  private readonly uploads = new Map<string, string>();
  /** Clip id -> the float WAV the renderer plays and exports read from. */
  private readonly media = new Map<string, string>();
  private readonly exports = new Map<string, string>();
  private readonly projects: ProjectStore;

  constructor(private readonly engine: EngineClient, private readonly options: HostServiceOptions) {
    this.projects = new ProjectStore(options.projectsDir);
  }

  readonly handlers: Handlers<ApiMethods> = {
    'app.info': async () => ({ version: packageJson.version, host: this.options.host, enginePid: this.engine.pid }),
    'clip.import': (params, job) => this.importClip(params.name, params.source, job),
    'continue.generate': (params, job) => this.generate(params, job),
    'export.render': (params, job) => this.render(params, job),
    'models.list': async () => {
      const [bundles, hello] = await Promise.all([this.engine.call('models.list', {}), this.engine.call('engine.hello', {})]);
      return { bundles, device: hello.device };
    },
    'models.import': async ({ source }, job) => {
      const path = this.sourcePath(source);
      try {
        return await this.engine.call('models.import', { source: path }, { signal: job.signal });
      } finally {
        if (source.kind === 'upload') await this.forgetUpload(source.uploadId);
      }
    },
    'project.save': ({ name, document }) => this.projects.save(name, document, (id) => this.mediaPath(id)),
    'project.autosave': async ({ document }) => ({ savedAt: (await this.projects.save(null, document, (id) => this.mediaPath(id))).savedAt }),
    'project.list': () => this.projects.list(),
    'project.open': ({ name }, job) => this.openProject(name ?? null, job),
    'project.discardAutosave': async () => ({ discarded: await this.projects.discardAutosave() }),
    'models.remove': ({ name }) => this.engine.call('models.remove', { name }),
    'models.setDefault': ({ name }) => this.engine.call('models.setDefault', { name }),
  };

  private sourcePath(source: ClipSource): string {
    if (source.kind === 'path') {
      if (!this.options.acceptPaths) throw new SketchpadError('request/invalid', 'This host takes uploads, not file paths.');
      return source.path;
    }
    const uploaded = this.uploads.get(source.uploadId);
    if (!uploaded) throw new SketchpadError('request/invalid', 'That upload is unknown or has expired; drop the file again.');
    return uploaded;
  }

  private async forgetUpload(uploadId: string): Promise<void> {
    const path = this.uploads.get(uploadId);
    this.uploads.delete(uploadId);
    if (path) await rm(path, { force: true });
  }

  private mediaFile(mediaId: string): string {
    const path = this.media.get(mediaId);
    if (!path) throw new SketchpadError('request/invalid', 'That clip is no longer open in this session; open it again.');
    return path;
  }

  /** Prepares a decoded file as a clip the renderer can draw and play. */
  private async prepare(path: string, name: string, job: JobContext) {
    const clipId = newId();
    const outputDir = join(this.options.workDir, 'clips', clipId);
    const prepared = await this.engine.call('audio.prepare', { path, outputDir }, { signal: job.signal, onProgress: job.report });
    this.media.set(clipId, prepared.playbackPath);
    return { clipId, name, info: prepared.info, peaks: prepared.peaks, mediaUrl: this.options.mediaUrl(clipId) };
  }

  private async generate(params: Parameters<Handlers<ApiMethods>['continue.generate']>[0], job: JobContext) {
    const prompt = this.mediaFile(params.sourceId);
    const outDir = join(this.options.workDir, 'generations', newId());
    const result = await this.engine.call('continue', {
      prompt,
      promptStart: params.regionStart,
      promptEnd: params.regionEnd,
      outDir,
      seconds: params.seconds,
      variants: params.variants,
      seed: params.seed,
      temperatures: params.temperatures,
      bundle: params.bundle,
    }, { signal: job.signal, onProgress: job.report });
    const variants = [];
    for (const [index, file] of result.files.entries()) {
      const quiet: JobContext = { signal: job.signal, report: () => undefined };
      variants.push(await this.prepare(file, `Variant ${index + 1}`, quiet));
    }
    return { variants, seed: result.seed, bundle: result.bundle, provider: result.provider, seconds: result.seconds };
  }

  private async render(params: Parameters<Handlers<ApiMethods>['export.render']>[0], job: JobContext) {
    const exportId = newId();
    const folder = join(this.options.workDir, 'exports', exportId);
    await mkdir(folder, { recursive: true });
    const output = join(folder, params.fileName);
    const parts = params.parts.map((part) => ({ path: this.mediaFile(part.mediaId), start: part.start, end: part.end }));
    const result = await this.engine.call('audio.render', { parts, output, sampleRate: params.sampleRate, encoding: params.encoding }, { signal: job.signal, onProgress: job.report });
    this.exports.set(exportId, output);
    return { exportId, fileName: params.fileName, url: this.options.exportUrl(exportId), seconds: result.frames / result.sampleRate, sampleRate: result.sampleRate };
  }

  /**
   * Opens a project: each lane's audio is prepared afresh under a new id (ids are per session), and
   * the document is rewritten to those ids. Lanes whose audio is gone keep their old id and are
   * listed as missing, to be relinked.
   */
  private async openProject(name: string | null, job: JobContext) {
    const { document, folder } = await this.projects.read(name);
    const renamed = new Map<string, string>();
    const clips = [];
    const missing = [];
    for (const lane of document.lanes) {
      const file = join(folder, 'audio', `${lane.id}.wav`);
      if (!(await stat(file).catch(() => null))) {
        missing.push({ laneId: lane.id, laneName: lane.name, file });
        continue;
      }
      const clip = await this.prepare(file, lane.name, { signal: job.signal, report: () => undefined });
      renamed.set(lane.id, clip.clipId);
      clips.push(clip);
    }
    const to = (id: string): string => renamed.get(id) ?? id;
    const lanes = document.lanes.map((lane) => ({ ...lane, id: to(lane.id), origin: lane.origin && { ...lane.origin, sourceId: to(lane.origin.sourceId) } }));
    const regions = Object.fromEntries(Object.entries(document.regions).map(([id, region]) => [to(id), region]));
    return { name, document: { ...document, lanes, regions }, clips, missing };
  }

  /** The file behind an export id, or null. */
  exportPath(exportId: string): string | null {
    return this.exports.get(exportId) ?? null;
  }

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

  private async importClip(name: string, source: ClipSource, job: JobContext) {
    const path = this.sourcePath(source);
    try {
      return await this.prepare(path, name, job);
    } finally {
      if (source.kind === 'upload') await this.forgetUpload(source.uploadId);
    }
  }

  async dispose(): Promise<void> {
    this.engine.dispose();
    await rm(this.options.workDir, { recursive: true, force: true });
  }
}
