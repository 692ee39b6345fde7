// Sweeps the lab runs for the Sweep view: the same grid syntax, point order and worker pool as
// `prlab sweep` (sweep.ts), each point written as `prlab run --out` writes it into a folder of
// this session's runtime folder (removed at exit), so any point opens as a run (run_folder.ts)
// and goes into the run library. A sweep is a task: its progress shows, and Cancel ends it.
import { promises as fs } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { MAX_UI_SWEEP_POINTS, fail, ok, type LabError, type Result, type SweepStarted, type SweepStatus } from '../common/api'
import type { Experiment, ExperimentInput } from '../common/experiment'
import type { SimulationInputs } from '../engine/api'
import { experimentToText, validateDocument } from './experiment_io'
import { checkLimits } from './limits'
import { gridPoint, gridSize, pointDocument, resolveGrid, runSweepJobs, sweepCsv, type GridAxis, type SweepJob, type SweepOutcome } from './sweep'
import { parseSweepCsv } from './import/index'
import { runFromFolder } from './run_folder'
import type { RunToKeep } from './run_library'
import { runtimeDir } from './temp_files'

/** What a lab sweep needs from the lab: tasks. */
export interface SweepHost {
  startTask(label: string): { readonly id: string; readonly signal: AbortSignal; progress(done: number, total: number): void; finish(state: 'done' | 'cancelled' | 'error'): void }
  /** The worker pool's module (tests pass a stand-in). */
  readonly workerEntry?: string | URL
}

interface LabSweep {
  readonly id: string
  readonly dir: string
  readonly axes: readonly GridAxis[]
  readonly points: number
  readonly outcomes: Map<number, SweepOutcome>
  state: SweepStatus['state']
}

/** Sweeps kept for the UI to read; older ones are forgotten (their folders stay until exit). */
const KEPT_SWEEPS = 8

export class LabSweeps {
  private readonly sweeps = new Map<string, LabSweep>()

  constructor(private readonly host: SweepHost) {}

  /** `resolveInputs` finds the files a point's experiment names as startRun would. */
  async start(document: ExperimentInput, grid: readonly string[], label: string, resolveInputs: (experiment: Experiment) => Promise<Result<SimulationInputs | undefined>>): Promise<Result<SweepStarted>> {
    const base = validateDocument(document)
    if (!base.ok) return base
    const axes = resolveGrid(document, label, grid)
    if (!axes.ok) return axes
    const points = gridSize(axes.value)
    if (points > MAX_UI_SWEEP_POINTS) return fail({ code: 'limit', message: `the grid has ${points} points; the lab runs at most ${MAX_UI_SWEEP_POINTS} from here: run a larger one with \`prlab sweep\` (it shards for batch schedulers), then open its sweep.csv` })
    // every point validated and its inputs resolved before anything runs: a bad value fails the sweep, not point 17
    const jobs: (SweepJob & { document: ExperimentInput })[] = []
    const dir = join(runtimeDir(), `sweep-${randomUUID()}`)
    for (let k = 0; k < points; k++) {
      const point = gridPoint(axes.value, k)
      const doc = pointDocument(document, axes.value, point) as ExperimentInput
      const valid = validateDocument(doc, `${label}, point ${k} (${axes.value.map((a, i) => `${a.path}=${JSON.stringify(point.values[i])}`).join(', ')})`)
      if (!valid.ok) return valid
      const limits = checkLimits(valid.value)
      if (!limits.ok) return fail({ ...limits.error, message: `point ${k}: ${limits.error.message}` })
      const inputs = await resolveInputs(valid.value)
      if (!inputs.ok) return fail({ ...inputs.error, message: `point ${k}: ${inputs.error.message}` })
      jobs.push({ k, experiment: valid.value, outDir: join(dir, `point-${k}`), check: false, document: doc, ...(inputs.value !== undefined ? { inputs: inputs.value } : {}) })
    }
    try {
      for (const job of jobs) {
        await fs.mkdir(job.outDir, { recursive: true })
        await fs.writeFile(join(job.outDir, 'experiment.prlab.json'), experimentToText(job.document))
      }
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined)
      return fail({ code: 'io', message: `cannot write the sweep's folders: ${e instanceof Error ? e.message : String(e)}` })
    }
    const id = randomUUID()
    const sweep: LabSweep = { id, dir, axes: axes.value, points, outcomes: new Map(), state: 'running' }
    this.keep(sweep)
    const task = this.host.startTask(`Sweep of ${base.value.name}: ${points} points`)
    const fractions = new Map<number, number>()
    const report = (): void => {
      let partial = 0
      for (const f of fractions.values()) partial += f
      task.progress(sweep.outcomes.size + partial, points)
    }
    void runSweepJobs(
      jobs.map(({ document: _doc, ...job }) => job),
      {
        signal: task.signal,
        ...(this.host.workerEntry !== undefined ? { entry: this.host.workerEntry } : {}),
        onProgress: (k, fraction) => {
          fractions.set(k, fraction)
          report()
        },
        onOutcome: (outcome) => {
          fractions.delete(outcome.k)
          sweep.outcomes.set(outcome.k, outcome)
          report()
        },
      },
    ).then(
      () => {
        sweep.state = task.signal.aborted ? 'cancelled' : 'done'
        task.finish(sweep.state === 'cancelled' ? 'cancelled' : 'done')
      },
      () => {
        sweep.state = 'error'
        task.finish('error')
      },
    )
    return ok({ sweepId: id, taskId: task.id, points })
  }

  status(sweepId: string): Result<SweepStatus> {
    const sweep = this.sweeps.get(sweepId)
    if (!sweep) return fail(unknown(sweepId))
    const rows = [...sweep.outcomes.values()].map((outcome) => ({ point: gridPoint(sweep.axes, outcome.k), outcome }))
    const table = parseSweepCsv('sweep.csv', sweepCsv(sweep.axes, rows))
    if (!table.ok) return table
    return ok({ sweepId, state: sweep.state, done: sweep.outcomes.size, points: sweep.points, table: table.value })
  }

  /** Point `k`'s folder read back as a run (it must have ended well). */
  async point(sweepId: string, k: number): Promise<Result<RunToKeep>> {
    const sweep = this.sweeps.get(sweepId)
    if (!sweep) return fail(unknown(sweepId))
    const outcome = sweep.outcomes.get(k)
    if (!outcome) return fail({ code: 'busy', message: `point ${k} has not ended yet` })
    if (!outcome.ok) return fail({ code: 'invalid', message: `point ${k} failed: ${outcome.error}` })
    const read = await runFromFolder(join(sweep.dir, `point-${k}`), 'sweep')
    if (!read.ok) return read
    const values = gridPoint(sweep.axes, k).values
    return ok({ ...read.value, name: `${read.value.name} [${sweep.axes.map((a, i) => `${a.path}=${JSON.stringify(values[i])}`).join(', ')}]` })
  }

  private keep(sweep: LabSweep): void {
    this.sweeps.set(sweep.id, sweep)
    for (const old of this.sweeps.values()) {
      if (this.sweeps.size <= KEPT_SWEEPS) break
      if (old.state !== 'running') this.sweeps.delete(old.id)
    }
  }
}

const unknown = (sweepId: string): LabError => ({ code: 'not-found', message: `no sweep ${sweepId} in this session` })
