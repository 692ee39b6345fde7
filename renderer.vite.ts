// The renderer's Vite setup, shared by the browser-mode build (vite.web.config.ts) and the
// desktop build (electron.vite.config.ts): same root, plugins and aliases, so both modes run the
// same code.
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import type { UserConfig } from 'vite'

export const RENDERER_ROOT = resolve(import.meta.dirname, 'src/renderer')

export const rendererConfig = {
  root: RENDERER_ROOT,
  base: './',
  plugins: [vue()],
  resolve: { alias: { '@renderer': resolve(RENDERER_ROOT, 'src') } },
  build: {
    // ECharts is one large chunk on purpose: it is needed on the first screen anyway.
    chunkSizeWarningLimit: 1600,
    rollupOptions: { input: { index: resolve(RENDERER_ROOT, 'index.html') } },
  },
} satisfies UserConfig
