// /proc/buddyinfo importer (kernel-spec §4.1, frag_show_print()): one snapshot, or a series with
// a timestamp line before each snapshot (`while sleep 1; do date +%s.%N; cat /proc/buddyinfo; done`).
// Without timestamps a snapshot ends where a zone repeats and snapshots are intervalMs apart.
import type { BuddyinfoSeries, ImportOptions } from '../../common/imports'
import { ImportError, ProblemLog, looksBinary, parseTimestampLine } from './problems'

// "Node %d, zone %8s " then "%6lu " per order.
const ZONE_LINE = /^Node\s+(\d+),\s*zone\s+(\S+)((?:\s+\d+)+)\s*$/

interface Pending {
  readonly line: number
  readonly unix_ms: number | null
  readonly rows: Map<string, number[]>
}

export class BuddyinfoParser {
  private readonly log: ProblemLog
  private readonly intervalMs: number
  private readonly zoneKeys: string[] = []
  private readonly zoneNodes: number[] = []
  private readonly zoneNames: string[] = []
  private orders = 0
  private timestamped: boolean | null = null
  private nextTime: { unix_ms: number; line: number } | null = null
  private current: Pending | null = null
  private firstComplete = false
  private readonly t_ms: number[] = []
  private readonly nr_free: number[][][] = []
  private start_unix_ms: number | null = null
  private lastUnix = -Infinity

  constructor(
    readonly fileName: string,
    options: ImportOptions = {},
  ) {
    this.log = new ProblemLog(fileName, '/proc/buddyinfo line')
    this.intervalMs = options.intervalMs ?? 1000
  }

  line(t: string, line: number): void {
    if (t.trim() === '' || t.trimStart().startsWith('#')) return
    if (looksBinary(t)) return this.log.bad(line, 'binary data')
    const unix_ms = parseTimestampLine(t)
    if (unix_ms !== null) {
      this.close()
      if (this.nextTime !== null) this.log.note(this.nextTime.line, 'timestamp not followed by a snapshot')
      this.nextTime = { unix_ms, line }
      return
    }
    const m = ZONE_LINE.exec(t)
    if (m === null) return this.log.bad(line, 'expected "Node <n>, zone <name>" followed by one free-block count per order')
    const counts = m[3].trim().split(/\s+/).map(Number)
    if (this.orders === 0) this.orders = counts.length
    if (counts.length !== this.orders) {
      return this.log.bad(line, `expected ${this.orders} counts (orders 0..${this.orders - 1}) as on the first line, found ${counts.length}`)
    }
    if (counts.some((c) => !Number.isSafeInteger(c))) return this.log.bad(line, 'count too large')
    this.log.good()
    const node = Number(m[1])
    const key = `${node}:${m[2]}`
    if (this.current !== null && this.current.rows.has(key)) this.close()
    if (this.current === null) {
      this.current = { line, unix_ms: this.nextTime?.unix_ms ?? null, rows: new Map() }
      this.nextTime = null
    }
    this.current.rows.set(key, counts)
    if (!this.firstComplete && !this.zoneKeys.includes(key)) {
      this.zoneKeys.push(key)
      this.zoneNodes.push(node)
      this.zoneNames.push(m[2])
    }
  }

  /** Ends the snapshot being read: keeps it if complete and in time order, else notes why not. */
  private close(): void {
    const s = this.current
    if (s === null) return
    this.current = null
    this.firstComplete = true
    if (this.timestamped === null) this.timestamped = s.unix_ms !== null
    const missing = this.zoneKeys.filter((k) => !s.rows.has(k))
    const extra = [...s.rows.keys()].filter((k) => !this.zoneKeys.includes(k))
    if (missing.length > 0 || extra.length > 0) {
      const what = missing.length > 0 ? `lacks zone(s) ${missing.join(', ')}` : `has zone(s) ${extra.join(', ')} the first snapshot did not`
      return this.log.note(s.line, `snapshot ${what}; dropped`)
    }
    if (this.timestamped) {
      if (s.unix_ms === null) return this.log.note(s.line, 'snapshot without a timestamp line before it; dropped')
      if (s.unix_ms < this.lastUnix) return this.log.note(s.line, 'timestamp earlier than the previous snapshot; dropped')
      this.start_unix_ms ??= s.unix_ms
      this.lastUnix = s.unix_ms
      this.t_ms.push(s.unix_ms - this.start_unix_ms)
    } else {
      if (s.unix_ms !== null) this.log.note(s.line, 'timestamp ignored: the first snapshot had none')
      this.t_ms.push(this.t_ms.length * this.intervalMs)
    }
    this.nr_free.push(this.zoneKeys.map((k) => s.rows.get(k) as number[]))
  }

  result(lines: number): BuddyinfoSeries {
    this.close()
    if (this.nextTime !== null) this.log.note(this.nextTime.line, 'timestamp not followed by a snapshot')
    this.log.finish()
    if (this.nr_free.length === 0) throw new ImportError(this.fileName, 'no complete snapshot (every snapshot was dropped)', this.log.problems)
    const multiNode = new Set(this.zoneNodes).size > 1
    return {
      kind: 'buddyinfo',
      fileName: this.fileName,
      lines,
      problems: this.log.problems,
      problemCount: this.log.problemCount,
      zones: this.zoneNames.map((z, i) => (multiNode ? `${this.zoneNodes[i]}:${z}` : z)),
      nodes: this.zoneNodes,
      orders: this.orders,
      t_ms: this.t_ms,
      timestamped: this.timestamped === true,
      start_unix_ms: this.start_unix_ms,
      nr_free: this.nr_free,
    }
  }
}
