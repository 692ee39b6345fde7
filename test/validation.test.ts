// The validation suite (issue 13 part 1): each validation/ scenario is a real guest's recording and
// the experiment that mirrors it; every check of `npm run validate` must hold within the tolerance
// written next to it (src/host/validation/checks.ts), and the committed experiments must be what
// the mirror writes today.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { VALIDATION_DOC, validationDocs } from '../scripts/validation-docs'
import { mirrorRecording } from '../src/host/guest/experiment_from_recording'
import { loadRecording } from '../src/host/guest/recording_import'
import { passed } from '../src/host/validation/checks'
import { formatTextTable } from '../src/host/validation/table'
import { VALIDATION_EXPERIMENT, defaultValidationDir, validateScenario, validationScenarios, type ScenarioResult } from '../src/host/validation/validate'

const dir = defaultValidationDir()
const scenarios = validationScenarios(dir)

describe('validation against real guests (validation/)', () => {
  const results = new Map<string, ScenarioResult>()
  beforeAll(async () => {
    for (const name of scenarios) results.set(name, await validateScenario(dir, name))
  })

  it('has the reference scenarios', () => {
    expect(scenarios).toEqual(expect.arrayContaining(['churn', 'free_all', 'free_stripe_256k', 'free_stripe_nothp', 'trace_small']))
  })

  for (const name of scenarios) {
    it(`${name}: the committed experiment is the one the recording mirrors to`, () => {
      const mirrored = mirrorRecording(loadRecording(join(dir, name)))
      expect(JSON.parse(readFileSync(join(dir, name, VALIDATION_EXPERIMENT), 'utf8'))).toEqual(JSON.parse(JSON.stringify(mirrored.experiment)))
      expect(readFileSync(join(dir, name, 'initial-buddyinfo.txt'), 'utf8')).toBe(mirrored.initialBuddyinfo)
    })

    it(`${name}: simulated against real, every check within its tolerance`, async () => {
      const result = results.get(name)!
      const out = result.groups.flatMap((g) => g.checks.filter((c) => !passed(c)).map((c) => `${g.title}: ${c.what}`))
      expect(out, formatTextTable([result])).toEqual([])
      expect(result.groups.length).toBeGreaterThan(1)
    })
  }

  it(`${VALIDATION_DOC} and each real-host-rss.csv are what the suite computes now (npm run validate:docs)`, () => {
    const docs = validationDocs(scenarios.map((n) => results.get(n)!))
    for (const [path, text] of Object.entries(docs)) {
      if (!path.endsWith('.svg')) expect(readFileSync(join(dir, '..', path), 'utf8') === text, path).toBe(true)
    }
  })
})
