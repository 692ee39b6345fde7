// The shipped example experiments (resources/examples/*.prlab.json).
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ExampleInfo } from '../common/api'

export const EXAMPLE_SUFFIX = '.prlab.json'

/** resources/examples of the source tree; the desktop app passes its packaged resources path instead. */
export const defaultExamplesDir = (): string => fileURLToPath(new URL('../../resources/examples', import.meta.url))

/** Example names are file stems: letters, digits, dashes. Anything else never reaches the file system. */
export const isExampleName = (name: string): boolean => /^[a-z0-9][a-z0-9-]{0,80}$/.test(name)

export const examplePath = (dir: string, name: string): string => join(dir, name + EXAMPLE_SUFFIX)

export async function listExamples(dir: string): Promise<ExampleInfo[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(EXAMPLE_SUFFIX)).sort()
  const out: ExampleInfo[] = []
  for (const file of files) {
    const name = file.slice(0, -EXAMPLE_SUFFIX.length)
    if (!isExampleName(name)) continue
    try {
      const doc = JSON.parse(await readFile(join(dir, file), 'utf8')) as { name?: unknown; description?: unknown; machine?: unknown }
      out.push({
        name,
        title: typeof doc.name === 'string' ? doc.name : name,
        description: typeof doc.description === 'string' ? doc.description : '',
        kind: doc.machine !== undefined ? 'host' : 'guest',
      })
    } catch {
      out.push({ name, title: name, description: 'unreadable example file' })
    }
  }
  return out
}
