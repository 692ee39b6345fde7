import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDuration, parseScenarioConf, parseScript, parseSize, scriptPeakBytes, scriptSleepMs, ScriptError } from './scenario'

const SCENARIOS = join(import.meta.dirname, '..', '..', '..', 'validation', 'scenarios')
const MiB = 1024 * 1024

describe('phase-script sizes and durations (as prlab-guest.c parses them)', () => {
  it('reads sizes with K/M/G suffixes and bare bytes', () => {
    expect(parseSize('600M')).toBe(600 * MiB)
    expect(parseSize('4K')).toBe(4096)
    expect(parseSize('1G')).toBe(1024 * MiB)
    expect(parseSize('2MiB')).toBe(2 * MiB)
    expect(parseSize('4096')).toBe(4096)
    for (const bad of ['', 'M', '0', '-4K', '4X', '4 K']) expect(parseSize(bad)).toBeNull()
  })
  it('reads durations in ms, s, m', () => {
    expect(parseDuration('20s')).toBe(20_000)
    expect(parseDuration('5ms')).toBe(5)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('2m')).toBe(120_000)
    expect(parseDuration('30')).toBe(30_000)
    for (const bad of ['', 's', '-1s', '5h', '1e3s']) expect(parseDuration(bad)).toBeNull()
  })
})

describe('parseScript', () => {
  it('parses every reference scenario', () => {
    const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.conf'))
    expect(files.length).toBeGreaterThanOrEqual(3)
    for (const f of files) {
      const conf = parseScenarioConf(readFileSync(join(SCENARIOS, f), 'utf8'), f)
      expect(parseScript(conf.script).length).toBeGreaterThan(3)
    }
  })
  it('turns the churn scenario into typed commands', () => {
    expect(parseScript('idle 20s; churn 30s 400M 4M 5ms; idle 45s; free; idle 45s')).toEqual([
      { cmd: 'idle', ms: 20_000 },
      { cmd: 'churn', ms: 30_000, wsBytes: 400 * MiB, chunkBytes: 4 * MiB, pauseMs: 5 },
      { cmd: 'idle', ms: 45_000 },
      { cmd: 'free' },
      { cmd: 'idle', ms: 45_000 },
    ])
  })
  it('sums the sleeps and the peak mapping', () => {
    const c = parseScript('idle 20s; alloc 600M; touch; hold 5s; free; alloc 100M; touch; churn 10s 200M 4M 0ms; idle 1s')
    expect(scriptSleepMs(c)).toBe(36_000)
    expect(scriptPeakBytes(c)).toBe(600 * MiB)
    expect(scriptPeakBytes(parseScript('alloc 100M; churn 10s 800M 4M 0ms'))).toBe(900 * MiB)
  })
  it('names the command and what was expected', () => {
    expect(() => parseScript('idle 20s; alloc lots')).toThrow(/command 2 "alloc lots": expected a size/)
    expect(() => parseScript('idle')).toThrow(/command 1 "idle": expected idle DURATION/)
    expect(() => parseScript('free 10M')).toThrow(/expected free without arguments/)
    expect(() => parseScript('freestripe 6K')).toThrow(/multiple of 4K/)
    expect(() => parseScript('churn 1s 400M 1K 0ms')).toThrow(/1\.\.4000 slots, got 409600/)
    expect(() => parseScript('sleep 5s')).toThrow(/unknown command "sleep"/)
    expect(() => parseScript(' ; ')).toThrow(ScriptError)
  })
})

describe('parseScenarioConf', () => {
  it('reads DESC, SCRIPT and TRACE_KMEM', () => {
    const conf = parseScenarioConf('# c\nDESC="a b"\nSCRIPT="idle 1s; free"\nTRACE_KMEM=1\n', 'x.conf')
    expect(conf).toEqual({ description: 'a b', script: 'idle 1s; free', traceKmem: true })
  })
  it('refuses unknown keys, bad lines and a missing SCRIPT with the file and line', () => {
    expect(() => parseScenarioConf('SCRIPT="idle 1s"\nSCRPIT="x"', 'x.conf')).toThrow(/x\.conf: unknown key SCRPIT/)
    expect(() => parseScenarioConf('SCRIPT="idle 1s"\nrm -rf /', 'x.conf')).toThrow(/x\.conf:2: expected KEY="value"/)
    expect(() => parseScenarioConf('DESC="x"', 'x.conf')).toThrow(/no SCRIPT/)
    expect(() => parseScenarioConf('SCRIPT="idle 1s"\nTRACE_KMEM=yes', 'x.conf')).toThrow(/TRACE_KMEM must be 0 or 1/)
  })
})
