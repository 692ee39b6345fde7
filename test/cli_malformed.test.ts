// The malformed-file corpus through the real CLI: `prlab validate --json` and `prlab run` must each
// exit with code 2 and name the file and the field (or line), without crashing or hanging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURE_CASES, FIXTURE_DIR, writeGeneratedCases } from './malformed_corpus'
import type { MalformedCase } from './malformed_corpus'

const root = join(import.meta.dirname, '..')
const PRLAB = join(root, 'bin', 'prlab.mjs')
/** A hang is a failure: each command gets this long, then is killed (SIGKILL gives no exit code 2). */
const SPAWN_TIMEOUT_MS = 20_000

interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

function prlab(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRLAB, ...args], { cwd: root, timeout: SPAWN_TIMEOUT_MS, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Runs `tasks` with at most `limit` at a time (the CI machine has 2 cores). */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++
        results[i] = await tasks[i]()
      }
    }),
  )
  return results
}

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
