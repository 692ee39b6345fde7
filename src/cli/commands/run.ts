// prlab run <experiment> [--out DIR] [--set path=value ...] [--check] [--quiet]
import { dirname, resolve } from 'node:path'
import { formatLabError, loadLabFile, validateLabDocument, type ValidatedFile } from '../../host/experiment_io'
import { runHostCommand } from './run_host'
import { checkLimits } from '../../host/limits'
import { setPath } from '../../host/document_path'
import { typedValue } from '../../host/typed_value'
import { parseCommandArgs } from '../args'
import { runHeadless } from '../../host/run_headless'
import { writableOut } from '../out_dir'
import { interruptSignal } from '../interrupt'
import { runWithProgress } from '../run_progress'
import { resolveRunInputs } from '../../host/run_inputs'
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
  const ran = await runWithProgress({ label: experiment.name, file, end_ms: experiment.durationMs, out: values.out, quiet: values.quiet, signal }, (onProgress) =>
    runHeadless(experiment, values.out ?? null, {
      check: values.check,
      signal,
      writeExperiment: true,
      ...(inputs.value !== undefined ? { inputs: inputs.value } : {}),
      onProgress,
    }),
  )
  if (!ran.ok) return ran.exitCode
  const summary = ran.value
  // the headline on stderr: stdout stays the summary JSON when there is no --out
  if (!values.quiet) console.error(headlineLines(summary, experiment.recorder.sampleIntervalMs).map((line) => `  ${line}`).join('\n'))
  if (values.out) {
    if (!values.quiet) console.error(`wrote samples.csv, ${experiment.recorder.events ? 'events.csv, ' : ''}summary.json, buddyinfo.txt, experiment.prlab.json into ${values.out}`)
  } else {
    console.log(JSON.stringify(summary, null, 2))
  }
  return 0
}
