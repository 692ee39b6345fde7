// prlab sweep <experiment> --grid 'path=v1,v2' [--grid ...] --out DIR [--shard i/N] [--jobs N]
//             [--check] [--resume] [--force] [--list] [--quiet]
// prlab sweep --merge DIR
// One folder per point (DIR/point-<k>/: what `prlab run --out` writes, plus the point's
// experiment.prlab.json) and DIR/sweep.csv with each point's summary. Shards write
// DIR/sweep.shard-<i>-of-<N>.csv instead; --merge joins them into sweep.csv once all are done.
import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseCommandArgs } from '../args'
import { parse as parseCsv } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { makeDirs, writeFileAtomic } from '../../host/atomic_write'
import { writableOut } from '../out_dir'
import { ioReason } from '../../host/io_error'
import { readRegularFile } from '../../host/regular_file'
import type { RunSummary } from '../../common/api'
import type { Experiment, ExperimentInput } from '../../common/experiment'
import { experimentToText, formatLabError, loadExperimentFile, validateDocument } from '../../host/experiment_io'
import { resolveRunInputs } from '../../host/run_inputs'
import {
  MAX_SWEEP_POINTS,
  SUMMARY_COLUMNS,
  defaultWorkers,
  formatGridValue,
  gridPoint,
  gridSize,
  parseShard,
  pointDocument,
  resolveGrid,
  runSweepJobs,
  shardIndices,
  sweepCsv,
  type GridAxis,
  type GridPoint,
  type Shard,
  type SweepJob,
  type SweepOutcome,
} from '../../host/sweep'
import { progressBar } from '../progress'

const USAGE = `usage: prlab sweep <experiment> --grid 'path=v1,v2,...' [--grid ...] --out DIR
                   [--shard i/N] [--jobs N] [--check] [--resume] [--force] [--list] [--quiet]
       prlab sweep --merge DIR
  values are JSON or bare strings; a..b[:step] is a numeric range
  --shard i/N   run only points k with k % N == i (0 <= i < N); writes sweep.shard-i-of-N.csv
  --jobs N      worker threads (default: cpus - 1)
  --resume      keep points whose point-<k>/summary.json exists; run the rest
  --force       run again points whose folder exists
  --list        print the points (of the shard) as CSV and exit`

const MANIFEST = 'sweep.json'
const MANIFEST_FORMAT = 'page-reporting-lab/sweep'

interface Manifest {
  readonly format: typeof MANIFEST_FORMAT
  readonly version: 1
  readonly experiment: string
  readonly points: number
  readonly grid: readonly GridAxis[]
}

const say = (message: string): void => void process.stderr.write(`prlab sweep: ${message}\n`)
const shardCsvName = (s: Shard): string => `sweep.shard-${s.index}-of-${s.count}.csv`
const pointDir = (out: string, k: number): string => join(out, `point-${k}`)
const describePoint = (axes: readonly GridAxis[], p: GridPoint): string => axes.map((a, i) => `${a.path}=${formatGridValue(p.values[i])}`).join(' ')

export async function main(argv: string[]): Promise<number> {
  return sweep(argv)
}

/** The command with the pool's worker module replaceable (tests run a stand-in engine). */
export async function sweep(argv: string[], pool: { readonly entry?: string | URL } = {}): Promise<number> {
  const parsed = parseCommandArgs(
    'sweep',
    USAGE,
    argv,
    {
      grid: { type: 'string', multiple: true },
      out: { type: 'string' },
      shard: { type: 'string' },
      jobs: { type: 'string' },
      check: { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      merge: { type: 'string' },
    },
    // --merge DIR takes no experiment file: the count is checked below
    null,
  )
  if (parsed === null) return 2
  const { values: o, positionals } = parsed
  if (o.merge !== undefined) return merge(o.merge)
  if (positionals.length !== 1) {
    say(`expected one experiment file, got ${positionals.length}\n${USAGE}`)
    return 2
  }
  if (!o.grid || o.grid.length === 0) {
    say(`give at least one --grid 'path=v1,v2,...'\n${USAGE}`)
    return 2
  }
  if (o.out === undefined && !o.list) {
    say(`--out DIR is required\n${USAGE}`)
    return 2
  }
  if (o.resume && o.force) {
    say('--resume and --force exclude each other')
    return 2
  }
  let shard: Shard | null = null
  let workers = defaultWorkers()
  try {
    if (o.shard !== undefined) shard = parseShard(o.shard)
    if (o.jobs !== undefined) {
      workers = Number(o.jobs)
      if (!Number.isInteger(workers) || workers < 1 || workers > 1024) throw new Error(`--jobs ${o.jobs}: expected a whole number 1..1024`)
    }
  } catch (e) {
    say((e as Error).message)
    return 2
  }

  const file = positionals[0]
  const loaded = await loadExperimentFile(file)
  if (!loaded.ok) {
    console.error(formatLabError(loaded.error))
    return 2
  }
  const base: unknown = loaded.value.document
  const grid = resolveGrid(base, loaded.value.fileName, o.grid)
  if (!grid.ok) {
    console.error(formatLabError(grid.error))
    return 2
  }
  const axes = grid.value
  const total = gridSize(axes)
  if (total > MAX_SWEEP_POINTS) {
    say(`the grid has ${total} points; at most ${MAX_SWEEP_POINTS}`)
    return 2
  }
  const indices = shardIndices(total, shard)
  const points = indices.map((k) => gridPoint(axes, k))
  if (o.list) {
    process.stdout.write(stringify([['point', ...axes.map((a) => a.path)], ...points.map((p) => [String(p.k), ...p.values.map(formatGridValue)])]))
    return 0
  }

  // Validate every point before running any: a bad combination is invalid input, not a failure.
  // So is a file a point names (a trace, a snapshot) that is missing or refused by its importer.
  const baseDir = dirname(resolve(file))
  const docs = new Map<number, ExperimentInput>()
  const jobs: SweepJob[] = []
  const inputsChecked = new Set<string>()
  for (const p of points) {
    const doc = pointDocument(base, axes, p)
    const valid = validateDocument(doc, loaded.value.fileName)
    if (!valid.ok) {
      say(`point ${p.k} (${describePoint(axes, p)}) is not a valid experiment:`)
      console.error(formatLabError(valid.error))
      return 2
    }
    const inputsKey = JSON.stringify([valid.value.guest.initialFreeState, valid.value.workload.phases.map((ph) => (ph.op === 'replay' ? ph.file : null))])
    if (!inputsChecked.has(inputsKey)) {
      const inputs = await resolveRunInputs(valid.value, { baseDir })
      if (!inputs.ok) {
        say(`point ${p.k} (${describePoint(axes, p)}) names a file that cannot be used:`)
        console.error(formatLabError({ ...inputs.error, file }))
        return 2
      }
      inputsChecked.add(inputsKey)
    }
    docs.set(p.k, withAbsoluteInputs(doc as ExperimentInput, valid.value, baseDir))
    jobs.push({ k: p.k, experiment: valid.value, outDir: pointDir(o.out as string, p.k), check: o.check, baseDir })
  }

  const out = o.out as string
  const manifest: Manifest = { format: MANIFEST_FORMAT, version: 1, experiment: loaded.value.fileName, points: total, grid: axes }
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`
  if (!(await writableOut('sweep', out))) return 2
  const manifestPath = join(out, MANIFEST)
  if (existsSync(manifestPath)) {
    let existing: string
    try {
      existing = await readRegularFile(manifestPath)
    } catch (e) {
      say(`cannot read ${manifestPath}: ${ioReason(e)}`)
      return 2
    }
    if (existing !== manifestText) {
      say(`${out} holds another sweep (its ${MANIFEST} differs from this grid); use a new --out folder`)
      return 2
    }
  } else {
    await writeFileAtomic(manifestPath, manifestText)
  }

  const reused: SweepOutcome[] = []
  const toRun: SweepJob[] = []
  for (const job of jobs) {
    if (!existsSync(job.outDir)) {
      toRun.push(job)
      continue
    }
    if (o.resume) {
      const summary = await readSummary(job.outDir)
      if (summary !== null) {
        reused.push({ k: job.k, ok: true, summary })
        continue
      }
    } else if (!o.force) {
      say(`${job.outDir} exists; pass --resume to keep finished points or --force to run them again`)
      return 2
    }
    await rm(job.outDir, { recursive: true, force: true })
    toRun.push(job)
  }
  for (const job of toRun) {
    await makeDirs(job.outDir)
    await writeFileAtomic(join(job.outDir, 'experiment.prlab.json'), experimentToText(docs.get(job.k) as ExperimentInput))
  }

  const label = `sweep ${shard === null ? '' : `shard ${shard.index}/${shard.count} `}`
  if (!o.quiet) say(`${points.length} of ${total} points${reused.length > 0 ? ` (${reused.length} kept)` : ''} on ${Math.min(workers, Math.max(1, toRun.length))} worker thread(s)`)
  const bar = o.quiet ? null : progressBar(label.trim())
  const running = new Map<number, number>()
  let finished = 0
  let failed = 0
  const draw = (): void => {
    if (bar === null) return
    let partial = 0
    for (const f of running.values()) partial += f
    bar.update(toRun.length === 0 ? 1 : (finished + partial) / toRun.length, `${finished}/${toRun.length} points${failed > 0 ? `, ${failed} failed` : ''}`)
  }
  const outcomes = await runSweepJobs(toRun, {
    workers,
    entry: pool.entry,
    onProgress: (k, fraction) => {
      running.set(k, fraction)
      draw()
    },
    onOutcome: (outcome) => {
      running.delete(outcome.k)
      finished++
      if (!outcome.ok) failed++
      draw()
      if (bar === null && !o.quiet) {
        const p = gridPoint(axes, outcome.k)
        say(`point ${outcome.k} (${describePoint(axes, p)}) ${outcome.ok ? 'done' : `FAILED: ${outcome.error}`} [${finished}/${toRun.length}]`)
      }
    },
  })
  bar?.done()

  const byK = new Map([...reused, ...outcomes].map((r) => [r.k, r]))
  const csvName = shard === null ? 'sweep.csv' : shardCsvName(shard)
  await writeFileAtomic(join(out, csvName), sweepCsv(axes, points.map((p) => ({ point: p, outcome: byK.get(p.k) as SweepOutcome }))))
  for (const r of outcomes) if (!r.ok) say(`point ${r.k} failed: ${r.error}`)
  if (!o.quiet) say(`wrote ${points.length} point folders and ${join(out, csvName)}${failed > 0 ? `; ${failed} point(s) failed` : ''}`)
  return failed > 0 ? 1 : 0
}

/** The point's document with the files it names made absolute, so DIR/point-<k>/experiment.prlab.json runs from anywhere. */
function withAbsoluteInputs(doc: ExperimentInput, experiment: Experiment, baseDir: string): ExperimentInput {
  const hasInputs = experiment.guest.initialFreeState !== null || experiment.workload.phases.some((p) => p.op === 'replay')
  if (!hasInputs) return doc
  const copy = structuredClone(doc)
  const initial = copy.guest.initialFreeState
  if (initial) initial.file = resolve(baseDir, initial.file)
  for (const p of copy.workload?.phases ?? []) if (p.op === 'replay') p.file = resolve(baseDir, p.file)
  return copy
}

async function readSummary(dir: string): Promise<RunSummary | null> {
  try {
    const value: unknown = JSON.parse(await readRegularFile(join(dir, 'summary.json')))
    return value !== null && typeof value === 'object' ? (value as RunSummary) : null
  } catch {
    return null
  }
}

/** Joins the shard CSVs of DIR into DIR/sweep.csv, checking every point is there exactly once. */
async function merge(out: string): Promise<number> {
  let manifest: Manifest
  try {
    manifest = JSON.parse(await readRegularFile(join(out, MANIFEST))) as Manifest
    if (manifest.format !== MANIFEST_FORMAT || !Number.isInteger(manifest.points)) throw new Error(`not a ${MANIFEST_FORMAT} manifest`)
  } catch (e) {
    say(`--merge ${out}: cannot read ${MANIFEST}: ${(e as Error).message}`)
    return 2
  }
  const shardFiles = (await readdir(out)).filter((f) => /^sweep\.shard-\d+-of-\d+\.csv$/.test(f)).sort()
  if (shardFiles.length === 0) {
    say(`--merge ${out}: no sweep.shard-<i>-of-<N>.csv files`)
    return 2
  }
  const counts = new Set(shardFiles.map((f) => Number(/-of-(\d+)/.exec(f)?.[1])))
  if (counts.size !== 1) {
    say(`--merge ${out}: shard files of different N: ${shardFiles.join(', ')}`)
    return 2
  }
  const n = [...counts][0]
  const missingShards = Array.from({ length: n }, (_, i) => i).filter((i) => !shardFiles.includes(shardCsvName({ index: i, count: n })))
  if (missingShards.length > 0) {
    say(`--merge ${out}: shard(s) ${missingShards.map((i) => `${i}/${n}`).join(', ')} have not written their CSV yet`)
    return 2
  }
  const tables: { file: string; head: string[]; body: string[][] }[] = []
  for (const f of shardFiles) {
    let text: string
    try {
      text = await readRegularFile(join(out, f))
    } catch (e) {
      say(`--merge ${out}: cannot read ${f}: ${ioReason(e)}`)
      return 2
    }
    const [head, ...body] = parseCsv(text) as string[][]
    if (head?.[0] !== 'point' || !head.includes('status')) {
      say(`--merge ${out}: ${f} is not a sweep CSV`)
      return 2
    }
    tables.push({ file: f, head, body })
  }
  // Shards may know different extra summary fields (e.g. one whose points all failed): take the union.
  const fixed = ['point', ...manifest.grid.map((a) => a.path), 'status', ...SUMMARY_COLUMNS]
  const extras = [...new Set(tables.flatMap((t) => t.head))].filter((c) => !fixed.includes(c) && c !== 'error').sort()
  const header = [...fixed, ...extras, 'error']
  const rows = new Map<number, string[]>()
  for (const t of tables) {
    const at = header.map((c) => t.head.indexOf(c))
    for (const r of t.body) {
      const k = Number(r[0])
      if (rows.has(k)) {
        say(`--merge ${out}: point ${k} appears twice (again in ${t.file})`)
        return 2
      }
      rows.set(k, at.map((i) => (i < 0 ? '' : r[i])))
    }
  }
  const missing = Array.from({ length: manifest.points }, (_, k) => k).filter((k) => !rows.has(k))
  if (missing.length > 0) {
    say(`--merge ${out}: ${missing.length} point(s) missing, e.g. ${missing.slice(0, 5).join(', ')}`)
    return 2
  }
  const failed = [...rows.values()].filter((r) => r[header.indexOf('status')] !== 'ok').length
  await writeFileAtomic(join(out, 'sweep.csv'), stringify([header, ...[...rows.keys()].sort((a, b) => a - b).map((k) => rows.get(k) as string[])]))
  say(`merged ${shardFiles.length} shards, ${rows.size} points into ${join(out, 'sweep.csv')}${failed > 0 ? `; ${failed} failed` : ''}`)
  return 0
}
