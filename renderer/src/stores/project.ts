import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { Clip, Generated } from '../../../electron/contract/methods';
import type { ProjectDocument } from '../../../electron/contract/project';
import type { Progress } from '../../../electron/contract/progress';
import type { SketchpadApi } from '../api/sketchpadApi';
import { History } from './history';
import { useToasts } from './toasts';

/** A lane on the timeline: an imported clip or a generated variant. Plain data, so it can be undone. */
export interface Lane {
  readonly id: string;
  name: string;
  readonly kind: 'clip' | 'variant';
  /** Where the lane starts on the timeline, seconds. */
  offset: number;
  kept: boolean;
  muted: boolean;
  soloed: boolean;
  /** For variants: what it continues and how it was made. */
  readonly origin?: NonNullable<ProjectDocument['lanes'][number]['origin']>;
}

export interface Region {
  start: number;
  end: number;
}

interface Snapshot {
  lanes: Lane[];
  regions: Record<string, Region>;
}

/** The default prompt: the last four seconds of a clip (or all of it when shorter). */
export const defaultRegion = (duration: number): Region => ({ start: Math.max(0, duration - 4), end: duration });

/** Lanes, prompt regions and the media behind them, with undo/redo for every edit. */
export const useProject = defineStore('project', () => {
  /** Audio, peaks and info per lane id: added once, never changed, so never part of undo. */
  const media = shallowRef(new Map<string, Clip>());
  const lanes = ref<Lane[]>([]);
  const regions = ref<Record<string, Region>>({});
  const selectedId = ref<string | null>(null);
  const importing = ref<{ name: string; progress: Progress | null; cancel: () => void } | null>(null);
  const history = new History<Snapshot>();
  const revision = ref(0);
  /** The saved project's name; null until saved or opened. */
  const name = ref<string | null>(null);
  /** Lanes whose audio went missing when a project was opened (lane id -> the file it wanted). */
  const missing = ref<Record<string, string>>({});

  const duration = computed(() => Math.max(0, ...lanes.value.map((l) => l.offset + (media.value.get(l.id)?.info.durationSeconds ?? 0))));
  /** Lanes that can sound (their audio is here). */
  const playable = computed(() => lanes.value.filter((l) => media.value.has(l.id)));
  const selected = computed(() => lanes.value.find((l) => l.id === selectedId.value) ?? null);
  const canUndo = computed(() => (revision.value, history.canUndo));
  const canRedo = computed(() => (revision.value, history.canRedo));

  function snapshot(): Snapshot {
    return { lanes: lanes.value, regions: regions.value };
  }

  /** Runs an edit, recording the state before it. */
  function edit(change: () => void): void {
    history.record(snapshot());
    change();
    revision.value++;
  }

  function restore(state: Snapshot | null): void {
    if (!state) return;
    lanes.value = state.lanes;
    regions.value = state.regions;
    if (selectedId.value && !lanes.value.some((l) => l.id === selectedId.value)) selectedId.value = lanes.value[0]?.id ?? null;
    revision.value++;
  }

  const undo = (): void => restore(history.undo(snapshot()));
  const redo = (): void => restore(history.redo(snapshot()));

  function addMedia(clip: Clip): void {
    media.value.set(clip.clipId, clip);
    triggerRef(media);
  }

  async function importFile(api: SketchpadApi, file: File): Promise<void> {
    const toasts = useToasts();
    const controller = new AbortController();
    importing.value = { name: file.name, progress: null, cancel: () => controller.abort() };
    try {
      const clip = await api.importFile(file, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (importing.value) importing.value.progress = progress;
        },
      });
      addMedia(clip);
      edit(() => {
        const offset = Math.max(0, ...lanes.value.filter((l) => l.kind === 'clip').map((l) => l.offset + (media.value.get(l.id)?.info.durationSeconds ?? 0) + 1));
        lanes.value.push({ id: clip.clipId, name: clip.name, kind: 'clip', offset: lanes.value.length ? offset : 0, kept: false, muted: false, soloed: false });
        regions.value[clip.clipId] = defaultRegion(clip.info.durationSeconds);
      });
      selectedId.value ??= clip.clipId;
      for (const warning of clip.info.warnings) toasts.show('warning', `${clip.name}: ${warning}`);
    } catch (error) {
      if (!controller.signal.aborted) toasts.show('error', error instanceof Error ? error.message : String(error));
    } finally {
      importing.value = null;
    }
  }

  /** Adds a generation's variants as lanes that start right where the prompt region ends. */
  function addVariants(source: Lane, region: Region, generated: Generated): void {
    for (const clip of generated.variants) addMedia(clip);
    const base = lanes.value.filter((l) => l.kind === 'variant').length;
    edit(() => {
      const at = lanes.value.findIndex((l) => l.id === source.id);
      const added: Lane[] = generated.variants.map((clip, i) => ({
        id: clip.clipId,
        name: `Take ${base + i + 1}`,
        kind: 'variant',
        offset: source.offset + region.end,
        kept: false,
        muted: false,
        soloed: false,
        origin: { sourceId: source.id, regionStart: region.start, regionEnd: region.end, seed: generated.seed, variant: i + 1, bundle: generated.bundle },
      }));
      lanes.value.splice(at + 1, 0, ...added);
      for (const clip of generated.variants) regions.value[clip.clipId] = defaultRegion(clip.info.durationSeconds);
    });
    selectedId.value = generated.variants[0]?.clipId ?? selectedId.value;
  }

  function update(id: string, change: (lane: Lane) => void): void {
    const lane = lanes.value.find((l) => l.id === id);
    if (lane) edit(() => change(lane));
  }

  const setRegion = (id: string, region: Region): void => edit(() => {
    regions.value[id] = { start: Math.max(0, Math.min(region.start, region.end)), end: Math.max(region.start, region.end) };
  });
  const rename = (id: string, name: string): void => update(id, (l) => { l.name = name.trim() || l.name; });
  const toggleKeep = (id: string): void => update(id, (l) => { l.kept = !l.kept; });
  const toggleMute = (id: string): void => update(id, (l) => { l.muted = !l.muted; });
  const toggleSolo = (id: string): void => update(id, (l) => { l.soloed = !l.soloed; });
  /** A/B: solo exactly this lane (and its source, so the prompt still leads in). */
  const soloOnly = (id: string): void => edit(() => {
    for (const lane of lanes.value) lane.soloed = lane.id === id;
  });
  /** Plain data for project.json (the caller adds the generation settings). */
  function toDocument(): Pick<ProjectDocument, 'lanes' | 'regions'> {
    return JSON.parse(JSON.stringify({ lanes: lanes.value, regions: regions.value })) as Pick<ProjectDocument, 'lanes' | 'regions'>;
  }

  /** Replaces everything with an opened project; undo history starts afresh. */
  function load(opened: { name: string | null; document: ProjectDocument; clips: Clip[]; missing: { laneId: string; file: string }[] }): void {
    media.value = new Map(opened.clips.map((clip) => [clip.clipId, clip]));
    lanes.value = opened.document.lanes.map((lane) => ({ ...lane }));
    regions.value = { ...opened.document.regions };
    missing.value = Object.fromEntries(opened.missing.map((m) => [m.laneId, m.file]));
    name.value = opened.name;
    selectedId.value = lanes.value[0]?.id ?? null;
    history.clear();
    revision.value++;
  }

  /** Gives a lane whose audio went missing a newly imported file (ids are rewritten everywhere). */
  async function relink(api: SketchpadApi, laneId: string, file: File): Promise<void> {
    try {
      const clip = await api.importFile(file);
      addMedia(clip);
      edit(() => {
        for (const lane of lanes.value) {
          if (lane.id === laneId) (lane as { id: string }).id = clip.clipId;
          if (lane.origin?.sourceId === laneId) (lane.origin as { sourceId: string }).sourceId = clip.clipId;
        }
        regions.value[clip.clipId] = regions.value[laneId] ?? defaultRegion(clip.info.durationSeconds);
        delete regions.value[laneId];
      });
      const rest = { ...missing.value };
      delete rest[laneId];
      missing.value = rest;
      if (selectedId.value === laneId) selectedId.value = clip.clipId;
    } catch (error) {
      useToasts().show('error', error instanceof Error ? error.message : String(error));
    }
  }

  const remove = (id: string): void => edit(() => {
    lanes.value = lanes.value.filter((l) => l.id !== id);
    delete regions.value[id];
    if (selectedId.value === id) selectedId.value = lanes.value[0]?.id ?? null;
  });

  /** Which lanes sound now: soloed ones if any are soloed, else all but the muted. */
  const audible = computed(() => {
    const soloing = lanes.value.some((l) => l.soloed);
    return new Set(lanes.value.filter((l) => (soloing ? l.soloed || (l.kind === 'clip' && lanes.value.some((v) => v.soloed && v.origin?.sourceId === l.id)) : !l.muted)).map((l) => l.id));
  });

  return {
    media, lanes, playable, regions, selectedId, selected, importing, duration, audible, canUndo, canRedo, revision, name, missing,
    importFile, addVariants, setRegion, rename, toggleKeep, toggleMute, toggleSolo, soloOnly, remove, undo, redo, toDocument, load, relink,
    select: (id: string) => { selectedId.value = id; },
  };
});
