import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface Toast {
  readonly id: number;
  readonly kind: 'error' | 'warning' | 'info';
  readonly message: string;
}

/** Short messages in the corner: errors stay until dismissed, the rest fade on their own. */
export const useToasts = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([]);
  let nextId = 1;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  function show(kind: Toast['kind'], message: string): void {
    const id = nextId++;
    toasts.value.push({ id, kind, message });
    if (kind !== 'error') setTimeout(() => dismiss(id), 6000);
  }

  return { toasts, show, dismiss };
});
