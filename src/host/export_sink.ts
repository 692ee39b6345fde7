// Where exports go: a string (browser download) or a file written through a temp file and a
// rename, so a cancelled or failed export of a long run never leaves a partial file behind.
import { createWriteStream } from 'node:fs'
import { rm, rename } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'

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
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const stream = createWriteStream(temp, { flags: 'wx', encoding: 'utf8' })
  let failure: Error | null = null
  stream.on('error', (error) => {
    failure = error
  })
  try {
    await once(stream, 'open')
    await produce(async (text) => {
      if (failure) throw failure
      if (!stream.write(text)) await once(stream, 'drain')
    })
    stream.end()
    await once(stream, 'finish')
    if (failure) throw failure
    await rename(temp, path)
  } catch (error) {
    stream.destroy()
    await rm(temp, { force: true })
    throw error
  }
}
