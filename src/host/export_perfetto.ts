// A run as a Chrome JSON trace (the Trace Event Format), which ui.perfetto.dev and
// chrome://tracing open: one counter track per sample column, an instant event per report and
// per other event, a slice per reporting pass (pass_start .. pass_end), and metadata naming the
// process and threads. Timestamps are µs of simulated time, rounded to the ns. Layout in
// docs/trace-format.md.
import { NR_SAMPLE_COLUMNS, SAMPLE_COLUMNS } from '../common/samples'
import type { EventKind, SimEvent } from '../common/samples'
import { SAMPLE_COLUMN_INFO } from '../common/column_info'
import type { Recorder } from './recorder'
import { exportToFile, exportToString, yieldToEventLoop } from './export_sink'
import type { ExportOptions, TextWriter } from './export_sink'

export interface TraceMeta {
  readonly name: string
  readonly seed: number
}

export const TRACE_PID = 1

/** Threads of the trace: a track each in Perfetto. */
export const TRACE_THREADS = {
  passes: { tid: 1, name: 'page_reporting passes' },
  reports: { tid: 2, name: 'report() calls' },
  reporting: { tid: 3, name: 'page_reporting state' },
  host: { tid: 4, name: 'host discards and refaults' },
  workload: { tid: 5, name: 'workload phases' },
  allocator: { tid: 6, name: 'allocations and frees' },
  vm: { tid: 7, name: 'kswapd, direct reclaim and compaction' },
} as const

const THREAD_OF: Readonly<Record<EventKind, keyof typeof TRACE_THREADS>> = {
  register: 'reporting',
  unregister: 'reporting',
  state: 'reporting',
  pass_start: 'passes',
  pass_end: 'passes',
  zone_skipped: 'passes',
  report: 'reports',
  report_error: 'reports',
  discard: 'host',
  refault: 'host',
  phase: 'workload',
  order_change: 'reporting',
  alloc_failure: 'workload',
  alloc: 'allocator',
  free: 'allocator',
  kswapd: 'vm',
  direct_reclaim: 'vm',
  compaction: 'vm',
}

/** Events that stand for work over time, drawn as slices: kswapd and kcompactd report at their end, a direct stall at its start. */
const sliceStart_ms = (event: SimEvent): number | null => {
  if (event.dur_ms === undefined) return null
  if (event.kind === 'direct_reclaim' || (event.kind === 'compaction' && event.detail?.startsWith('direct') === true)) return event.t_ms
  if (event.kind === 'kswapd' || event.kind === 'compaction') return event.t_ms - event.dur_ms
  return null
}

const EVENTS_PER_WRITE = 2048

/** Simulated ms to trace µs, rounded to the ns so the text is the same on every machine. */
export const traceMicros = (t_ms: number): number => Math.round(t_ms * 1e6) / 1e3

/** Counter args key: Perfetto names the track "<name> <key>", e.g. "free_kib KiB". */
const counterKey = (column: string): string => SAMPLE_COLUMN_INFO[column as keyof typeof SAMPLE_COLUMN_INFO].unit

function eventArgs(event: SimEvent): Record<string, string | number> {
  const args: Record<string, string | number> = {}
  if (event.zone !== undefined) args.zone = event.zone
  if (event.order !== undefined) args.order = event.order
  if (event.pfn !== undefined) args.pfn = event.pfn
  if (event.count !== undefined) args.count = event.count
  if (event.kib !== undefined) args.kib = event.kib
  if (event.dur_ms !== undefined) args.dur_ms = event.dur_ms
  if (event.detail !== undefined) args.detail = event.detail
  return args
}

async function writeTrace(recorder: Recorder, meta: TraceMeta, write: TextWriter, options: ExportOptions): Promise<void> {
  options.signal?.throwIfAborted()
  const total = recorder.rowCount + recorder.eventCount
  let done = 0
  let first = true
  const emit = (lines: string[], entry: object): void => {
    lines.push(`${first ? '' : ',\n'}${JSON.stringify(entry)}`)
    first = false
  }
  const progress = async (count: number): Promise<void> => {
    done += count
    options.onProgress?.(done, total)
    await yieldToEventLoop()
    options.signal?.throwIfAborted()
  }

  const header: string[] = []
  await write('{"displayTimeUnit":"ms",\n"otherData":')
  await write(JSON.stringify({ name: meta.name, seed: meta.seed, generator: 'Page Reporting Lab' }))
  await write(',\n"traceEvents":[\n')
  emit(header, { name: 'process_name', ph: 'M', pid: TRACE_PID, tid: 0, args: { name: `${meta.name} (seed ${meta.seed})` } })
  for (const thread of Object.values(TRACE_THREADS)) {
    emit(header, { name: 'thread_name', ph: 'M', pid: TRACE_PID, tid: thread.tid, args: { name: thread.name } })
    emit(header, { name: 'thread_sort_index', ph: 'M', pid: TRACE_PID, tid: thread.tid, args: { sort_index: thread.tid } })
  }
  await write(header.join(''))

  // Counters hold their value until the next sample, so only changes are written (and the first row).
  // Counter lines are the bulk of a trace: built from per-column templates rather than JSON.stringify
  // (column names and units are plain ASCII; finite numbers print as valid JSON).
  const counterHead = SAMPLE_COLUMNS.map((column) => `{"name":${JSON.stringify(column)},"ph":"C","ts":`)
  const counterMid = SAMPLE_COLUMNS.map((column) => `,"pid":${TRACE_PID},"args":{${JSON.stringify(counterKey(column))}:`)
  const last = new Float64Array(NR_SAMPLE_COLUMNS).fill(Number.NaN)
  let lastTime = 0
  for (const chunk of recorder.chunks()) {
    const lines: string[] = []
    for (let r = 0; r < chunk.rows; r++) {
      const base = r * NR_SAMPLE_COLUMNS
      const ts = traceMicros(chunk.data[base])
      lastTime = chunk.data[base]
      for (let c = 1; c < NR_SAMPLE_COLUMNS; c++) {
        const value = chunk.data[base + c]
        if (value === last[c] || !Number.isFinite(value)) continue
        last[c] = value
        lines.push(`${first ? '' : ',\n'}${counterHead[c]}${ts}${counterMid[c]}${value}}}`)
        first = false
      }
    }
    await write(lines.join(''))
    await progress(chunk.rows)
  }

  const openPasses = new Map<string, SimEvent>()
  let lines: string[] = []
  let pending = 0
  for (const event of recorder.events()) {
    const tid = TRACE_THREADS[THREAD_OF[event.kind]].tid
    lastTime = Math.max(lastTime, event.t_ms)
    if (event.kind === 'pass_start') openPasses.set(event.zone ?? '', event)
    else if (event.kind === 'pass_end') {
      const start = openPasses.get(event.zone ?? '')
      openPasses.delete(event.zone ?? '')
      if (start !== undefined) {
        const ts = traceMicros(start.t_ms)
        emit(lines, { name: 'page_reporting pass', ph: 'X', ts, dur: traceMicros(event.t_ms - start.t_ms), pid: TRACE_PID, tid, args: eventArgs(start) })
      }
    } else {
      const start = sliceStart_ms(event)
      if (start !== null) emit(lines, { name: event.kind, ph: 'X', ts: traceMicros(start), dur: traceMicros(event.dur_ms ?? 0), pid: TRACE_PID, tid, args: eventArgs(event) })
      else emit(lines, { name: event.kind, ph: 'i', s: 't', ts: traceMicros(event.t_ms), pid: TRACE_PID, tid, args: eventArgs(event) })
    }
    if (++pending === EVENTS_PER_WRITE) {
      await write(lines.join(''))
      lines = []
      await progress(pending)
      pending = 0
    }
  }
  // A pass still running when the recording ends becomes a slice up to the last recorded time.
  for (const start of openPasses.values()) {
    const ts = traceMicros(start.t_ms)
    emit(lines, { name: 'page_reporting pass', ph: 'X', ts, dur: traceMicros(lastTime - start.t_ms), pid: TRACE_PID, tid: TRACE_THREADS.passes.tid, args: { ...eventArgs(start), unfinished: 1 } })
  }
  await write(lines.join(''))
  if (pending > 0) await progress(pending)
  await write('\n]}\n')
}

export function perfettoTrace(recorder: Recorder, meta: TraceMeta, options: ExportOptions = {}): Promise<string> {
  return exportToString((write) => writeTrace(recorder, meta, write, options))
}

export function writePerfettoTrace(recorder: Recorder, path: string, meta: TraceMeta, options: ExportOptions = {}): Promise<void> {
  return exportToFile(path, (write) => writeTrace(recorder, meta, write, options))
}
