import { describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { COL, NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS } from '../common/samples'
import type { SimEvent } from '../common/samples'
import { Recorder } from './recorder'
import { perfettoTrace, TRACE_THREADS, writePerfettoTrace } from './export_perfetto'

interface TraceEvent {
  name: string
  ph: string
  ts?: number
  dur?: number
  pid: number
  tid?: number
  s?: string
  args: Record<string, number | string>
}

function run(): Recorder {
  const rec = new Recorder()
  const rows = 4
  const data = new Float64Array(rows * NR_SAMPLE_COLUMNS)
  for (let r = 0; r < rows; r++) {
    data[r * NR_SAMPLE_COLUMNS + COL.t_ms] = r * 100.1
    data[r * NR_SAMPLE_COLUMNS + COL.free_kib] = r < 2 ? 1000 : 4000 // changes once
    data[r * NR_SAMPLE_COLUMNS + COL.report_calls] = r
  }
  rec.appendRows(data, rows)
  const events: SimEvent[] = [
    { t_ms: 2000, kind: 'pass_start', zone: 'Normal' },
    { t_ms: 2000.25, kind: 'report', zone: 'Normal', order: 9, count: 32, kib: 65536, dur_ms: 0.02 },
    { t_ms: 2000.5, kind: 'report', zone: 'Normal', order: 9, count: 7, kib: 14336 },
    { t_ms: 2001.125, kind: 'pass_end', zone: 'Normal' },
    { t_ms: 2002, kind: 'discard', kib: 2048 },
    { t_ms: 4000, kind: 'pass_start', zone: 'DMA32' },
  ]
  rec.appendEvents(events)
  return rec
}

describe('Perfetto trace', () => {
  it('parses back with counters, report instants, pass slices and metadata', async () => {
    const rec = run()
    const trace = JSON.parse(await perfettoTrace(rec, { name: 'drain', seed: 7 })) as { traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: { seed: number } }
    expect(trace.displayTimeUnit).toBe('ms')
    expect(trace.otherData.seed).toBe(7)
    const ev = trace.traceEvents
    expect(ev.find((e) => e.ph === 'M' && e.name === 'process_name')?.args.name).toBe('drain (seed 7)')
    expect(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args.name)).toEqual(Object.values(TRACE_THREADS).map((t) => t.name))

    // One counter track per metric; a value only when it changes.
    const free = ev.filter((e) => e.ph === 'C' && e.name === 'free_kib')
    expect(free.map((e) => [e.ts, e.args.KiB])).toEqual([
      [0, 1000],
      [200200, 4000],
    ])
    expect(ev.filter((e) => e.ph === 'C' && e.name === 'report_calls').map((e) => e.ts)).toEqual([0, 100100, 200200, 300300])
    const counterNames = new Set(ev.filter((e) => e.ph === 'C').map((e) => e.name))
    expect([...counterNames].every((n) => SAMPLE_COLUMNS.includes(n as never) && n !== 't_ms')).toBe(true)
    expect(counterNames.size).toBe(NR_SAMPLE_COLUMNS - 1) // every column has a first value (0s included)

    const reports = ev.filter((e) => e.ph === 'i' && e.name === 'report')
    expect(reports.map((e) => [e.ts, e.tid, e.s, e.args.count])).toEqual([
      [2000250, TRACE_THREADS.reports.tid, 't', 32],
      [2000500, TRACE_THREADS.reports.tid, 't', 7],
    ])
    expect(reports[0].args).toEqual({ zone: 'Normal', order: 9, count: 32, kib: 65536, dur_ms: 0.02 })

    const slices = ev.filter((e) => e.ph === 'X')
    expect(slices.map((e) => [e.name, e.ts, e.dur, e.tid, e.args.zone, e.args.unfinished])).toEqual([
      ['page_reporting pass', 2000000, 1125, TRACE_THREADS.passes.tid, 'Normal', undefined],
      ['page_reporting pass', 4000000, 0, TRACE_THREADS.passes.tid, 'DMA32', 1],
    ])
    expect(ev.find((e) => e.name === 'discard')?.tid).toBe(TRACE_THREADS.host.tid)
    rec.close()
  })

  it('writes the same text to a file; a cancelled export leaves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prlab-trace-'))
    const rec = run()
    const path = join(dir, 'run.json')
    await writePerfettoTrace(rec, path, { name: 'drain', seed: 1 })
    expect(readFileSync(path, 'utf8')).toBe(await perfettoTrace(rec, { name: 'drain', seed: 1 }))
    const controller = new AbortController()
    controller.abort()
    await expect(writePerfettoTrace(rec, join(dir, 'no.json'), { name: 'x', seed: 1 }, { signal: controller.signal })).rejects.toThrow()
    expect(existsSync(join(dir, 'no.json'))).toBe(false)
    rec.close()
    rmSync(dir, { recursive: true, force: true })
  })
})
