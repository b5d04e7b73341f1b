import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SketchpadError } from '../contract/errors';
import { projectDocumentSchema, projectNameSchema, type ProjectDocument, type ProjectSummary } from '../contract/project';

const autosaveFolder = '.autosave';

/**
 * Projects on disk: one folder per project under `root`, holding project.json and audio/<lane>.wav.
 * JSON is written atomically after the audio it names, so a crash mid-save leaves the previous
 * state readable; the autosave slot is an ordinary project folder named .autosave.
 */
export class ProjectStore {
  constructor(private readonly root: string) {}

  private folder(name: string | null): string {
    if (name === null) return join(this.root, autosaveFolder);
    if (!projectNameSchema.safeParse(name).success) throw new SketchpadError('request/invalid', `"${name}" cannot be a project name: use letters, digits, spaces, dots and dashes.`);
    return join(this.root, name);
  }

  /** Writes the document and copies each lane's audio (`audioOf` gives the file behind a lane). */
  async save(name: string | null, document: ProjectDocument, audioOf: (laneId: string) => string | null): Promise<ProjectSummary> {
    const folder = this.folder(name);
    const audio = join(folder, 'audio');
    await mkdir(audio, { recursive: true });
    const wanted = new Set<string>();
    for (const lane of document.lanes) {
      const target = join(audio, `${lane.id}.wav`);
      wanted.add(`${lane.id}.wav`);
      if (await stat(target).catch(() => null)) continue; // a lane's audio never changes under its id
      const source = audioOf(lane.id);
      if (source) await copyFile(source, target);
    }
    for (const file of await readdir(audio)) if (!wanted.has(file)) await rm(join(audio, file), { force: true });
    const savedAt = new Date().toISOString();
    const temporary = join(folder, 'project.json.partial');
    await writeFile(temporary, JSON.stringify({ ...document, savedAt }, null, 1));
    await rename(temporary, join(folder, 'project.json'));
    return { name: name ?? autosaveFolder, savedAt, lanes: document.lanes.length };
  }

  async read(name: string | null): Promise<{ document: ProjectDocument; folder: string; savedAt: string }> {
    const folder = this.folder(name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(join(folder, 'project.json'), 'utf8'));
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new SketchpadError('request/invalid', missing ? `There is no project named "${name ?? 'autosave'}".` : `The project "${name}" cannot be read: project.json is damaged.`);
    }
    const parsed = projectDocumentSchema.safeParse(json);
    if (!parsed.success) throw new SketchpadError('request/invalid', `The project "${name ?? 'autosave'}" cannot be read: ${parsed.error.issues[0]?.message ?? 'invalid project.json'}.`);
    return { document: parsed.data, folder, savedAt: String((json as { savedAt?: unknown }).savedAt ?? '') };
  }

  async list(): Promise<{ projects: ProjectSummary[]; autosave: ProjectSummary | null }> {
    const projects: ProjectSummary[] = [];
    let autosave: ProjectSummary | null = null;
    for (const entry of await readdir(this.root).catch(() => [] as string[])) {
      try {
        const { document, savedAt } = await this.read(entry === autosaveFolder ? null : entry);
        const summary = { name: entry, savedAt, lanes: document.lanes.length };
        if (entry === autosaveFolder) autosave = summary;
        else projects.push(summary);
      } catch {
        // Not a project folder, or a damaged one: not offered.
      }
    }
    projects.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
    return { projects, autosave };
  }

  async discardAutosave(): Promise<boolean> {
    const folder = this.folder(null);
    const existed = Boolean(await stat(folder).catch(() => null));
    await rm(folder, { recursive: true, force: true });
    return existed;
  }
}
