// A headless run of prlab run (one guest or a host of guests) behind a progress bar on stderr, with
// the command's error mapping: bad input and write failures exit 2 with one line, Ctrl-C / SIGTERM
// exit with the signal's code saying how far the run got; anything else is a bug and is rethrown.
import { SimulationInputError } from '../engine/api'
import { HeadlessRunFailed } from '../host/run_headless'
import { FileWriteError } from '../host/io_error'
import { Interrupted, interruptedExitCode } from './interrupt'
import { progressBar } from './progress'

export interface ProgressRun {
  /** The progress bar's label. */
  readonly label: string
  /** The experiment file, named in input errors. */
  readonly file: string
  /** Simulated end of the run, for the interruption message. */
  readonly end_ms: number
  readonly out: string | undefined
  readonly quiet: boolean
  readonly signal: AbortSignal
}

export type Progressed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly exitCode: number }

export async function runWithProgress<T>(run: ProgressRun, start: (onProgress: (now_ms: number, end_ms: number) => void) => Promise<T>): Promise<Progressed<T>> {
  const bar = run.quiet ? null : progressBar(run.label)
  let sim_ms = 0
  try {
    const value = await start((now_ms, end_ms) => {
      sim_ms = now_ms
      bar?.update(now_ms / end_ms, `${(now_ms / 1000).toFixed(1)} / ${(end_ms / 1000).toFixed(1)} s simulated`)
    })
    bar?.done()
    return { ok: true, value }
  } catch (e) {
    bar?.done()
    // a snapshot that does not fit the simulated guest is bad input, not an internal error
    if (e instanceof SimulationInputError) console.error(`${run.file}: ${e.message}`)
    else if (e instanceof FileWriteError) console.error(`prlab run: ${e.message}`)
    else if (e instanceof HeadlessRunFailed) console.error(`prlab run: the run failed at ${(sim_ms / 1000).toFixed(1)} s simulated: ${e.message}${run.out !== undefined ? `; wrote what was recorded into ${run.out}` : ''}`)
    else if (run.signal.aborted) {
      const why = e instanceof Interrupted ? e.message : 'stopped'
      console.error(`prlab run: ${why} at ${(sim_ms / 1000).toFixed(1)} of ${(run.end_ms / 1000).toFixed(1)} s simulated; nothing written`)
      return { ok: false, exitCode: e instanceof Interrupted ? interruptedExitCode(e.signal) : 130 }
    } else throw e
    return { ok: false, exitCode: 2 }
  }
}
