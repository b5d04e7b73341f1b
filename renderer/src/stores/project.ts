import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Clip } from '../../../electron/contract/methods';
import type { Progress } from '../../../electron/contract/progress';
import type { SketchpadApi } from '../api/sketchpadApi';
import { useToasts } from './toasts';

/** The clips on the timeline and the import in flight. */
export const useProject = defineStore('project', () => {
  const clips = ref<Clip[]>([]);
  const importing = ref<{ name: string; progress: Progress | null; cancel: () => void } | null>(null);
  const duration = computed(() => Math.max(0, ...clips.value.map((c) => c.info.durationSeconds)));

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
      clips.value.push(clip);
      for (const warning of clip.info.warnings) toasts.show('warning', `${clip.name}: ${warning}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!controller.signal.aborted) toasts.show('error', message);
    } finally {
      importing.value = null;
    }
  }

  function removeClip(clipId: string): void {
    clips.value = clips.value.filter((c) => c.clipId !== clipId);
  }

  return { clips, importing, duration, importFile, removeClip };
});
