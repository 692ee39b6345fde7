// Our own most-recently-used list of experiment files, kept as JSON in a directory the caller
// owns (desktop: app.getPath('userData')). The OS recent documents (app.addRecentDocument) are
// the Electron shell's business; this list works everywhere. Writes are atomic, and a missing or
// damaged list reads as empty: losing the recent list must never stop the lab.
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { makeDirs, writeFileAtomic } from './atomic_write'

export const MAX_RECENT_FILES = 10
export const RECENT_FILES_NAME = 'recent-files.json'

interface RecentFilesDocument {
  readonly version: 1
  readonly files: string[]
}

export class RecentFiles {
  private readonly file: string
  /** Serialises read-modify-write cycles of this process. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly dir: string) {
    this.file = join(dir, RECENT_FILES_NAME)
  }

  /** Most recent first, at most MAX_RECENT_FILES absolute paths. */
  list(): Promise<string[]> {
    return this.enqueue(() => this.read())
  }

  /** Moves `path` to the front (adding it if new); returns the new list. */
  add(path: string): Promise<string[]> {
    const absolute = resolve(path)
    return this.update((files) => [absolute, ...files.filter((f) => f !== absolute)])
  }

  /** Drops `path` (e.g. the file was deleted); returns the new list. */
  remove(path: string): Promise<string[]> {
    const absolute = resolve(path)
    return this.update((files) => files.filter((f) => f !== absolute))
  }

  clear(): Promise<string[]> {
    return this.update(() => [])
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task)
    this.queue = next.catch(() => undefined)
    return next
  }

  private update(change: (files: string[]) => string[]): Promise<string[]> {
    return this.enqueue(async () => {
      const files = change(await this.read()).slice(0, MAX_RECENT_FILES)
      const document: RecentFilesDocument = { version: 1, files }
      await makeDirs(this.dir)
      await writeFileAtomic(this.file, `${JSON.stringify(document, null, 2)}\n`)
      return files
    })
  }

  private async read(): Promise<string[]> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch {
      return []
    }
    try {
      const parsed: unknown = JSON.parse(text)
      const files = (parsed as Partial<RecentFilesDocument> | null)?.files
      if (!Array.isArray(files)) return []
      const valid = files.filter((f): f is string => typeof f === 'string' && f.length > 0 && f.length < 4096)
      return [...new Set(valid)].slice(0, MAX_RECENT_FILES)
    } catch {
      return []
    }
  }
}
