// The Slurm array job of docs/sweeps.md on a real Slurm (issue 13 part 3): the sbatch script and
// the submit lines are taken from the document as written and run in a submit folder holding the
// lab (symlinks to this checkout) and experiments/drain.prlab.json (the submit lines make logs/). The 16 shards write into
// the documented /shared/sweeps/drain, the dependent job joins them with `prlab sweep --merge`,
// and the joined table must equal the same grid run locally in one process, row for row, apart
// from wall_ms. Opt-in: PRLAB_TEST_SLURM=1 with SLURM_CONF naming a running cluster
// (scripts/slurm/start-cluster.sh; .ci/run starts one).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSweepExamples, sweepArgs } from './sweep_docs'

const ROOT = join(import.meta.dirname, '..')
const enabled = process.env.PRLAB_TEST_SLURM === '1'

// what the example's experiments/drain.prlab.json holds here: small enough for 240 points in CI
const DRAIN = {
  format: 'page-reporting-lab/experiment',
  version: 1,
  name: 'drain: a 1 GiB guest frees 768 MiB',
  durationMs: 15000,
  guest: { memoryMiB: 1024, cpus: 2, kernel: '6.6' },
  workload: { phases: [{ op: 'alloc', mib: 768, durationMs: 1000 }, { op: 'free', fraction: 1 }, { op: 'idle', ms: 12000 }] },
  recorder: { sampleIntervalMs: 100, events: false },
}

const sh = (cmd: string, args: string[], cwd?: string): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

function jobStates(id: string): { state: string; exit: string }[] {
  const text = sh('scontrol', ['show', 'job', '-o', id])
  return text.trim().split('\n').map((l) => ({ state: /JobState=(\S+)/.exec(l)?.[1] ?? '?', exit: /ExitCode=(\S+)/.exec(l)?.[1] ?? '?' }))
}

describe.skipIf(!enabled)('docs/sweeps.md Slurm array job on a real Slurm (PRLAB_TEST_SLURM=1)', () => {
  const ex = readSweepExamples()
  const out = sweepArgs(ex.slurmCommand).find(([f]) => f === '--out')![1]
  // made when the suite runs, not when a skipped suite is collected
  let submitDir = ''
  let createdOut = false
  beforeAll(() => {
    submitDir = mkdtempSync(join(tmpdir(), 'prlab-slurm-submit-'))
    createdOut = !existsSync(out)
  })
  afterAll(() => {
    rmSync(submitDir, { recursive: true, force: true })
    if (createdOut) rmSync(out, { recursive: true, force: true })
  })

  it('runs the 16 shards, merges them, and matches the local sweep apart from wall time', () => {
    expect(process.env.SLURM_CONF, 'SLURM_CONF: the cluster of scripts/slurm/start-cluster.sh').toBeTruthy()
    expect(createdOut, `${out} exists already: the test writes the documented folder and removes it afterwards`).toBe(true)
    for (const f of ['package.json', 'bin', 'src', 'node_modules']) symlinkSync(join(ROOT, f), join(submitDir, f))
    mkdirSync(join(submitDir, 'experiments'))
    writeFileSync(join(submitDir, 'experiments', 'drain.prlab.json'), JSON.stringify(DRAIN, null, 2))
    writeFileSync(join(submitDir, 'sweep.sbatch'), ex.sbatch)

    const started = Date.now()
    const submitted = spawnSync('bash', ['-c', `set -euo pipefail\n${ex.submit}\necho "array job $jobid"`], { cwd: submitDir, encoding: 'utf8' })
    expect(submitted.status, submitted.stderr).toBe(0)
    const arrayJob = /array job (\d+)/.exec(submitted.stdout)?.[1]
    const mergeJob = /Submitted batch job (\d+)/.exec(submitted.stdout)?.[1]
    expect(arrayJob && mergeJob, submitted.stdout).toBeTruthy()

    // wait for both (the merge job runs after every array task succeeded: afterok)
    const deadline = Date.now() + 45 * 60_000
    while (sh('squeue', ['-h', '-j', `${arrayJob},${mergeJob}`]).trim() !== '' && Date.now() < deadline) spawnSync('sleep', ['5'])
    const wall_s = (Date.now() - started) / 1000
    const array = jobStates(arrayJob!)
    const merge = jobStates(mergeJob!)
    const mergeLog = readFileSync(join(submitDir, `slurm-${mergeJob}.out`), 'utf8')
    console.log(
      [
        `Slurm: array job ${arrayJob} (${array.length} tasks: ${[...new Set(array.map((a) => a.state))].join(', ')}), merge job ${mergeJob} (${merge[0].state}) in ${wall_s.toFixed(0)} s`,
        `sbatch: ${submitted.stdout.trim()}`,
        `merge job output (slurm-${mergeJob}.out):\n${mergeLog.trim()}`,
      ].join('\n'),
    )
    expect(array).toHaveLength(ex.arrayTasks)
    expect(array.every((a) => a.state === 'COMPLETED' && a.exit === '0:0'), JSON.stringify(array)).toBe(true)
    expect(merge[0]).toEqual({ state: 'COMPLETED', exit: '0:0' })
    for (let i = 0; i < ex.arrayTasks; i++) expect(existsSync(join(out, `sweep.shard-${i}-of-${ex.arrayTasks}.csv`))).toBe(true)

    // the same grid in one local process
    const grid = sweepArgs(ex.slurmCommand).filter(([f]) => f === '--grid').flatMap(([f, v]) => [f, v])
    const local = join(submitDir, 'local')
    const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'prlab.mjs'), 'sweep', join(submitDir, 'experiments', 'drain.prlab.json'), ...grid, '--out', local, '--quiet'], { encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    const table = (path: string): string[][] => parse(readFileSync(path, 'utf8')) as string[][]
    const merged = table(join(out, 'sweep.csv'))
    const single = table(join(local, 'sweep.csv'))
    expect(merged[0]).toEqual(single[0])
    const wall = merged[0].indexOf('wall_ms')
    const withoutWall = (rows: string[][]): string[][] => rows.map((r) => r.filter((_, i) => i !== wall))
    expect(merged).toHaveLength(241) // header + 3 x 20 x 4 points
    expect(withoutWall(merged)).toEqual(withoutWall(single))
    expect(merged.slice(1).every((r) => r[merged[0].indexOf('status')] === 'ok')).toBe(true)
  }, 60 * 60_000)
})
