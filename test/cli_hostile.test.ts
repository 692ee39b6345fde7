// Each hostile CLI input of issue 9 (test/hostile/cli_cases.ts) against the real `prlab`, as the
// scripted attack (`npm run attack:cli`) sends them: the expected exit code and message, no
// stack trace, no hang. Cases that need root to mount a tmpfs are skipped where that is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_CASES, Unavailable, Workspace, type CaseResult } from './hostile/cli_cases'
import { pool } from './prlab_process'

const workspace = new Workspace()
const results = new Map<string, CaseResult | Unavailable>()

beforeAll(async () => {
  // the signal and disk-filling cases time themselves: run them alone, the rest two at a time
  const timed = (name: string): boolean => /SIG|spill fills|10-million/.test(name)
  const run = (c: (typeof CLI_CASES)[number]) => async () => {
    try {
      results.set(c.name, await c.run(workspace))
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e
      results.set(c.name, e)
    }
  }
  await pool(CLI_CASES.filter((c) => !timed(c.name)).map(run), 2)
  await pool(CLI_CASES.filter((c) => timed(c.name)).map(run), 1)
}, 600_000)

afterAll(() => workspace.dispose())

describe('hostile CLI inputs', () => {
  for (const c of CLI_CASES) {
    it(c.name, (ctx) => {
      const result = results.get(c.name)
      if (result instanceof Unavailable) return ctx.skip(result.message)
      expect(result?.wrong ?? null, `${result?.outcome.stderr}`).toBeNull()
    })
  }
})
