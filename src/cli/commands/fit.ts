// prlab fit HOST --guest GUEST --slo 'swapin_ms_per_s<5' [--stagger-ms N] [--start-ms N]
//           [--max N] [--jobs N] [--out DIR] [--json] [--quiet] [--check]
// prlab fit HOST --guest GUEST --slo ... --counts a..b --out DIR [--shard i/N]    every count of a list
// prlab fit --merge DIR                                                          join the shards' answers
//
// The largest number of copies of GUEST that HOST runs while the objective holds (src/host/fit.ts
// searches; src/common/fit_objective.ts is the grammar). HOST is a host experiment: its machine,
// and its own guests, if any, run beside the copies. Each count runs in a worker thread; with
// --out, DIR/count-<n>/ gets the run's host files and its experiment, DIR/fit.csv the verdicts.
// Exit codes: 0 answered, 2 invalid input, 1 internal error or a count whose run failed.
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { FIT_FIGURES, parseObjective, type FitObjective } from '../../common/fit_objective'
import type { HostExperiment } from '../../common/host_experiment'
import { makeDirs, writeFileAtomic } from '../../host/atomic_write'
import { writableOut } from '../out_dir'
import { experimentToText, formatLabError, loadExperimentFile, loadLabFile } from '../../host/experiment_io'
import { checkHostLimits, resolveHostExperiment } from '../../host/host_experiment_io'
import { fitAnswer, fitAnswerText, fitCsv, fitPointHost, judge, searchFit, type FitCopies, type FitPoint } from '../../host/fit'
import { ioReason } from '../../host/io_error'
import { readRegularFile } from '../../host/regular_file'
import { defaultWorkers, parseShard, runSweepJobs, shardIndices, type HostSweepJob, type Shard } from '../../host/sweep'
import { MAX_HOST_GUESTS } from '../../common/host_experiment'
import { parseCommandArgs } from '../args'
import { progressBar } from '../progress'

const USAGE = `usage: prlab fit HOST --guest GUEST --slo 'figure<value[,...]' [--stagger-ms N] [--start-ms N]
                 [--max N] [--jobs N] [--out DIR] [--json] [--quiet] [--check]
       prlab fit HOST --guest GUEST --slo ... --counts a..b --out DIR [--shard i/N]
       prlab fit --merge DIR
  HOST    a host experiment (its machine, and guests that run beside the copies, if any)
  GUEST   the guest experiment to copy
  --slo   conditions that must all hold, e.g. 'swapin_ms_per_s<5' or 'swapin_ms_per_s_max<20,min_host_free_kib>=262144';
          a count whose run OOM-kills a guest never fits. Figures: ${Object.keys(FIT_FIGURES).join(', ')}
  --stagger-ms N   the copies start N ms apart (default 0); --start-ms N: the first at N (default 0)
  --max N          the largest count searched (default 256)
  --jobs N         worker threads (default: cpus - 1)
  --counts a..b    run every count of a list or range instead of searching (a,b,c or a..b[:step]); with --shard i/N
                   the counts k-th of the list with k % N == i; join the shards' fit.shard-*.csv with --merge`

const MANIFEST = 'fit.json'
const MANIFEST_FORMAT = 'page-reporting-lab/fit'
const DEFAULT_MAX = 256

interface Manifest {
  readonly format: typeof MANIFEST_FORMAT
  readonly version: 1
  readonly host: string
  readonly guest: string
  readonly guestName: string
  readonly slo: string
  readonly max: number
  /** The counts of a --counts run (all shards); absent for a search. */
  readonly counts?: readonly number[]
}

const say = (message: string): void => void process.stderr.write(`prlab fit: ${message}\n`)
const countDir = (out: string, n: number): string => join(out, `count-${n}`)
const shardCsvName = (s: Shard): string => `fit.shard-${s.index}-of-${s.count}.csv`

/** `a,b,c`, `a..b` or `a..b:step`, positive integers, ascending. */
export function parseCounts(text: string): number[] {
  const out = new Set<number>()
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:\.\.(\d+)(?::(\d+))?)?$/.exec(part)
    if (m === null) throw new Error(`--counts ${JSON.stringify(text)}: expected counts like 1,2,4 or a range 1..40 or 2..40:2`)
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    const step = m[3] === undefined ? 1 : Number(m[3])
    if (from < 1 || to < from || step < 1) throw new Error(`--counts ${part}: expected 1 <= from <= to and step >= 1`)
    if (to > MAX_HOST_GUESTS) throw new Error(`--counts ${part}: at most ${MAX_HOST_GUESTS} guests`)
    for (let c = from; c <= to; c += step) out.add(c)
  }
  return [...out].sort((a, b) => a - b)
}

function positiveInt(flag: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${flag} ${text}: expected a whole number 0..${max}`)
  return n
}

export async function main(argv: string[]): Promise<number> {
  return fit(argv)
}

/** The command with the pool's worker module replaceable (tests run a stand-in). */
export async function fit(argv: string[], pool: { readonly entry?: string | URL } = {}): Promise<number> {
  const parsed = parseCommandArgs(
    'fit',
    USAGE,
    argv,
    {
      guest: { type: 'string' },
      slo: { type: 'string' },
      'stagger-ms': { type: 'string' },
      'start-ms': { type: 'string' },
      max: { type: 'string' },
      jobs: { type: 'string' },
      out: { type: 'string' },
      counts: { type: 'string' },
      shard: { type: 'string' },
      merge: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
    },
    null,
  )
  if (parsed === null) return 2
  const { values: o, positionals } = parsed
  if (o.merge !== undefined) return merge(o.merge, o.json)
  if (positionals.length !== 1) {
    say(`expected one host experiment file, got ${positionals.length}\n${USAGE}`)
    return 2
  }
  if (o.guest === undefined || o.slo === undefined) {
    say(`--guest GUEST and --slo '...' are required\n${USAGE}`)
    return 2
  }
  let objective: FitObjective
  let copies: FitCopies
  let max: number
  let workers: number
  let counts: number[] | null = null
  let shard: Shard | null = null
  try {
    objective = parseObjective(o.slo)
    copies = { startMs: positiveInt('start-ms', o['start-ms'], 0, 7 * 24 * 3600 * 1000), staggerMs: positiveInt('stagger-ms', o['stagger-ms'], 0, 7 * 24 * 3600 * 1000) }
    max = positiveInt('max', o.max, DEFAULT_MAX, MAX_HOST_GUESTS)
    workers = positiveInt('jobs', o.jobs, defaultWorkers(), 1024)
    if (workers < 1) throw new Error('--jobs: at least 1')
    if (o.counts !== undefined) counts = parseCounts(o.counts)
    if (o.shard !== undefined) shard = parseShard(o.shard)
  } catch (e) {
    say((e as Error).message)
    return 2
  }
  if (shard !== null && counts === null) {
    say('--shard splits a --counts list; give --counts a..b (a search cannot be sharded: its rounds depend on each other)')
    return 2
  }
  if (counts !== null && o.out === undefined) {
    say('--counts needs --out DIR')
    return 2
  }

  const hostFile = positionals[0]
  const host = await loadHost(hostFile)
  if (host === null) return 2
  const guestLoaded = await loadExperimentFile(o.guest)
  if (!guestLoaded.ok) {
    console.error(formatLabError(guestLoaded.error))
    return 2
  }
  const guest = guestLoaded.value.experiment
  const background = host.guests.reduce((n, g) => n + g.count, 0)
  if (background + max > MAX_HOST_GUESTS) max = MAX_HOST_GUESTS - background
  if (counts !== null) max = counts[counts.length - 1]
  const baseDir = dirname(resolve(hostFile))
  // the largest count must pass the host's checks and the machine's limits before anything runs
  const largest = max
  const probe = await resolveHostExperiment(fitPointHost(host, guest, largest, copies), { baseDir })
  if (!probe.ok) {
    console.error(formatLabError({ ...probe.error, file: hostFile }))
    return 2
  }
  const limits = checkHostLimits(probe.value.plan)
  if (!limits.ok && counts !== null) {
    console.error(formatLabError({ ...limits.error, file: hostFile, message: `${largest} copies: ${limits.error.message}` }))
    return 2
  }
  if (!limits.ok) {
    say(`note: ${largest} copies would exceed this machine's limits (${limits.error.message}); the search stops at the first count that does not fit the objective, well below that if the guest is not tiny`)
  }

  const out = o.out
  if (out !== undefined) {
    if (!(await writableOut('fit', out))) return 2
    const manifest: Manifest = { format: MANIFEST_FORMAT, version: 1, host: resolve(hostFile), guest: resolve(o.guest), guestName: guest.name, slo: objective.text, max, ...(counts !== null ? { counts } : {}) }
    const ok = await writeManifest(out, manifest)
    if (!ok) return 2
  }

  let failed = 0
  const bar = o.quiet ? null : progressBar('fit')
  const evaluate = async (round: readonly number[]): Promise<FitPoint[]> => {
    const jobs: HostSweepJob[] = []
    for (const n of round) {
      const pointHost = fitPointHost(host, guest, n, copies)
      const dir = out === undefined ? null : countDir(out, n)
      if (dir !== null) {
        await makeDirs(dir)
        await writeFileAtomic(join(dir, 'experiment.prlab.json'), experimentToText(pointHost))
      }
      jobs.push({ k: n, host: pointHost, outDir: dir, check: o.check, baseDir })
    }
    const outcomes = await runSweepJobs(jobs, {
      workers,
      ...(pool.entry !== undefined ? { entry: pool.entry } : {}),
      onProgress: (k, fraction) => bar?.update(fraction, `${k} copies`),
    })
    return outcomes.map((r) => {
      if (!r.ok) {
        failed++
        say(`${r.k} copies: the run failed: ${r.error}`)
        return { count: r.k, ok: false, why: `the run failed: ${r.error}`, figures: null, error: r.error }
      }
      const p = judge(objective, r.k, r.summary)
      if (!o.quiet && bar === null) say(`${r.k} × ${guest.name}: ${p.ok ? 'meets' : 'fails'} (${p.why})`)
      return p
    })
  }

  if (counts !== null) {
    const list = counts
    const mine = shardIndices(list.length, shard).map((k) => list[k])
    if (!o.quiet) say(`${mine.length} of ${list.length} counts on ${Math.min(workers, mine.length)} worker thread(s)`)
    const points = await evaluate(mine)
    bar?.done()
    const csvName = shard === null ? 'fit.csv' : shardCsvName(shard)
    await writeFileAtomic(join(out as string, csvName), fitCsv(points))
    if (shard === null) report(points, objective, guest.name, max, o.json)
    else if (!o.quiet) say(`wrote ${join(out as string, csvName)}; join the shards with prlab fit --merge ${out}`)
    return failed > 0 ? 1 : 0
  }

  const { answer, points } = await searchFit(evaluate, workers, max, (round) => {
    if (!o.quiet) say(`running ${round.join(', ')} × ${guest.name}`)
  })
  bar?.done()
  if (out !== undefined) await writeFileAtomic(join(out, 'fit.csv'), fitCsv(points))
  report(points, objective, guest.name, max, o.json, answer)
  return failed > 0 ? 1 : 0
}

async function loadHost(file: string): Promise<HostExperiment | null> {
  const loaded = await loadLabFile(file)
  if (!loaded.ok) {
    console.error(formatLabError(loaded.error))
    return null
  }
  if (loaded.value.kind !== 'host') {
    say(`${file} is a guest experiment; HOST is a host experiment: { "format": ..., "version": 2, "machine": { "memoryMiB": ... }, "guests": [] }`)
    return null
  }
  return loaded.value.experiment
}

function report(points: readonly FitPoint[], objective: FitObjective, guestName: string, max: number, json: boolean, known = fitAnswer(points, max)): void {
  if (json) {
    const summary = { objective: objective.text, guest: guestName, largest: known.largest, first_failing: known.firstFailing, non_monotonic: known.nonMonotonic, points: points.map((p) => ({ count: p.count, meets: p.ok, why: p.why, ...(p.error !== undefined ? { error: p.error } : {}) })) }
    console.log(JSON.stringify(summary, null, 2))
    return
  }
  console.log(fitAnswerText(known, objective, points, guestName, max))
}

async function writeManifest(out: string, manifest: Manifest): Promise<boolean> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`
  const path = join(out, MANIFEST)
  if (existsSync(path)) {
    let existing: string
    try {
      existing = await readRegularFile(path)
    } catch (e) {
      say(`cannot read ${path}: ${ioReason(e)}`)
      return false
    }
    if (existing !== text) {
      say(`${out} holds another fit (its ${MANIFEST} differs); use a new --out folder`)
      return false
    }
    return true
  }
  await writeFileAtomic(path, text)
  return true
}

/** Joins the shards' fit.shard-*.csv of DIR into fit.csv and answers. */
async function merge(out: string, json: boolean): Promise<number> {
  let manifest: Manifest
  try {
    manifest = JSON.parse(await readRegularFile(join(out, MANIFEST))) as Manifest
    if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.counts)) throw new Error(`not a ${MANIFEST_FORMAT} manifest of a --counts run`)
  } catch (e) {
    say(`--merge ${out}: cannot read ${MANIFEST}: ${(e as Error).message}`)
    return 2
  }
  const files = (await readdir(out)).filter((f) => /^fit\.shard-\d+-of-\d+\.csv$/.test(f)).sort()
  const ns = new Set(files.map((f) => Number(/-of-(\d+)/.exec(f)?.[1])))
  if (files.length === 0 || ns.size !== 1) {
    say(`--merge ${out}: expected fit.shard-<i>-of-<N>.csv files of one N, found ${files.length === 0 ? 'none' : files.join(', ')}`)
    return 2
  }
  const n = [...ns][0]
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !files.includes(shardCsvName({ index: i, count: n })))
  if (missing.length > 0) {
    say(`--merge ${out}: shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} have not written their CSV yet`)
    return 2
  }
  const points = new Map<number, FitPoint>()
  for (const f of files) {
    const [head, ...body] = parseCsv(await readRegularFile(join(out, f))) as string[][]
    if (head?.[0] !== 'count' || head[1] !== 'status') {
      say(`--merge ${out}: ${f} is not a fit CSV`)
      return 2
    }
    for (const r of body) {
      const figures: Record<string, number | string | null> = {}
      head.forEach((h, i) => {
        if (i >= 3 && h !== 'error') figures[h] = r[i] === '' ? null : Number(r[i])
      })
      const count = Number(r[0])
      if (points.has(count)) {
        say(`--merge ${out}: count ${count} appears twice (again in ${f})`)
        return 2
      }
      points.set(count, { count, ok: r[1] === 'meets', why: r[2], figures, ...(r[1] === 'failed' ? { error: r[head.indexOf('error')] } : {}) })
    }
  }
  const absent = (manifest.counts ?? []).filter((c) => !points.has(c))
  if (absent.length > 0) {
    say(`--merge ${out}: ${absent.length} count(s) missing, e.g. ${absent.slice(0, 5).join(', ')}`)
    return 2
  }
  const list = [...points.values()].sort((a, b) => a.count - b.count)
  await writeFileAtomic(join(out, 'fit.csv'), fitCsv(list))
  report(list, parseObjective(manifest.slo), manifest.guestName, manifest.max, json)
  return list.some((p) => p.error !== undefined) ? 1 : 0
}
