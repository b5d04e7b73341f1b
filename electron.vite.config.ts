import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    // The Node side: the Electron main process and the Electron-free engine, CLI and web host,
    // all built into out/main so the host finds the engine beside itself.
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          engine: resolve('electron/engine/engineProcess.ts'),
          cli: resolve('electron/cli/sketchpad.ts'),
          webHost: resolve('electron/host/webHostMain.ts'),
        },
        // Chunks beside the entries: modules find the engine entry next to themselves.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
