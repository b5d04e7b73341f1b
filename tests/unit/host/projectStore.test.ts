import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProjectDocument } from '../../../electron/contract/project';
import { ProjectStore } from '../../../electron/host/projectStore';
import { fixture, scratchDir } from '../../fixtures/paths';

const id = (n: number): string => n.toString(16).padStart(32, '0');
const settings = { seconds: 8, variants: 3, adventurous: 0.5, advanced: false, temperatures: { semantic: 1, coarse: 1, fine: 1 }, fixedSeed: true, seed: 5 };
const documentWith = (...lanes: number[]): ProjectDocument => ({
  formatVersion: 1,
  lanes: lanes.map((n) => ({ id: id(n), name: `lane ${n}`, kind: 'clip' as const, offset: 0, kept: false, muted: false, soloed: false })),
  regions: Object.fromEntries(lanes.map((n) => [id(n), { start: 0, end: 1 }])),
  settings,
});

describe('the project store', () => {
  const audioOf = () => fixture('sine-440-44k1-16bit.wav');

  it('saves the document and each lane\'s audio, and drops audio of removed lanes', async () => {
    const root = scratchDir('projects');
    const store = new ProjectStore(root);
    await store.save('Song one', documentWith(1, 2), audioOf);
    expect(readdirSync(join(root, 'Song one', 'audio')).sort()).toEqual([`${id(1)}.wav`, `${id(2)}.wav`]);
    await store.save('Song one', documentWith(2), audioOf);
    expect(readdirSync(join(root, 'Song one', 'audio'))).toEqual([`${id(2)}.wav`]);
    expect(existsSync(join(root, 'Song one', 'project.json.partial'))).toBe(false);
    const { document } = await store.read('Song one');
    expect(document.lanes.map((l) => l.name)).toEqual(['lane 2']);
    expect(document.settings.seed).toBe(5);
  });

  it('lists projects newest first and keeps the autosave apart', async () => {
    const store = new ProjectStore(scratchDir('projects'));
    await store.save('older', documentWith(1), audioOf);
    await new Promise((r) => setTimeout(r, 10));
    await store.save('newer', documentWith(1, 2), audioOf);
    await store.save(null, documentWith(3), audioOf);
    const list = await store.list();
    expect(list.projects.map((p) => p.name)).toEqual(['newer', 'older']);
    expect(list.autosave).toMatchObject({ lanes: 1 });
    expect(await store.discardAutosave()).toBe(true);
    expect((await store.list()).autosave).toBeNull();
  });

  it('refuses names that would leave the projects folder, and damaged documents, plainly', async () => {
    const root = scratchDir('projects');
    const store = new ProjectStore(root);
    await expect(store.save('../escape', documentWith(1), audioOf)).rejects.toThrow(/"\.\.\/escape" cannot be a project name/);
    await expect(store.read('missing')).rejects.toThrow(/There is no project named "missing"/);
    await store.save('broken', documentWith(1), audioOf);
    const path = join(root, 'broken', 'project.json');
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 40));
    await expect(store.read('broken')).rejects.toThrow(/The project "broken" cannot be read: project\.json is damaged/);
    expect((await store.list()).projects.map((p) => p.name)).toEqual([]);
  });
});
