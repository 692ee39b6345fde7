import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ExperimentSchema } from '../common/experiment'
import { runSweepJobs, type SweepJob } from './sweep'

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'imports')
const dir = mkdtempSync(join(tmpdir(), 'prlab-sweep-worker-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const replay = (file: string) =>
  ExperimentSchema.parse({ format: 'page-reporting-lab/experiment', version: 2, durationMs: 3000, guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'replay', file, speed: 2 }] } })

describe('sweep_worker', () => {
  it('resolves each point inputs next to the experiment as prlab run does; a missing file fails that point alone', async () => {
    const jobs: SweepJob[] = [
      { k: 0, experiment: replay('ftrace-6.6-trace.txt'), outDir: join(dir, 'point-0'), check: false, baseDir: FIXTURES },
      { k: 1, experiment: replay('nowhere.txt'), outDir: join(dir, 'point-1'), check: false, baseDir: FIXTURES },
    ]
    const [ok, failed] = await runSweepJobs(jobs, { workers: 1 })
    expect(ok.ok ? [ok.summary.replay_ops, ok.summary.replay_ops_done] : ok.error).toEqual([6, 6])
    expect(!failed.ok && failed.error).toMatch(/^workload\.phases\[0\]\.file: cannot read nowhere\.txt: ENOENT/)
  })
})
