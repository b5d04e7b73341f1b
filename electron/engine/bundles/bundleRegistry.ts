import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { bundleDomains, defaultBundleOf, hasFineStage, type BundleDomain, type BundleSummary } from '../../contract/bundle';
import { SketchpadError } from '../../contract/errors';
import type { ExecutionChoice } from '../runtime/executionProvider';
import { loadBundle, readManifest, type VerifiedBundle } from './bundleVerifier';

export interface RegistryPaths {
  /** Bundles that ship with the app (read-only). */
  readonly shipped: string;
  /** Bundles the user imported, and defaults.json. */
  readonly user: string;
}

/** From the environment (the app sets these), else beside the built engine and in the home folder. */
export function registryPaths(): RegistryPaths {
  const here = dirname(fileURLToPath(import.meta.url));
  return {
    shipped: process.env.SKETCHPAD_MODELS_DIR ?? resolve(here, '..', '..', 'models'),
    user: process.env.SKETCHPAD_USER_BUNDLES ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'sketchpad', 'bundles'),
  };
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

const escapes = (zipPath: string, name: string): SketchpadError =>
  new SketchpadError('bundle/invalid', `The zip ${basename(zipPath)} is refused: its entry "${name}" would be written outside the bundle folder.`);

/** Unpacks a zip into `target`, refusing entries that would land outside it or are links. */
async function unzip(zipPath: string, target: string): Promise<void> {
  try {
    await unzipEntries(zipPath, target);
  } catch (error) {
    if (error instanceof SketchpadError) throw error;
    // yauzl itself rejects "../" and absolute names before we see the entry.
    const name = /(?:invalid relative path|absolute path): (.*)$/.exec((error as Error).message)?.[1];
    if (name) throw escapes(zipPath, name);
    throw new SketchpadError('bundle/invalid', `The zip ${basename(zipPath)} cannot be read: ${(error as Error).message}.`);
  }
}

async function unzipEntries(zipPath: string, target: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((done, fail) =>
    yauzl.open(zipPath, { lazyEntries: true, strictFileNames: true }, (error, file) => (error ? fail(error) : done(file))));
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail);
      zip.on('end', () => done());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const destination = normalize(join(target, name));
        const isLink = ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
        if (isAbsolute(name) || name.split(/[\\/]/).includes('..') || !destination.startsWith(target + sep) || isLink) {
          fail(escapes(zipPath, name));
          return;
        }
        if (name.endsWith('/')) {
          void mkdir(destination, { recursive: true }).then(() => zip.readEntry(), fail);
          return;
        }
        zip.openReadStream(entry, (error, stream) => {
          if (error) return fail(error);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            void mkdir(dirname(destination), { recursive: true })
              .then(() => writeFile(destination, Buffer.concat(chunks)))
              .then(() => zip.readEntry(), fail);
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/**
 * The bundles this machine has: shipped ones and imported ones, a default, import and removal.
 * Loaded bundles stay open for the life of the engine process.
 */
export class BundleRegistry {
  private readonly loaded = new Map<string, Promise<VerifiedBundle>>();

  constructor(private readonly paths: RegistryPaths, private readonly choice: ExecutionChoice) {}

  /** The chosen default per domain (defaults.json): domain -> bundle name. */
  private async defaults(): Promise<Partial<Record<BundleDomain, string>>> {
    try {
      return JSON.parse(await readFile(join(this.paths.user, 'defaults.json'), 'utf8')) as Partial<Record<BundleDomain, string>>;
    } catch {
      return {};
    }
  }

  async list(): Promise<BundleSummary[]> {
    const chosen = await this.defaults();
    const out: BundleSummary[] = [];
    for (const [source, root] of [['shipped', this.paths.shipped], ['user', this.paths.user]] as const) {
      for (const entry of await readdir(root).catch(() => [] as string[])) {
        if (entry.startsWith('.')) continue; // imports being staged
        const folder = join(root, entry);
        if (!(await isDirectory(folder)) || !(await stat(join(folder, 'bundle.json')).catch(() => null))) continue;
        try {
          const manifest = await readManifest(folder);
          out.push({ name: manifest.name, title: manifest.title, domain: manifest.domain, source, path: folder, isDefault: false, sampleRate: manifest.sampleRate, fineStage: hasFineStage(manifest), card: manifest.card });
        } catch {
          // An invalid bundle is not offered; `models verify` names its problem.
        }
      }
    }
    // Each domain's default: the chosen one if it is still installed, else the first of that domain.
    const defaults = new Set(bundleDomains.map((domain) => {
      const mine = out.filter((b) => b.domain === domain);
      return (mine.find((b) => b.name === chosen[domain]) ?? mine[0])?.name;
    }));
    return out.map((b) => ({ ...b, isDefault: defaults.has(b.name) }));
  }

  /**
   * A bundle folder from a name, a path, or (undefined) a default: the domain's, else the general
   * one, else any installed bundle.
   */
  async resolve(nameOrPath?: string, domain?: BundleDomain): Promise<string> {
    if (nameOrPath && (nameOrPath.includes('/') || nameOrPath.includes(sep) || nameOrPath.startsWith('.'))) {
      if (!(await isDirectory(nameOrPath))) throw new SketchpadError('bundle/not-found', `No bundle folder at ${nameOrPath}.`);
      return resolve(nameOrPath);
    }
    const bundles = await this.list();
    const found = nameOrPath ? bundles.find((b) => b.name === nameOrPath) : defaultBundleOf(bundles, domain);
    if (!found) {
      const names = bundles.map((b) => b.name).join(', ');
      throw new SketchpadError('bundle/not-found', nameOrPath
        ? `There is no bundle named "${nameOrPath}"${names ? `; installed: ${names}` : ''}.`
        : 'No model bundle is installed: import one (sketchpad models import) or pass --bundle PATH.');
    }
    return found.path;
  }

  load(folder: string): Promise<VerifiedBundle> {
    let bundle = this.loaded.get(folder);
    if (!bundle) {
      bundle = loadBundle(folder, this.choice);
      bundle.catch(() => this.loaded.delete(folder));
      this.loaded.set(folder, bundle);
    }
    return bundle;
  }

  /** Verifies a folder or zip completely, then copies it in under its manifest name. */
  async import(source: string): Promise<BundleSummary> {
    await mkdir(this.paths.user, { recursive: true });
    const staging = await mkdtemp(join(this.paths.user, '.import-'));
    try {
      const info = await stat(source).catch(() => null);
      if (!info) throw new SketchpadError('bundle/not-found', `Nothing at ${source}.`);
      if (info.isDirectory()) await cp(source, staging, { recursive: true, verbatimSymlinks: true });
      else await unzip(source, staging);
      // A zip may hold the bundle folder itself rather than its contents.
      const entries = await readdir(staging);
      const folder = entries.length === 1 && (await isDirectory(join(staging, entries[0]!))) ? join(staging, entries[0]!) : staging;
      const verified = await loadBundle(folder, this.choice);
      await Promise.all(Object.values(verified.sessions).map((s) => s.release()));
      const name = verified.manifest.name;
      if ((await this.list()).some((b) => b.name === name)) throw new SketchpadError('bundle/invalid', `A bundle named "${name}" is already installed; remove it first.`);
      const destination = join(this.paths.user, name);
      await rename(folder, destination);
      return (await this.list()).find((b) => b.name === name)!;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async remove(name: string): Promise<void> {
    const bundle = (await this.list()).find((b) => b.name === name);
    if (!bundle) throw new SketchpadError('bundle/not-found', `There is no bundle named "${name}".`);
    if (bundle.source === 'shipped') throw new SketchpadError('bundle/invalid', `${name} ships with Sketchpad and cannot be removed.`);
    await rm(bundle.path, { recursive: true, force: true });
    this.loaded.delete(bundle.path);
  }

  /** Makes a bundle the default for its own domain. */
  async setDefault(name: string): Promise<void> {
    const bundle = (await this.list()).find((b) => b.name === name);
    if (!bundle) throw new SketchpadError('bundle/not-found', `There is no bundle named "${name}".`);
    await mkdir(this.paths.user, { recursive: true });
    const defaults = { ...(await this.defaults()), [bundle.domain]: name };
    await writeFile(join(this.paths.user, 'defaults.json'), JSON.stringify(defaults, null, 2));
  }
}
