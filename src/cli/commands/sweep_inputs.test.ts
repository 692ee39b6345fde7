// prlab sweep over an experiment that names real data: files resolve next to the experiment,
// a missing one is bad input before any point runs, and each point's copy names them absolutely.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { sweep } from './sweep'

const ROOT = join(__dirname, '../../..')
const entry = join(ROOT, 'test/fixtures/sweep/fake_sweep_worker.ts')
const dir = mkdtempSync(join(tmpdir(), 'prlab-sweep-inputs-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
mkdirSync(join(dir, 'traces'))
copyFileSync(join(ROOT, 'test/fixtures/imports/ftrace-6.6-trace.txt'), join(dir, 'traces', 'kmem.txt'))

function write(name: string, file: string): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify({ format: 'page-reporting-lab/experiment', version: 1, durationMs: 3000, guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'replay', file }] } }))
  return path
}

let stderr: string[] = []
beforeEach(() => {
  stderr = []
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true))
  vi.spyOn(console, 'error').mockImplementation((s) => void stderr.push(String(s)))
})
afterEach(() => vi.restoreAllMocks())

describe('prlab sweep with real data', () => {
  it('each point copy names the trace by absolute path', async () => {
    const out = join(dir, 'ok')
    expect(await sweep([write('base.prlab.json', 'traces/kmem.txt'), '--grid', 'workload.phases[0].speed=1,4', '--out', out, '--quiet'], { entry })).toBe(0)
    for (const k of [0, 1]) {
      const doc = JSON.parse(readFileSync(join(out, `point-${k}`, 'experiment.prlab.json'), 'utf8'))
      expect(doc.workload.phases[0]).toEqual({ op: 'replay', file: join(dir, 'traces', 'kmem.txt'), speed: k === 0 ? 1 : 4 })
    }
  })

  it('a point whose trace is missing is invalid input: exit 2 before any point runs', async () => {
    const out = join(dir, 'missing')
    const base = write('missing.prlab.json', 'traces/kmem.txt')
    expect(await sweep([base, '--grid', 'workload.phases[0].file=traces/kmem.txt,traces/gone.txt', '--out', out, '--quiet'], { entry })).toBe(2)
    expect(stderr.join('')).toMatch(/point 1 \(workload\.phases\[0\]\.file=traces\/gone\.txt\) names a file that cannot be used/)
    expect(stderr.join('')).toMatch(/workload\.phases\[0\]\.file: cannot read traces\/gone\.txt/)
    expect(existsSync(join(out, 'point-0'))).toBe(false)
  })
})
