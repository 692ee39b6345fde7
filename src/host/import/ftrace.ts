// ftrace text of the kmem page events (kernel-spec §4.6) converted to a replayable workload.
// Reads the tracefs `trace` file layout (5.10: 4-column flags, decimal pfn; 6.x: 5-column flags,
// hex pfn) and `trace-cmd report` output (its header, no flags column, and raw
// `[FAILED TO PARSE]` fields). What the trace's workload did is mm_page_alloc (end of
// __alloc_pages()) and mm_page_free (free_pages_prepare()); mm_page_alloc_zone_locked and
// mm_page_pcpu_drain are the allocator's own work, which the simulated allocator redoes, so they
// are counted, not replayed.
import {
  FTRACE_KMEM_EVENTS,
  REPLAY_ALLOC,
  REPLAY_FREE,
  type FtraceReplay,
  type FtraceStats,
} from '../../common/imports'
import { ImportError, ProblemLog, looksBinary } from './problems'

// comm-pid, optional (tgid), [cpu], optional flags column, secs.frac: event: fields
const TRACE_LINE = /^\s*(.+?)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d{1,4})\]\s+(?:([A-Za-z0-9.]{4,5})\s+)?(\d+)\.(\d{1,9}):\s+(\w+):\s*(.*)$/
const TRACE_CMD_HEADER = [/^version = \d+/, /^CPU \d+ is empty/, /^cpus=\d+/, /^CPU\d+ data recorded at offset=/, /^\s+\d+ bytes in size/, /^trace-cmd: /]
const LOST_EVENTS = /^CPU:(\d+) \[LOST (\d+) EVENTS\]/
const FIELD = /(\w+)=(\S*)/g
/** Problems noted in full per category; the stats count them all. */
const NOTES_PER_CATEGORY = 20
const MAX_ORDER = 10

interface Live {
  readonly op: number
  readonly order: number
  /** Pages of the block not yet freed (split_page() blocks are freed a page at a time). */
  remaining: number
}

class Columns {
  length = 0
  t_ns = new Float64Array(1024)
  op = new Uint8Array(1024)
  pfn = new Float64Array(1024)
  order = new Uint8Array(1024)
  migratetype = new Int8Array(1024)
  cpu = new Uint16Array(1024)
  ref = new Int32Array(1024)
  offset = new Uint32Array(1024)
  line = new Uint32Array(1024)

  push(t_ns: number, op: number, pfn: number, order: number, mt: number, cpu: number, ref: number, offset: number, line: number): number {
    if (this.length === this.t_ns.length) this.grow()
    const i = this.length++
    this.t_ns[i] = t_ns
    this.op[i] = op
    this.pfn[i] = pfn
    this.order[i] = order
    this.migratetype[i] = mt
    this.cpu[i] = cpu
    this.ref[i] = ref
    this.offset[i] = offset
    this.line[i] = line
    return i
  }

  private grow(): void {
    const n = this.t_ns.length * 2
    const grown = <T extends Float64Array | Uint8Array | Int8Array | Uint16Array | Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n)
      b.set(a)
      return b
    }
    this.t_ns = grown(this.t_ns, (k) => new Float64Array(k))
    this.op = grown(this.op, (k) => new Uint8Array(k))
    this.pfn = grown(this.pfn, (k) => new Float64Array(k))
    this.order = grown(this.order, (k) => new Uint8Array(k))
    this.migratetype = grown(this.migratetype, (k) => new Int8Array(k))
    this.cpu = grown(this.cpu, (k) => new Uint16Array(k))
    this.ref = grown(this.ref, (k) => new Int32Array(k))
    this.offset = grown(this.offset, (k) => new Uint32Array(k))
    this.line = grown(this.line, (k) => new Uint32Array(k))
  }
}

/** Parses a pfn field: `0x...` (6.x) or decimal (5.10, and trace-cmd's raw fields). */
function parsePfn(text: string): { pfn: number; hex: boolean } | null {
  if (/^0x[0-9a-f]+$/i.test(text)) return { pfn: parseInt(text.slice(2), 16), hex: true }
  if (/^\d+$/.test(text)) return { pfn: Number(text), hex: false }
  return null
}

export class FtraceParser {
  private readonly log: ProblemLog
  private readonly cols = new Columns()
  private readonly live = new Map<number, Live>()
  /** Pages freed by mm_page_free since their last allocation: a later mm_page_free_batched repeats them. */
  private readonly freedByFree = new Set<number>()
  private readonly events: Record<string, number> = {}
  private readonly notes: Record<string, number> = {}
  private sec0 = -1
  private frac0_ns = 0
  private start_ts = ''
  private last_t_ns = 0
  private maxCpu = -1
  private pfnFormat: FtraceStats['pfnFormat'] = 'none'
  private traceCmdHeader = false
  private allocs = 0
  private frees = 0
  private failedAllocs = 0
  private freesOfUnknownPfn = 0
  private batchedDuplicates = 0
  private allocsOfLivePfn = 0
  private internalEvents = 0
  private otherEvents = 0

  constructor(readonly fileName: string) {
    this.log = new ProblemLog(fileName, 'ftrace event line')
  }

  line(t: string, line: number): void {
    if (t.trim() === '' || t.trimStart().startsWith('#')) return
    if (looksBinary(t)) return this.log.bad(line, 'binary data (a trace.dat file? convert it with `trace-cmd report`)')
    if (TRACE_CMD_HEADER.some((re) => re.test(t))) {
      this.traceCmdHeader = true
      return
    }
    const lost = LOST_EVENTS.exec(t)
    if (lost !== null) return this.category('lost', line, `cpu ${lost[1]} lost ${lost[2]} events: the trace is incomplete there`)
    const m = TRACE_LINE.exec(t)
    if (m === null) return this.log.bad(line, 'expected an ftrace event line "<task>-<pid> [<cpu>] <flags> <secs>.<usecs>: <event>: <fields>"')
    this.log.good()
    const event = m[7]
    this.events[event] = (this.events[event] ?? 0) + 1
    const cpu = Number(m[3])
    const kmem = (FTRACE_KMEM_EVENTS as readonly string[]).includes(event)
    if (!kmem) {
      this.otherEvents++
      return this.category(`other:${event}`, line, `event ${event} is not a kmem page event; not replayed`)
    }
    if (event === 'mm_page_alloc_zone_locked' || event === 'mm_page_pcpu_drain') {
      this.internalEvents++
      return
    }
    const fields: Record<string, string> = {}
    for (const f of m[8].matchAll(FIELD)) fields[f[1]] = f[2]
    const pfn = fields.pfn === undefined ? null : parsePfn(fields.pfn)
    if (pfn === null) return this.category('badfield', line, `${event}: missing or unreadable pfn field`)
    const format = pfn.hex ? 'hex' : 'decimal'
    if (this.pfnFormat === 'none') this.pfnFormat = format
    else if (this.pfnFormat !== format && !m[8].includes('[FAILED TO PARSE]')) this.category('mixed', line, `pfn printed ${format} after ${this.pfnFormat} lines: traces of two kernels mixed?`)
    const order = event === 'mm_page_free_batched' ? 0 : Number(fields.order)
    if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER) return this.category('badfield', line, `${event}: order ${fields.order ?? '(missing)'} is not 0..${MAX_ORDER}`)
    const t_ns = this.time(m[5], m[6], line)
    this.maxCpu = Math.max(this.maxCpu, cpu)
    if (event === 'mm_page_alloc') {
      if (pfn.pfn === 0) {
        this.failedAllocs++
        return
      }
      const mt = Number(fields.migratetype)
      if (!Number.isInteger(mt) || mt < 0 || mt > 5) return this.category('badfield', line, `mm_page_alloc: migratetype ${fields.migratetype ?? '(missing)'} is not 0..5`)
      this.alloc(t_ns, pfn.pfn, order, mt, cpu, line)
    } else {
      this.free(t_ns, pfn.pfn, order, cpu, line, event === 'mm_page_free_batched')
    }
  }

  /** Event time in ns after the first replayed event, exact for traces shorter than 104 days. */
  private time(secs: string, frac: string, line: number): number {
    const sec = Number(secs)
    const frac_ns = Number(frac.padEnd(9, '0'))
    if (this.sec0 < 0) {
      this.sec0 = sec
      this.frac0_ns = frac_ns
      this.start_ts = `${secs}.${frac}`
    }
    const t = (sec - this.sec0) * 1e9 + (frac_ns - this.frac0_ns)
    if (t < this.last_t_ns) {
      this.category('time', line, 'timestamp earlier than the previous event; replayed at the previous event\'s time')
      return this.last_t_ns
    }
    this.last_t_ns = t
    return t
  }

  /** The live allocation containing `pfn`: blocks are naturally aligned, so its head is pfn rounded down to some order. */
  private containing(pfn: number): { head: number; live: Live } | null {
    for (let o = 0; o <= MAX_ORDER; o++) {
      const head = pfn - (pfn % 2 ** o)
      const live = this.live.get(head)
      if (live !== undefined && pfn < head + 2 ** live.order) return { head, live }
    }
    return null
  }

  private alloc(t_ns: number, pfn: number, order: number, mt: number, cpu: number, line: number): void {
    const old = this.containing(pfn)
    if (old !== null) {
      this.allocsOfLivePfn++
      this.live.delete(old.head)
      this.category('live', line, `pfn ${pfn} allocated again without a traced free; the earlier block stays allocated in the replay`)
    }
    const op = this.cols.push(t_ns, REPLAY_ALLOC, pfn, order, mt, cpu, -1, 0, line)
    this.live.set(pfn, { op, order, remaining: 2 ** order })
    for (let p = pfn; p < pfn + 2 ** order; p++) this.freedByFree.delete(p)
    this.allocs++
  }

  private free(t_ns: number, pfn: number, order: number, cpu: number, line: number, batched: boolean): void {
    const found = this.containing(pfn)
    if (found === null) {
      if (batched && this.freedByFree.has(pfn)) {
        this.freedByFree.delete(pfn)
        this.batchedDuplicates++
        return
      }
      this.freesOfUnknownPfn++
      return this.category('unknown', line, `free of pfn ${pfn} the trace never allocated (allocated before tracing began?); skipped`)
    }
    const { head, live } = found
    const offset = pfn - head
    if (offset % 2 ** order !== 0 || offset + 2 ** order > 2 ** live.order) {
      return this.category('order', line, `free of order ${order} at pfn ${pfn} does not fit the order-${live.order} block allocated at pfn ${head} (line ${this.cols.line[live.op]}); skipped`)
    }
    this.cols.push(t_ns, REPLAY_FREE, pfn, order, -1, cpu, live.op, offset, line)
    this.frees++
    live.remaining -= 2 ** order
    if (live.remaining <= 0) this.live.delete(head)
    if (!batched) for (let p = pfn; p < pfn + 2 ** order; p++) this.freedByFree.add(p)
  }

  /** Counts a problem of one kind and notes its first few occurrences. */
  private category(kind: string, line: number, message: string): void {
    const seen = (this.notes[kind] = (this.notes[kind] ?? 0) + 1)
    if (seen <= NOTES_PER_CATEGORY) this.log.note(line, message)
    else this.log.problemCount++
  }

  result(lines: number): FtraceReplay {
    this.log.finish()
    const c = this.cols
    if (c.length === 0) {
      throw new ImportError(this.fileName, 'no mm_page_alloc or mm_page_free event to replay (enable events/kmem/mm_page_alloc and mm_page_free)', this.log.problems)
    }
    const n = c.length
    return {
      kind: 'ftrace',
      fileName: this.fileName,
      lines,
      problems: this.log.problems,
      problemCount: this.log.problemCount,
      count: n,
      t_ns: c.t_ns.slice(0, n),
      op: c.op.slice(0, n),
      pfn: c.pfn.slice(0, n),
      order: c.order.slice(0, n),
      migratetype: c.migratetype.slice(0, n),
      cpu: c.cpu.slice(0, n),
      ref: c.ref.slice(0, n),
      offset: c.offset.slice(0, n),
      line: c.line.slice(0, n),
      start_ts: this.start_ts,
      stats: {
        events: { ...this.events },
        allocs: this.allocs,
        frees: this.frees,
        failedAllocs: this.failedAllocs,
        freesOfUnknownPfn: this.freesOfUnknownPfn,
        batchedDuplicates: this.batchedDuplicates,
        allocsOfLivePfn: this.allocsOfLivePfn,
        liveAtEnd: this.live.size,
        internalEvents: this.internalEvents,
        otherEvents: this.otherEvents,
        cpus: this.maxCpu + 1,
        pfnFormat: this.pfnFormat,
        traceCmdHeader: this.traceCmdHeader,
      },
    }
  }
}
