// One place that starts worker threads, from source (.ts through tsx) or from a bundle (.js).
import { Worker } from 'node:worker_threads'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** `entry` is a file path or file: URL of a worker module; `data` reaches it as workerData.data. */
export function spawnWorker(entry: string | URL, data?: unknown): Worker {
  const url = typeof entry === 'string' ? pathToFileURL(entry) : entry
  if (url.pathname.endsWith('.ts')) {
    const boot = new URL('./worker_boot.mjs', import.meta.url)
    return new Worker(fileURLToPath(boot), { workerData: { entry: url.href, data } })
  }
  return new Worker(fileURLToPath(url), { workerData: { entry: url.href, data } })
}
