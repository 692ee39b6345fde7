// The malformed-file corpus through the real CLI: `prlab validate --json` and `prlab run` must each
// exit with code 2 and name the file and the field (or line), without crashing or hanging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURE_CASES, FIXTURE_DIR, writeGeneratedCases } from './malformed_corpus'
import type { MalformedCase } from './malformed_corpus'
import { pool, prlab, type Outcome } from './prlab_process'

interface ValidateJson {
  ok: boolean
  file: string
  issues: { path: string; message: string; line?: number }[]
}

let dir: string
let cases: MalformedCase[]
const outcomes = new Map<string, { validate: Outcome; run: Outcome }>()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prlab-cli-'))
  cases = [...FIXTURE_CASES.map((c) => ({ ...c, file: join(FIXTURE_DIR, c.file) })), ...writeGeneratedCases(dir)]
  type Task = () => Promise<readonly ['validate' | 'run', string, Outcome]>
  const tasks = cases.flatMap((c): Task[] => [
    async () => ['validate', c.file, await prlab(['validate', c.file, '--json'])],
    async () => ['run', c.file, await prlab(['run', c.file, '--out', join(dir, 'out'), '--quiet'])],
  ])
  for (const [command, file, outcome] of await pool(tasks, 4)) {
    const entry = outcomes.get(file) ?? ({} as { validate: Outcome; run: Outcome })
    entry[command] = outcome
    outcomes.set(file, entry)
  }
}, 180_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('malformed experiment files through the CLI', () => {
  it('covers the whole corpus', () => {
    expect(outcomes.size).toBe(FIXTURE_CASES.length + 5)
  })

  for (const c of FIXTURE_CASES) {
    it(`validate --json and run refuse ${c.file}`, () => {
      const file = join(FIXTURE_DIR, c.file)
      checkOutcome(file, c)
    })
  }

  it('validate --json and run refuse the generated cases (50 MB, binary garbage, latin-1, UTF-16, empty)', () => {
    for (const c of cases.slice(FIXTURE_CASES.length)) checkOutcome(c.file, c)
  })

  it('run wrote nothing for any of them', () => {
    expect(existsSync(join(dir, 'out'))).toBe(false)
  })
})

function checkOutcome(file: string, c: MalformedCase): void {
  const { validate, run } = outcomes.get(file) ?? {}
  expect(validate?.code, `validate ${file}: ${validate?.stderr}`).toBe(2)
  const report = JSON.parse(validate?.stdout ?? '') as ValidateJson
  expect(report.ok).toBe(false)
  expect(report.file).toBe(file)
  const described = report.issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('\n')
  expect(described).toContain(c.names)
  if (c.line !== undefined) expect(report.issues.some((i) => i.line === c.line)).toBe(true)
  expect(run?.code, `run ${file}: ${run?.stderr}`).toBe(2)
  expect(run?.stderr).toContain(file)
  expect(run?.stderr).toContain(c.names)
  expect(run?.stderr).not.toMatch(/internal error|at .*\.ts:\d+/)
}
