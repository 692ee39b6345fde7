// The lines guest/prlab-guest.c writes to its virtio-serial port (the protocol is described at the
// top of that file), collected as they arrive. The host stamps each line with its own clock on
// arrival; guest times are CLOCK_MONOTONIC of the guest. The offset between the two clocks is the
// lower envelope of (arrival - guest time): a line cannot arrive before it was written.

export const BUDDY_ORDERS = 11 // MAX_ORDER on x86_64 (orders 0..10)

export interface BuddyRow { guest_ms: number; zone: string; nr_free: number[] }
export interface VmstatRow { guest_ms: number; values: Map<string, number> }
export interface PcpRow { guest_ms: number; zone: string; free_pages: number; pcp: (number | null)[] }
export interface EventRow { guest_ms: number; event: string }
export interface ReportRow { guest_ms: number; cpu: number; nents: number; len0_bytes: number }

export class GuestProtocolError extends Error {}

// A kprobe hit as tracefs prints it (trace_clock=mono):
//   kworker/1:1-45  [001] d..1.  5.359463: report: (virtballoon_free_page_report+0x0/0x90 [virtio_balloon]) nents=0x20 len0=4194304
const REPORT_LINE = /\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+):\s+report:.*\bnents=(0x[0-9a-fA-F]+|\d+)\s+len0=(\d+)/

/** A tracefs kprobe line of gt/report, or null when the line is another event. */
export function parseReportLine(line: string): ReportRow | null {
  const m = REPORT_LINE.exec(line)
  if (!m) return null
  // tracefs prints µs: keep exactly that many digits
  return { cpu: Number(m[1]), guest_ms: Math.round(Number(m[2]) * 1e6) / 1e3, nents: Number(m[3]), len0_bytes: Number(m[4]) }
}

const num = (text: string, what: string): number => {
  const v = Number(text)
  if (text === '' || !Number.isFinite(v)) throw new GuestProtocolError(`${what}: not a number: "${text}"`)
  return v
}

export class GuestStream {
  readonly meta = new Map<string, string>()
  readonly buddy: BuddyRow[] = []
  readonly vmstat: VmstatRow[] = []
  readonly pcp: PcpRow[] = []
  readonly events: EventRow[] = []
  readonly reports: ReportRow[] = []
  /** Every trace_pipe line in order (kprobe hits and, with --trace-kmem, the kmem events). */
  readonly traceLines: string[] = []
  readonly dumps = new Map<string, string[]>()
  /** (host arrival ms, guest ms) of every line sent as soon as it was made: for the clock offset. */
  readonly clock: { host_ms: number; guest_ms: number }[] = []
  lines = 0
  badLines: { line: string; message: string }[] = []
  done = false
  private dumpName: string | null = null

  /** One line from the port, stamped with the host's clock on arrival. */
  push(host_ms: number, line: string): void {
    this.lines++
    try {
      this.parse(host_ms, line)
    } catch (e) {
      if (!(e instanceof GuestProtocolError)) throw e
      if (this.badLines.length < 100) this.badLines.push({ line, message: e.message })
    }
  }

  private parse(host_ms: number, line: string): void {
    const kind = line.slice(0, 2)
    const rest = line.slice(2)
    if (this.dumpName !== null) {
      if (kind === '| ') return void this.dumps.get(this.dumpName)?.push(rest)
      if (line === 'D end') return void (this.dumpName = null)
    }
    const stamp = (guest_ms: number): number => {
      this.clock.push({ host_ms, guest_ms })
      return guest_ms
    }
    const fields = rest.trim().split(/\s+/)
    switch (kind) {
      case 'M ': {
        const sp = rest.indexOf(' ')
        this.meta.set(sp < 0 ? rest : rest.slice(0, sp), sp < 0 ? '' : rest.slice(sp + 1))
        return
      }
      case 'B ': {
        if (fields.length !== 2 + BUDDY_ORDERS) throw new GuestProtocolError(`buddyinfo: expected ${BUDDY_ORDERS} orders`)
        const guest_ms = stamp(num(fields[0], 'buddyinfo time'))
        this.buddy.push({ guest_ms, zone: fields[1], nr_free: fields.slice(2).map((f) => num(f, 'buddyinfo count')) })
        return
      }
      case 'V ': {
        const guest_ms = stamp(num(fields[0], 'vmstat time'))
        const values = new Map<string, number>()
        for (const kv of fields.slice(1)) {
          const eq = kv.indexOf('=')
          if (eq > 0) values.set(kv.slice(0, eq), num(kv.slice(eq + 1), kv.slice(0, eq)))
        }
        this.vmstat.push({ guest_ms, values })
        return
      }
      case 'P ': {
        if (fields.length < 3) throw new GuestProtocolError('zoneinfo: expected time, zone, free pages')
        const guest_ms = stamp(num(fields[0], 'zoneinfo time'))
        const pcp = fields.slice(3).map((f) => (f === '-' ? null : num(f, 'pcp count')))
        this.pcp.push({ guest_ms, zone: fields[1], free_pages: num(fields[2], 'pages free'), pcp })
        return
      }
      case 'E ': {
        const sp = rest.indexOf(' ')
        const guest_ms = stamp(num(sp < 0 ? rest : rest.slice(0, sp), 'event time'))
        this.events.push({ guest_ms, event: sp < 0 ? '' : rest.slice(sp + 1) })
        return
      }
      case 'T ': {
        // trace_pipe lines reach the port up to a poll period late: not used for the clock offset
        this.traceLines.push(rest)
        const report = parseReportLine(rest)
        if (report) this.reports.push(report)
        return
      }
      case 'D ':
        this.dumpName = rest
        this.dumps.set(rest, [])
        return
      case 'X ':
        stamp(num(fields[0], 'end time'))
        this.done = true
        return
      default:
        throw new GuestProtocolError('unknown line kind')
    }
  }

  /** The error the guest reported before exiting (an `E <ms> error ...` event), if any. */
  guestError(): string | null {
    const e = this.events.find((ev) => ev.event.startsWith('error '))
    return e ? e.event.slice(6) : null
  }
}

export interface ClockFit {
  /** host ms = guest ms + offset_ms */
  offset_ms: number
  offset_first10pct_ms: number
  offset_last10pct_ms: number
  span_s: number
  /** how much later than the envelope lines arrived (the port's and the host's latency) */
  transport_delay_median_ms: number
  transport_delay_p99_ms: number
}

/** Offset between the guest's and the host's clocks: the minimum of arrival - guest time. */
export function fitClock(points: readonly { host_ms: number; guest_ms: number }[]): ClockFit | null {
  if (points.length === 0) return null
  const diffs = points.map((p) => p.host_ms - p.guest_ms)
  const minOf = (a: number[]): number => a.reduce((m, v) => Math.min(m, v), Infinity)
  const tenth = Math.max(1, Math.floor(diffs.length / 10))
  const offset_ms = minOf(diffs)
  const delays = diffs.map((d) => d - offset_ms).sort((a, b) => a - b)
  const quantile = (q: number): number => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]
  return {
    offset_ms,
    offset_first10pct_ms: minOf(diffs.slice(0, tenth)),
    offset_last10pct_ms: minOf(diffs.slice(-tenth)),
    span_s: (points[points.length - 1].guest_ms - points[0].guest_ms) / 1000,
    transport_delay_median_ms: quantile(0.5),
    transport_delay_p99_ms: quantile(0.99),
  }
}
