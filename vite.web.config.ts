// Browser mode: the renderer built as a static site into out/web, served by src/server.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import { rendererConfig } from './renderer.vite'

export default defineConfig({
  ...rendererConfig,
  build: { ...rendererConfig.build, outDir: resolve(import.meta.dirname, 'out/web'), emptyOutDir: true },
})
