// A scenario's validation as the app shows it: the checks of `npm run validate`, with the verdict
// of each and numbers that survive JSON (a missing value is null, never NaN).
import type { ValidationReport } from '../../common/validation_api'
import { passed } from './checks'
import type { ScenarioResult } from './validate'

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null)

export function toValidationReport(result: ScenarioResult): ValidationReport {
  const groups = result.groups.map((g) => ({
    title: g.title,
    checks: g.checks.map((c) => ({ what: c.what, unit: c.unit, real: finite(c.real), sim: finite(c.sim), tolerance: c.tolerance, why: c.why, passed: passed(c) })),
  }))
  const checked = groups.flatMap((g) => g.checks).filter((c) => c.tolerance !== null)
  return { name: result.name, groups, checked: checked.length, passed: checked.filter((c) => c.passed).length }
}
