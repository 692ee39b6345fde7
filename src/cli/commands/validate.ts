// prlab validate <experiment> [--json] [--no-limits]: checks a file as `prlab run` would, without
// running it. Exit 0 valid, 2 invalid (or too big for this machine), 1 internal error.
// --json prints { ok, file, issues: [{ path, message, line?, column? }] } for scripts.
import { parseCommandArgs } from '../args'
import type { Issue, LabError } from '../../common/api'
import { formatLabError, loadExperimentFile } from '../../host/experiment_io'
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
  const loaded = await loadExperimentFile(file)
  let error: LabError | null = loaded.ok ? null : loaded.error
  if (loaded.ok && !values['no-limits']) {
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
    const note = migratedFrom !== undefined ? ` (version ${migratedFrom} file, migrated; save it again to update it)` : ''
    console.log(`${file}: valid${note}`)
  }
  return 0
}
