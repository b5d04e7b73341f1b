import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { ProjectDocument, ProjectSummary } from '../../../electron/contract/project';
import type { SketchpadApi } from '../api/sketchpadApi';
import { useGeneration } from './generation';
import { useProject } from './project';
import { useToasts } from './toasts';

/** Save, open, autosave and crash recovery of projects through the host. */
export const useProjectFiles = defineStore('projectFiles', () => {
  const recent = ref<ProjectSummary[]>([]);
  /** An autosave found at start-up, offered for restoring. */
  const recoverable = ref<ProjectSummary | null>(null);
  const lastAutosave = ref<string | null>(null);

  function document(): ProjectDocument {
    const generation = useGeneration();
    return {
      formatVersion: 1,
      ...useProject().toDocument(),
      settings: {
        seconds: generation.seconds,
        variants: generation.variants,
        adventurous: generation.adventurous,
        advanced: generation.advanced,
        temperatures: { ...generation.temperatures },
        fixedSeed: generation.fixedSeed,
        seed: generation.seed,
        bundle: generation.bundle,
      },
    };
  }

  async function refresh(api: SketchpadApi): Promise<void> {
    const list = await api.call('project.list', {});
    recent.value = list.projects;
    return void (recoverable.value = list.autosave && list.autosave.lanes > 0 ? list.autosave : null);
  }

  async function save(api: SketchpadApi, name: string): Promise<void> {
    try {
      const saved = await api.call('project.save', { name, document: document() });
      useProject().name = name;
      useToasts().show('info', `Saved "${saved.name}".`);
      await refresh(api);
    } catch (error) {
      useToasts().show('error', error instanceof Error ? error.message : String(error));
    }
  }

  /** Opens a saved project by name, or the autosave (no name). */
  async function open(api: SketchpadApi, name?: string): Promise<void> {
    try {
      const opened = await api.call('project.open', { name });
      const generation = useGeneration();
      Object.assign(generation, { ...opened.document.settings, temperatures: { ...opened.document.settings.temperatures } });
      useProject().load(opened);
      recoverable.value = null;
      for (const gone of opened.missing) useToasts().show('warning', `The audio of "${gone.laneName}" is missing (${gone.file}): relink it from its lane.`);
    } catch (error) {
      useToasts().show('error', error instanceof Error ? error.message : String(error));
    }
  }

  async function discardRecovery(api: SketchpadApi): Promise<void> {
    await api.call('project.discardAutosave', {});
    recoverable.value = null;
  }

  /**
   * Autosaves a moment after every edit, and at once when the page goes away, so a crash loses at
   * most the last moment's work.
   */
  function startAutosave(api: SketchpadApi, delayMs = 500): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending = false;
    const flush = (): void => {
      clearTimeout(timer);
      if (!pending || !useProject().lanes.length) return;
      pending = false;
      void api.call('project.autosave', { document: document() })
        .then((r) => { lastAutosave.value = r.savedAt; })
        .catch(() => { pending = true; }); // retried with the next edit
    };
    watch(() => useProject().revision, () => {
      // Working on is choosing not to restore: the new work takes over the autosave slot.
      recoverable.value = null;
      pending = true;
      clearTimeout(timer);
      timer = setTimeout(flush, delayMs);
    });
    window.addEventListener('pagehide', flush);
  }

  return { recent, recoverable, lastAutosave, refresh, save, open, discardRecovery, startAutosave };
});
