import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { codecManifestSchema, continueManifestSchema, type CodecManifest, type ContinueManifest } from '../../contract/eval';
import { firstSchemaIssue, SketchpadError } from '../../contract/errors';

const audioExtensions = new Set(['.wav', '.flac', '.mp3', '.ogg', '.oga', '.opus']);

async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new SketchpadError('eval/manifest', `No manifest at ${path}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SketchpadError('eval/manifest', `The manifest ${path} is not valid JSON (${(error as Error).message}).`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new SketchpadError('eval/manifest', `The manifest ${path} is invalid at ${firstSchemaIssue(parsed.error)}.`);
  }
  return parsed.data;
}

/** Sets are the folder's subfolders; in each, the files matching `keep`. */
async function setsIn(dir: string): Promise<Map<string, string[]>> {
  const sets = new Map<string, string[]>();
  const entries = await readdir(dir).catch(() => {
    throw new SketchpadError('eval/manifest', `No folder at ${dir}.`);
  });
  for (const set of entries.sort()) {
    const folder = join(dir, set);
    if (!(await stat(folder)).isDirectory()) continue;
    sets.set(set, (await readdir(folder)).sort().map((f) => join(folder, f)));
  }
  if (!sets.size) throw new SketchpadError('eval/manifest', `${dir} has no set folders (e.g. piano/, speech/).`);
  return sets;
}

/** A codec manifest from a file (paths relative to it) or a folder of set folders of clips. */
export async function codecClips(source: { manifest?: string; dir?: string }): Promise<CodecManifest['clips']> {
  if (source.manifest) {
    const base = dirname(resolve(source.manifest));
    return (await readJson(source.manifest, codecManifestSchema)).clips.map((c) => ({ ...c, path: resolve(base, c.path) }));
  }
  const clips: CodecManifest['clips'] = [];
  for (const [set, files] of await setsIn(source.dir!)) {
    for (const path of files.filter((f) => audioExtensions.has(extname(f).toLowerCase()))) clips.push({ id: `${set}/${path.split('/').pop()}`, set, path });
  }
  return clips;
}

/** A continuation manifest from a file, or a folder of set folders holding ID.prompt.wav and ID.truth.wav. */
export async function continueCases(source: { manifest?: string; dir?: string }): Promise<ContinueManifest['cases']> {
  if (source.manifest) {
    const base = dirname(resolve(source.manifest));
    return (await readJson(source.manifest, continueManifestSchema)).cases.map((c) => ({ ...c, prompt: resolve(base, c.prompt), truth: resolve(base, c.truth) }));
  }
  const cases: ContinueManifest['cases'] = [];
  for (const [set, files] of await setsIn(source.dir!)) {
    for (const prompt of files.filter((f) => f.endsWith('.prompt.wav'))) {
      const id = prompt.split('/').pop()!.replace(/\.prompt\.wav$/, '');
      cases.push({ id: `${set}/${id}`, set, prompt, truth: prompt.replace(/\.prompt\.wav$/, '.truth.wav') });
    }
  }
  return cases;
}
