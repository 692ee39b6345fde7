// npm run bench still runs and prints every figure (nothing else runs bench/*.ts, so a schema or
// engine change could break a benchmark unseen), bench/wasm/churn_floor.ts compiles to WebAssembly
// and runs, and bench/churn_floor.c still builds and runs.
// Speed is never asserted: only that each section printed its lines and every figure is a finite
// number. Opt-in, as it takes about three minutes: PRLAB_TEST_BENCH=1 (.ci/run sets it).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const enabled = process.env.PRLAB_TEST_BENCH === '1'
// The bench's wall time is the machine's, not a figure under test: about 3 min on a quiet 2-core
// machine, 5.6 min while the rest of the suite and other work ran beside it (the 10 min this had
// before was within 2x of that). The spawn's limit is below the test's, so a hang says so.
const BENCH_LIMIT_MS = 20 * 60_000

const SECTIONS = [
  'Buddy allocator (src/engine/mm)',
  'Simulation (src/engine)',
  'Sustained churn (issue 14)',
  'The floor of churn on this layout (issue 14)',
  'Imports and sweeps (src/host/import, src/host/sweep.ts)',
  'Real data in the engine (replay, initial free state)',
  'A host full of guests (src/engine/machine)',
  'Past states: engine checkpoints (issue 11)',
]

describe.skipIf(!enabled)('benchmarks (PRLAB_TEST_BENCH=1)', () => {
  it('npm run bench prints every section, each with figures, none of them NaN or infinite', () => {
    const r = spawnSync('npx', ['tsx', 'bench/main.ts'], { cwd: ROOT, encoding: 'utf8', timeout: BENCH_LIMIT_MS })
    expect(r.signal, `npm run bench did not end within ${BENCH_LIMIT_MS / 60_000} min; it printed:\n${r.stdout}`).toBeNull()
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const parts = r.stdout.split(/^## /m).slice(1)
    expect(parts.map((p) => p.split('\n')[0])).toEqual(SECTIONS)
    for (const part of parts) {
      const lines = part.split('\n').slice(1).filter((l) => l.trim() !== '' && !l.startsWith('(total'))
      expect(lines.length, part).toBeGreaterThan(0)
      // every section's lines carry numbers, and no figure came out of a division by zero
      expect(lines.some((l) => /\d/.test(l)), part).toBe(true)
    }
    expect(r.stdout).not.toMatch(/NaN|Infinity/)
    // bench/wasm/churn_floor.ts compiled and ran for each guest size
    expect(r.stdout.match(/^ +\d+ GiB: \d+\.\d ns\/op, with prefetch passes \d+\.\d ns\/op$/gm)).toHaveLength(3)
  }, BENCH_LIMIT_MS + 60_000)

  it('bench/churn_floor.c builds with cc -O2 and prints its figure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prlab-floor-'))
    try {
      const exe = join(dir, 'churn_floor')
      const cc = spawnSync('cc', ['-O2', '-Wall', '-Werror', '-o', exe, join(ROOT, 'bench/churn_floor.c')], { encoding: 'utf8' })
      expect(cc.stderr).toBe('')
      expect(cc.status).toBe(0)
      const run = spawnSync(exe, ['1'], { encoding: 'utf8', timeout: 120_000 })
      expect(run.status).toBe(0)
      expect(run.stdout).toMatch(/^churn floor in C, 1 GiB: \d+\.\d ns\/op\s*$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
