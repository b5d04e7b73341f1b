import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Clip, Generated } from '../../../electron/contract/methods';
import { History } from '../../../renderer/src/stores/history';
import { defaultRegion, useProject } from '../../../renderer/src/stores/project';

const hex = (n: number): string => n.toString(16).padStart(32, '0');

function clip(n: number, seconds: number): Clip {
  return {
    clipId: hex(n),
    name: `clip-${n}.wav`,
    info: { format: 'wav', sampleRate: 24000, channels: 1, frames: seconds * 24000, durationSeconds: seconds, peakDb: -6, loudnessLufs: -20, clippedFraction: 0, warnings: [] },
    peaks: { bucketsPerSecond: 10, min: [], max: [] },
    mediaUrl: `/media/${hex(n)}`,
  };
}

/** A project with one 10 s clip, loaded the way opening a project does. */
function projectWithClip() {
  const project = useProject();
  project.load({
    name: null,
    document: { formatVersion: 1, lanes: [{ id: hex(1), name: 'piano.wav', kind: 'clip', offset: 0, kept: false, muted: false, soloed: false }], regions: { [hex(1)]: defaultRegion(10) }, settings: { seconds: 8, variants: 3, adventurous: 0.5, advanced: false, temperatures: { semantic: 1, coarse: 1, fine: 1 }, fixedSeed: false, seed: 1, bundle: undefined } },
    clips: [clip(1, 10)],
    missing: [],
  });
  return project;
}

const generated = (ids: number[]): Generated => ({ variants: ids.map((n) => clip(n, 4)), seed: 7, bundle: 'tiny-test', provider: 'CPU', seconds: 4 });

describe('the project store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('puts the default prompt region on the last four seconds', () => {
    expect(projectWithClip().regions[hex(1)]).toEqual({ start: 6, end: 10 });
    expect(defaultRegion(2.5)).toEqual({ start: 0, end: 2.5 });
  });

  it('lays variants right after the prompt region, named in order', () => {
    const project = projectWithClip();
    project.setRegion(hex(1), { start: 2, end: 5 });
    project.addVariants(project.lanes[0]!, project.regions[hex(1)]!, generated([2, 3]));
    expect(project.lanes.map((l) => [l.name, l.offset])).toEqual([['piano.wav', 0], ['Take 1', 5], ['Take 2', 5]]);
    expect(project.lanes[1]!.origin).toEqual({ sourceId: hex(1), regionStart: 2, regionEnd: 5, seed: 7, variant: 1, bundle: 'tiny-test' });
    expect(project.lanes[2]!.origin?.variant).toBe(2);
    expect(project.duration).toBe(10); // the clip (10 s) outlasts the takes (5 + 4 s)
  });

  it('undoes and redoes every kind of edit', () => {
    const project = projectWithClip();
    project.addVariants(project.lanes[0]!, project.regions[hex(1)]!, generated([2, 3]));
    const take = hex(2);
    project.toggleKeep(take);
    project.rename(take, 'Best');
    project.setRegion(hex(1), { start: 1, end: 3 });
    project.remove(hex(3));
    expect(project.lanes.map((l) => l.name)).toEqual(['piano.wav', 'Best']);
    project.undo();
    expect(project.lanes.map((l) => l.name)).toEqual(['piano.wav', 'Best', 'Take 2']);
    project.undo();
    expect(project.regions[hex(1)]).toEqual({ start: 6, end: 10 });
    project.undo();
    expect(project.lanes[1]!.name).toBe('Take 1');
    project.undo();
    expect(project.lanes[1]!.kept).toBe(false);
    project.redo();
    project.redo();
    expect(project.lanes[1]).toMatchObject({ name: 'Best', kept: true });
    expect(project.canRedo).toBe(true);
    project.toggleMute(take); // a new edit drops the redo branch
    expect(project.canRedo).toBe(false);
  });

  it('decides who is audible from mute and solo, keeping a soloed take\'s source', () => {
    const project = projectWithClip();
    project.addVariants(project.lanes[0]!, project.regions[hex(1)]!, generated([2, 3]));
    expect([...project.audible].length).toBe(3);
    project.toggleMute(hex(2));
    expect(project.audible.has(hex(2))).toBe(false);
    project.soloOnly(hex(3));
    expect([...project.audible].sort()).toEqual([hex(1), hex(3)].sort());
  });

  it('keeps history snapshots independent of later edits', () => {
    const history = new History<{ n: number[] }>();
    const state = { n: [1] };
    history.record(state);
    state.n.push(2);
    expect(history.undo(state)).toEqual({ n: [1] });
    expect(history.redo({ n: [1] })).toEqual({ n: [1, 2] });
  });
});
