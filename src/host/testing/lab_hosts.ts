// LabHosts for tests: the shipped examples, the real host run worker, one fit worker, and tasks
// whose end a test can await (`finished`). Desktop when `desktop` maps file ids to paths.
import { join } from 'node:path'
import type { HostTaskStarted } from '../../common/host_api'
import type { ImportedData } from '../../common/imports'
import { LabHosts, type LabTask } from '../lab_hosts'

const ROOT = join(import.meta.dirname, '../../..')

export function testLabHosts(options: { desktop?: Record<string, string>; imports?: ReadonlyMap<string, ImportedData> } = {}): { hosts: LabHosts; finished: (started: HostTaskStarted) => Promise<string> } {
  const ended = new Map<string, (state: string) => void>()
  const states = new Map<string, Promise<string>>()
  let n = 0
  const hosts = new LabHosts({
    examplesDir: join(ROOT, 'resources/examples'),
    desktop: options.desktop !== undefined,
    filePath: (id) => options.desktop?.[id],
    hostWorkerEntry: new URL('../host_run_worker.ts', import.meta.url),
    fitWorkers: 1,
    ...(options.imports !== undefined ? { imports: () => options.imports as ReadonlyMap<string, ImportedData> } : {}),
    startTask: (): LabTask => {
      const id = `task-${++n}`
      states.set(id, new Promise((resolve) => ended.set(id, resolve)))
      return { id, signal: new AbortController().signal, progress: () => undefined, finish: (state) => ended.get(id)?.(state) }
    },
  })
  const finished = (started: HostTaskStarted): Promise<string> => states.get(started.taskId) as Promise<string>
  return { hosts, finished }
}
