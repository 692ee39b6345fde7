// Starts a TypeScript worker entry under tsx when the lab runs from source (CLI, browser mode,
// tests). The built desktop app bundles its worker and never comes here.
import { register } from 'tsx/esm/api'
import { workerData } from 'node:worker_threads'

register()
await import(workerData.entry)
