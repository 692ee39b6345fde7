// prlab validate <experiment> [--json] [--no-limits]: checks a file as `prlab run` would, without
// running it. Exit 0 valid, 2 invalid (or too big for this machine), 1 internal error.
// --json prints { ok, file, issues: [{ path, message, line?, column? }] } for scripts.
import { parseCommandArgs } from '../args'
import type { Issue, LabError } from '../../common/api'
import { dirname, resolve } from 'node:path'
import { formatLabError, loadLabFile } from '../../host/experiment_io'
import { checkHostLimits, resolveHostExperiment } from '../../host/host_experiment_io'
import { checkLimits } from '../../host/limits'

const USAGE = 'usage: prlab validate <experiment> [--json] [--no-limits]'

interface ValidateReport {
  readonly ok: boolean
  readonly file: string
  readonly code?: LabError['code']
  readonly message?: string
  readonly migratedFrom?: number
  readonly issues: readonly Issue[]
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('validate', USAGE, argv, { json: { type: 'boolean', default: false }, 'no-limits': { type: 'boolean', default: false } }, 1)
  if (parsed === null) return 2
  const { values, positionals } = parsed
  const file = positionals[0]
  const report = (r: ValidateReport): void => console.log(JSON.stringify(r, null, 2))
  const loaded = await loadLabFile(file)
  let error: LabError | null = loaded.ok ? null : loaded.error
  let note = ''
  if (loaded.ok && loaded.value.kind === 'host') {
    // a host experiment: its guests' files are part of it; no guests is a host description for prlab fit
    const host = loaded.value.experiment
    const resolved = await resolveHostExperiment(host, { baseDir: dirname(resolve(file)) }, { requireGuests: false })
    if (!resolved.ok) error = { ...resolved.error, file }
    else if (!values['no-limits'] && host.guests.length > 0) {
      const limits = checkHostLimits(resolved.value.plan)
      if (!limits.ok) error = { ...limits.error, file }
    }
    note = host.guests.length === 0 ? ': a host description with no guests (for prlab fit HOST --guest GUEST)' : `: a host experiment with ${resolved.ok ? resolved.value.plan.guests.length : '?'} guests`
  } else if (loaded.ok && loaded.value.kind === 'guest' && !values['no-limits']) {
    const limits = checkLimits(loaded.value.experiment)
    if (!limits.ok) error = { ...limits.error, file }
  }
  if (error !== null) {
    const issues = error.issues && error.issues.length > 0 ? error.issues : [{ path: '', message: error.message }]
    if (values.json) report({ ok: false, file, code: error.code, message: error.message, issues })
    else console.error(formatLabError({ ...error, file }))
    return 2
  }
  const migratedFrom = loaded.ok ? loaded.value.migratedFrom : undefined
  if (values.json) report({ ok: true, file, ...(migratedFrom !== undefined ? { migratedFrom } : {}), issues: [] })
  else {
    const migrated = migratedFrom !== undefined ? ` (version ${migratedFrom} file, migrated; save it again to update it)` : ''
    console.log(`${file}: valid${note}${migrated}`)
  }
  return 0
}
