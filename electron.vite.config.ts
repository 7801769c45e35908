import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The product card fixes the top level (src-main/, src-renderer/), not electron-vite's default src/.
export default defineConfig({
  main: {
    build: {
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'src-main/main/index.ts') } },
      outDir: 'out/main',
    },
  },
  preload: {
    build: {
      // Sandboxed preloads cannot be ES modules.
      lib: { entry: resolve(import.meta.dirname, 'src-main/preload/index.ts'), formats: ['cjs'] },
      outDir: 'out/preload',
      rolldownOptions: { output: { entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src-renderer'),
    plugins: [svelte()],
    // The playground's toy GAN trains in a module worker (new Worker(…, { type: 'module' })).
    worker: { format: 'es' },
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rolldownOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
      chunkSizeWarningLimit: 4000,
    },
  },
});
