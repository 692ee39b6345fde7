// prlab run <experiment> [--out DIR] [--set path=value ...] [--check] [--quiet]
import { dirname, resolve } from 'node:path'
import { SimulationInputError } from '../../engine/api'
import { formatLabError, loadLabFile, validateLabDocument, type ValidatedFile } from '../../host/experiment_io'
import { runHostCommand } from './run_host'
import { checkLimits } from '../../host/limits'
import { setPath } from '../../host/document_path'
import { typedValue } from '../../host/typed_value'
import { parseCommandArgs } from '../args'
import { HeadlessRunFailed, runHeadless } from '../../host/run_headless'
import { writableOut } from '../out_dir'
import { FileWriteError } from '../../host/io_error'
import { Interrupted, interruptSignal, interruptedExitCode } from '../interrupt'
import { resolveRunInputs } from '../../host/run_inputs'
import { progressBar } from '../progress'
import { headlineLines } from '../../common/run_explain'

const USAGE = 'usage: prlab run <experiment> [--out DIR] [--set path=value ...] [--check] [--quiet]'

export interface RunCommandOptions {
  /** Stops the run (default: Ctrl-C / SIGTERM of this process). */
  readonly signal?: AbortSignal
}

export async function main(argv: string[], command: RunCommandOptions = {}): Promise<number> {
  const signal = command.signal ?? interruptSignal
  const parsed = parseCommandArgs(
    'run',
    USAGE,
    argv,
    {
      out: { type: 'string' },
      set: { type: 'string', multiple: true },
      check: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    1,
  )
  if (parsed === null) return 2
  const { values, positionals } = parsed
  const file = positionals[0]
  const loaded = await loadLabFile(file)
  if (!loaded.ok) {
    console.error(formatLabError(loaded.error))
    return 2
  }
  let valid: ValidatedFile = loaded.value
  if (values.set && values.set.length > 0) {
    let document: unknown = loaded.value.document
    for (const assignment of values.set) {
      const eq = assignment.indexOf('=')
      if (eq <= 0) {
        console.error(`prlab run: --set ${JSON.stringify(assignment)}: expected path=value, e.g. --set reporting.delayMs=500`)
        return 2
      }
      const path = assignment.slice(0, eq)
      let typed
      try {
        typed = typedValue(document, path, assignment.slice(eq + 1), file)
      } catch (e) {
        console.error(`prlab run: --set ${assignment}: ${e instanceof Error ? e.message : String(e)}`)
        return 2
      }
      if (!typed.ok) {
        console.error(formatLabError({ ...typed.error, message: `--set ${typed.error.message}` }))
        return 2
      }
      document = setPath(document, path, typed.value)
    }
    const edited = validateLabDocument(document, file)
    if (!edited.ok) {
      console.error(formatLabError(edited.error))
      return 2
    }
    valid = edited.value
  }
  if (valid.kind === 'host') return runHostCommand(valid.experiment, { file, out: values.out, check: values.check, quiet: values.quiet, signal })
  const experiment = valid.experiment
  const limits = checkLimits(experiment)
  if (!limits.ok) {
    console.error(formatLabError({ ...limits.error, file }))
    return 2
  }
  // traces and snapshots the experiment names resolve next to its file
  const inputs = await resolveRunInputs(experiment, { baseDir: dirname(resolve(file)) })
  if (!inputs.ok) {
    console.error(formatLabError({ ...inputs.error, file }))
    return 2
  }
  // a read-only or full disk, /proc or a device as --out: refused before the run, not after it
  if (values.out !== undefined && !(await writableOut('run', values.out))) return 2
  const bar = values.quiet ? null : progressBar(`${experiment.name}`)
  let sim_ms = 0
  let summary
  try {
    summary = await runHeadless(experiment, values.out ?? null, {
      check: values.check,
      signal,
      writeExperiment: true,
      ...(inputs.value !== undefined ? { inputs: inputs.value } : {}),
      onProgress: (now_ms, end_ms) => {
        sim_ms = now_ms
        bar?.update(now_ms / end_ms, `${(now_ms / 1000).toFixed(1)} / ${(end_ms / 1000).toFixed(1)} s simulated`)
      },
    })
  } catch (e) {
    bar?.done()
    // a snapshot that does not fit the simulated guest is bad input, not an internal error
    if (e instanceof SimulationInputError) console.error(`${file}: ${e.message}`)
    else if (e instanceof FileWriteError) console.error(`prlab run: ${e.message}`)
    else if (e instanceof HeadlessRunFailed) console.error(`prlab run: the run failed at ${(sim_ms / 1000).toFixed(1)} s simulated: ${e.message}${values.out ? `; wrote what was recorded into ${values.out}` : ''}`)
    else if (signal.aborted) {
      const why = e instanceof Interrupted ? e.message : 'stopped'
      console.error(`prlab run: ${why} at ${(sim_ms / 1000).toFixed(1)} of ${(experiment.durationMs / 1000).toFixed(1)} s simulated; nothing written`)
      return e instanceof Interrupted ? interruptedExitCode(e.signal) : 130
    } else throw e
    return 2
  }
  bar?.done()
  // the headline on stderr: stdout stays the summary JSON when there is no --out
  if (!values.quiet) console.error(headlineLines(summary, experiment.recorder.sampleIntervalMs).map((line) => `  ${line}`).join('\n'))
  if (values.out) {
    if (!values.quiet) console.error(`wrote samples.csv, ${experiment.recorder.events ? 'events.csv, ' : ''}summary.json, buddyinfo.txt, experiment.prlab.json into ${values.out}`)
  } else {
    console.log(JSON.stringify(summary, null, 2))
  }
  return 0
}
