// prlab run on a host experiment: the guests resolved next to the host file, the limits checked
// over all of them, then the run, writing into --out:
//   host_samples.csv, host_events.csv, summary.json   the host (src/common/host_samples.ts)
//   guest-<n>/samples.csv, events.csv, summary.json, buddyinfo.txt   each guest, as prlab run of it alone
// Without --out the host's summary.json goes to stdout. The host's headline goes to stderr.
import { dirname, resolve } from 'node:path'
import type { HostExperiment } from '../../common/host_experiment'
import { hostHeadlineLines } from '../../common/host_summary'
import { writableOut } from '../out_dir'
import { runWithProgress } from '../run_progress'
import { formatLabError } from '../../host/experiment_io'
import { checkHostLimits, resolveHostExperiment } from '../../host/host_experiment_io'
import { runHostHeadless } from '../../host/host_run_headless'

export interface HostRunArgs {
  readonly file: string
  readonly out: string | undefined
  readonly check: boolean
  readonly quiet: boolean
  readonly signal: AbortSignal
}

export async function runHostCommand(host: HostExperiment, args: HostRunArgs): Promise<number> {
  const { file } = args
  const resolved = await resolveHostExperiment(host, { baseDir: dirname(resolve(file)) })
  if (!resolved.ok) {
    console.error(formatLabError({ ...resolved.error, file }))
    return 2
  }
  const limits = checkHostLimits(resolved.value.plan)
  if (!limits.ok) {
    console.error(formatLabError({ ...limits.error, file }))
    return 2
  }
  if (args.out !== undefined && !(await writableOut('run', args.out))) return 2
  const plan = resolved.value.plan
  const ran = await runWithProgress({ label: `${host.name} (${plan.guests.length} guests)`, file, end_ms: plan.end_ms, out: args.out, quiet: args.quiet, signal: args.signal }, (onProgress) =>
    runHostHeadless(host, resolved.value, args.out ?? null, { check: args.check, signal: args.signal, onProgress }),
  )
  if (!ran.ok) return ran.exitCode
  const result = ran.value
  if (!args.quiet) console.error(hostHeadlineLines(result.summary).map((line) => `  ${line}`).join('\n'))
  if (args.out !== undefined) {
    if (!args.quiet) console.error(`wrote host_samples.csv, ${host.recorder.events ? 'host_events.csv, ' : ''}summary.json and guest-1..${plan.guests.length}/ into ${args.out}`)
  } else {
    console.log(JSON.stringify(result.summary, null, 2))
  }
  return 0
}
