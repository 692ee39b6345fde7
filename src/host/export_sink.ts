// Where exports go: a string (browser download) or a file written through a temp file and a
// rename (atomic_write.ts), so a cancelled or failed export of a long run never leaves a partial
// file behind.
import { writeThroughTemp } from './atomic_write'

export interface ExportOptions {
  /** Called after each chunk with work done and total (rows plus events). */
  readonly onProgress?: (done: number, total: number) => void
  /** Aborting rejects the export with the signal's reason; no file is left behind. */
  readonly signal?: AbortSignal
}

/** Receives the text of an export piece by piece; `write` resolves when the sink can take more. */
export type TextWriter = (text: string) => Promise<void>

/** Lets timers, IPC and the abort signal run between chunks of a long export. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export async function exportToString(produce: (write: TextWriter) => Promise<void>): Promise<string> {
  const parts: string[] = []
  await produce(async (text) => {
    parts.push(text)
  })
  return parts.join('')
}

export async function exportToFile(path: string, produce: (write: TextWriter) => Promise<void>): Promise<void> {
  await writeThroughTemp(path, produce)
}
