import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Progress } from '../../../electron/contract/progress';
import type { SketchpadApi } from '../api/sketchpadApi';
import { useProject, type Lane } from './project';
import { useToasts } from './toasts';

export const newSeed = (): number => Math.floor(Math.random() * 2 ** 31);

/** The generate panel's settings and the job in flight. */
export const useGeneration = defineStore('generation', () => {
  const seconds = ref(8);
  const variants = ref(3);
  /** Simple mode: one "adventurous" slider from 0 (safe) to 1 (wild), mapped onto the three stages. */
  const adventurous = ref(0.5);
  const advanced = ref(false);
  const temperatures = ref({ semantic: 0.9, coarse: 0.8, fine: 0.6 });
  const fixedSeed = ref(false);
  const seed = ref(newSeed());
  const bundle = ref<string | undefined>(undefined);
  const running = ref<{ progress: Progress | null; cancel: () => void } | null>(null);
  const lastSeed = ref<number | null>(null);

  const effectiveTemperatures = computed(() => {
    if (advanced.value) return temperatures.value;
    const a = adventurous.value;
    return { semantic: 0.5 + a * 0.8, coarse: 0.5 + a * 0.6, fine: 0.4 + a * 0.4 };
  });

  /** Continues `source` from its prompt region (or, for a variant, from its last seconds). */
  async function generate(api: SketchpadApi, source: Lane): Promise<void> {
    const project = useProject();
    const toasts = useToasts();
    const region = project.regions[source.id];
    if (!region || running.value) return;
    const controller = new AbortController();
    running.value = { progress: null, cancel: () => controller.abort() };
    const useSeed = fixedSeed.value ? seed.value : newSeed();
    try {
      const generated = await api.call('continue.generate', {
        sourceId: source.id,
        regionStart: region.start,
        regionEnd: region.end,
        seconds: seconds.value,
        variants: variants.value,
        seed: useSeed,
        temperatures: effectiveTemperatures.value,
        bundle: bundle.value,
      }, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (running.value) running.value.progress = progress;
        },
      });
      lastSeed.value = generated.seed;
      if (!fixedSeed.value) seed.value = generated.seed;
      project.addVariants(source, region, generated);
    } catch (error) {
      if (controller.signal.aborted) toasts.show('info', 'Generation cancelled.');
      else toasts.show('error', error instanceof Error ? error.message : String(error));
    } finally {
      running.value = null;
    }
  }

  return { seconds, variants, adventurous, advanced, temperatures, fixedSeed, seed, bundle, running, lastSeed, effectiveTemperatures, generate };
});
