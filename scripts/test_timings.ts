// A vitest reporter for flakes from time limits: after the run it lists every test that took at
// least half of its timeout (the margin a loaded 2-core CI machine eats first), then the slowest
// tests, each with its timeout. Speed is not asserted anywhere; this shows where a limit is too
// close to what the machine takes. Run it beside the usual reporter, on a machine as loaded as CI:
//   npx vitest run --reporter=default --reporter=./scripts/test_timings.ts
// (hooks are not listed: vitest reports no timeout for them; cli_hostile and cli_malformed do their
// work in beforeAll, so time those with their files' durations.)
import type { Reporter, TestCase, Vitest } from 'vitest/node'

interface Timing {
  readonly name: string
  readonly ms: number
  readonly timeout_ms: number
}

const SLOWEST = 15

export default class TestTimings implements Reporter {
  private defaultTimeout_ms = 5_000
  private readonly timings: Timing[] = []

  onInit(vitest: Vitest): void {
    this.defaultTimeout_ms = vitest.config.testTimeout
  }

  onTestCaseResult(test: TestCase): void {
    const ms = test.diagnostic()?.duration
    if (ms === undefined || test.result().state === 'skipped') return
    this.timings.push({ name: `${test.module.relativeModuleId} > ${test.fullName}`, ms, timeout_ms: test.options.timeout ?? this.defaultTimeout_ms })
  }

  onTestRunEnd(): void {
    const line = (t: Timing): string => `  ${(t.ms / 1000).toFixed(1).padStart(7)} s of ${(t.timeout_ms / 1000).toFixed(0).padStart(4)} s  ${t.name}`
    const close = this.timings.filter((t) => t.ms * 2 >= t.timeout_ms).sort((a, b) => b.ms / b.timeout_ms - a.ms / a.timeout_ms)
    const slowest = [...this.timings].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST)
    const out = [
      '',
      close.length === 0 ? 'No test took half of its timeout.' : `Tests that took at least half of their timeout (${close.length}):`,
      ...close.map(line),
      `The ${slowest.length} slowest tests:`,
      ...slowest.map(line),
      '',
    ]
    process.stdout.write(`${out.join('\n')}\n`)
  }
}
