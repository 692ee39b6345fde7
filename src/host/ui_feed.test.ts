import { afterEach, describe, expect, it } from 'vitest'
import { COL, NR_SAMPLE_COLUMNS } from '../common/samples'
import { Recorder } from './recorder'
import { PREVIEW_BUCKETS, RESYNC_FRAME_ROWS, UiFeed } from './ui_feed'

/** Rows with t_ms = the given times and free_kib = 10 * t_ms (so every row is told apart). */
function rowsAt(times: readonly number[]): Float64Array {
  const data = new Float64Array(times.length * NR_SAMPLE_COLUMNS)
  times.forEach((t, r) => {
    data[r * NR_SAMPLE_COLUMNS + COL.t_ms] = t
    data[r * NR_SAMPLE_COLUMNS + COL.free_kib] = 10 * t
  })
  return data
}

const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)

interface SentFrame {
  readonly rows: number
  readonly data: Float64Array
}

/** A UI that applies frames as LabEvents.frame says: a frame replaces rows from its first t_ms on. */
class FakeUi {
  readonly frames: SentFrame[] = []
  rows: Float64Array[] = []
  frame(runId: string, rows: number, data: Float64Array): void {
    expect(runId).toBe('run-1')
    this.frames.push({ rows, data })
    if (rows === 0) return
    const first_ms = data[COL.t_ms]
    this.rows = this.rows.filter((row) => row[COL.t_ms] < first_ms)
    for (let r = 0; r < rows; r++) this.rows.push(data.slice(r * NR_SAMPLE_COLUMNS, (r + 1) * NR_SAMPLE_COLUMNS))
  }
  table(): Float64Array {
    const out = new Float64Array(this.rows.length * NR_SAMPLE_COLUMNS)
    this.rows.forEach((row, r) => out.set(row, r * NR_SAMPLE_COLUMNS))
    return out
  }
  times(): number[] {
    return this.rows.map((row) => row[COL.t_ms])
  }
}

const recorders: Recorder[] = []
afterEach(() => recorders.splice(0).forEach((r) => r.close()))

function setup(duration_ms: number, interval_ms: number): { recorder: Recorder; ui: FakeUi; feed: UiFeed; record: (times: number[], preview: boolean) => Float64Array } {
  const recorder = new Recorder()
  recorders.push(recorder)
  const ui = new FakeUi()
  const feed = new UiFeed('run-1', recorder, ui, duration_ms, interval_ms)
  const record = (times: number[], preview: boolean): Float64Array => {
    const data = rowsAt(times)
    recorder.appendRows(data, times.length)
    feed.recorded(data, times.length, preview)
    return data
  }
  return { recorder, ui, feed, record }
}

/** Every recorder row, exactly, as the UI must end up holding them. */
const recorderRows = (recorder: Recorder): Float64Array => recorder.readRows(0, recorder.rowCount)

/** Row count and the first value where two row-major tables differ (-1: none); fast on 36,000 rows. */
function difference(got: Float64Array, want: Float64Array): { rows: number; firstDiff: number } {
  let firstDiff = got.length === want.length ? -1 : Math.min(got.length, want.length)
  for (let i = 0; i < Math.min(got.length, want.length) && firstDiff === -1; i++) if (got[i] !== want[i]) firstDiff = i
  return { rows: got.length / NR_SAMPLE_COLUMNS, firstDiff }
}

const exactly = (recorder: Recorder): { rows: number; firstDiff: number } => ({ rows: recorder.rowCount, firstDiff: -1 })

describe('UiFeed', () => {
  it('previews the first row of each time bucket and the last row of each frame (hand-computed)', () => {
    // 10 s run sampled every 1 ms: buckets of 10_000 / 2000 = 5 ms
    const { ui, record } = setup(10_000, 1)
    record(range(0, 11), true)
    expect(ui.times()).toEqual([0, 5, 10, 11])
    record(range(12, 14), true)
    expect(ui.times()).toEqual([0, 5, 10, 11, 14])
    record(range(15, 21), true)
    expect(ui.times()).toEqual([0, 5, 10, 11, 14, 15, 20, 21])
  })

  it('never buckets finer than the sample interval: a short run is previewed row by row', () => {
    const { ui, record } = setup(1000, 100)
    record(range(0, 1000, 100), true)
    expect(ui.times()).toEqual(range(0, 1000, 100))
  })

  it('a flat-out hour sends a subset of the rows, in order, at most one per bucket plus one per frame; the end makes the UI exact', () => {
    const { recorder, ui, feed, record } = setup(3_600_000, 100)
    const frames = 90
    const perFrame = 400 // 36,000 rows, t = 0 .. 3_599_900
    for (let f = 0; f < frames; f++) record(range(f * perFrame * 100, ((f + 1) * perFrame - 1) * 100, 100), true)
    const previewed = ui.times()
    expect(previewed.length).toBeLessThanOrEqual(PREVIEW_BUCKETS + frames)
    expect(previewed.length).toBeLessThan(recorder.rowCount / 10)
    expect(previewed.every((t, i) => i === 0 || t > previewed[i - 1])).toBe(true)
    expect(previewed.every((t) => t % 100 === 0 && t < 3_600_000)).toBe(true)
    expect(feed.rowsInFull).toBe(0)
    feed.resync()
    expect(difference(ui.table(), recorderRows(recorder))).toEqual(exactly(recorder))
    expect(feed.rowsInFull).toBe(36_000)
  })

  it('outside flat out every frame goes through untouched, the very array, each row once', () => {
    const { recorder, ui, record } = setup(60_000, 100)
    const a = record(range(0, 900, 100), false)
    const b = record(range(1000, 1500, 100), false)
    expect(ui.frames.map((f) => f.data)).toEqual([a, b])
    expect(ui.frames[0].data).toBe(a)
    expect(ui.frames.reduce((n, f) => n + f.rows, 0)).toBe(recorder.rowCount)
  })

  it('preview, pause, paced, flat out again, end: the full frames cover every row exactly once, in order', () => {
    const { recorder, ui, feed, record } = setup(600_000, 10)
    const full: number[] = []
    const takeFull = (from: number): void => ui.frames.slice(from).forEach((f) => full.push(...Array.from(f.data.subarray(0, f.rows * NR_SAMPLE_COLUMNS))))
    record(range(0, 9_990, 10), true)
    record(range(10_000, 19_990, 10), true)
    let mark = ui.frames.length
    feed.resync() // pause
    takeFull(mark)
    mark = ui.frames.length
    record(range(20_000, 20_090, 10), false) // a frame in flight after the pause
    record(range(20_100, 29_990, 10), false) // resumed at a finite speed
    takeFull(mark)
    record(range(30_000, 49_990, 10), true) // flat out again
    record(range(50_000, 50_000, 10), true)
    mark = ui.frames.length
    feed.resync() // the end
    takeFull(mark)
    expect(difference(Float64Array.from(full), recorderRows(recorder))).toEqual(exactly(recorder))
    expect(difference(ui.table(), recorderRows(recorder))).toEqual(exactly(recorder))
    feed.resync()
    expect(ui.frames.length).toBe(mark + 1)
  })

  it('a paced frame after a preview first sends the rows the preview left out', () => {
    const { recorder, ui, record } = setup(60_000, 100)
    record(range(0, 5000, 100), true)
    record(range(5100, 5500, 100), false)
    const last = ui.frames[ui.frames.length - 1]
    expect(last.rows).toBe(recorder.rowCount)
    expect(difference(ui.table(), recorderRows(recorder))).toEqual(exactly(recorder))
  })

  it('resyncs a long run in frames of at most RESYNC_FRAME_ROWS rows', () => {
    const { recorder, ui, feed, record } = setup(100_000, 1)
    record(range(0, 40_000), true)
    const mark = ui.frames.length
    feed.resync()
    expect(ui.frames.slice(mark).map((f) => f.rows)).toEqual([RESYNC_FRAME_ROWS, 40_001 - RESYNC_FRAME_ROWS])
    expect(ui.times()).toEqual(range(0, 40_000))
    expect(recorder.rowCount).toBe(40_001)
  })
})
