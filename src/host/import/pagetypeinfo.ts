// /proc/pagetypeinfo importer (kernel-spec §4.2: pagetypeinfo_show(), pagetypeinfo_showfree_print(),
// pagetypeinfo_showblockcount_print()). One snapshot or a timestamped series like buddyinfo.ts.
import type { ImportOptions, PagetypeinfoBlockRow, PagetypeinfoFreeRow, PagetypeinfoSeries, PagetypeinfoSnapshot } from '../../common/imports'
import { ImportError, ProblemLog, looksBinary, parseTimestampLine } from './problems'

const PAGEBLOCK_ORDER = /^Page block order:\s*(\d+)\s*$/
const PAGES_PER_BLOCK = /^Pages per block:\s*(\d+)\s*$/
const FREE_HEADER = /^Free pages count per migrate type at order((?:\s+\d+)+)\s*$/
// "Node %4d, zone %8s, type %12s " then "%s%6lu " per order; %s is ">" when the walk stopped at 100000.
const FREE_ROW = /^Node\s+(\d+),\s*zone\s+(\S+),\s*type\s+(\S+)((?:\s+>?\d+)+)\s*$/
// "%-23s" "Number of blocks type " (pagetypeinfo_showblockcount) or "Number of mixed blocks " (pagetypeinfo_showmixedcount).
const BLOCK_HEADER = /^Number of (blocks type|mixed blocks)((?:\s+\S+)+)\s*$/
// "Node %d, zone %8s " then "%12lu " per type.
const BLOCK_ROW = /^Node\s+(\d+),\s*zone\s+(\S+)((?:\s+\d+)+)\s*$/

interface Pending {
  readonly line: number
  readonly unix_ms: number | null
  free: PagetypeinfoFreeRow[]
  blocks: PagetypeinfoBlockRow[]
  mixedBlocks: PagetypeinfoBlockRow[]
}

export class PagetypeinfoParser {
  private readonly log: ProblemLog
  private readonly intervalMs: number
  private pageblockOrder: number | null = null
  private pagesPerBlock: number | null = null
  private orders = 0
  private blockTypes: string[] = []
  private section: 'free' | 'blocks' | 'mixed' | null = null
  private nextTime: { unix_ms: number; line: number } | null = null
  private current: Pending | null = null
  private timestamped: boolean | null = null
  private start_unix_ms: number | null = null
  private lastUnix = -Infinity
  private readonly t_ms: number[] = []
  private readonly snapshots: PagetypeinfoSnapshot[] = []

  constructor(
    readonly fileName: string,
    options: ImportOptions = {},
  ) {
    this.log = new ProblemLog(fileName, '/proc/pagetypeinfo line')
    this.intervalMs = options.intervalMs ?? 1000
  }

  line(t: string, line: number): void {
    if (t.trim() === '' || t.trimStart().startsWith('#')) return
    if (looksBinary(t)) return this.log.bad(line, 'binary data')
    const unix_ms = parseTimestampLine(t)
    if (unix_ms !== null) {
      this.close()
      this.nextTime = { unix_ms, line }
      return
    }
    let m: RegExpExecArray | null
    if ((m = PAGEBLOCK_ORDER.exec(t)) !== null) {
      this.close()
      this.header('pageblockOrder', Number(m[1]), line)
      return this.log.good()
    }
    if ((m = PAGES_PER_BLOCK.exec(t)) !== null) {
      this.header('pagesPerBlock', Number(m[1]), line)
      return this.log.good()
    }
    if ((m = FREE_HEADER.exec(t)) !== null) {
      const orders = m[1].trim().split(/\s+/).map(Number)
      if (orders.some((o, i) => o !== i)) return this.log.bad(line, 'orders in the header must count up from 0')
      if (this.orders !== 0 && orders.length !== this.orders) return this.log.bad(line, `header has ${orders.length} orders, the first had ${this.orders}`)
      if (this.current !== null && this.current.free.length > 0) this.close()
      this.orders = orders.length
      this.section = 'free'
      return this.log.good()
    }
    if ((m = BLOCK_HEADER.exec(t)) !== null) {
      const types = m[2].trim().split(/\s+/)
      if (this.blockTypes.length > 0 && types.join(' ') !== this.blockTypes.join(' ')) {
        return this.log.bad(line, `block types ${types.join(', ')} differ from the first header's ${this.blockTypes.join(', ')}`)
      }
      this.blockTypes = types
      this.section = m[1] === 'blocks type' ? 'blocks' : 'mixed'
      return this.log.good()
    }
    if ((m = FREE_ROW.exec(t)) !== null) {
      if (this.section !== 'free') return this.log.bad(line, 'free-count row outside the "Free pages count" section')
      const tokens = m[4].trim().split(/\s+/)
      if (tokens.length !== this.orders) return this.log.bad(line, `expected ${this.orders} counts (orders 0..${this.orders - 1}), found ${tokens.length}`)
      this.log.good()
      this.pending(line).free.push({
        node: Number(m[1]),
        zone: m[2].replace(/,$/, ''),
        type: m[3],
        nr_free: tokens.map((s) => Number(s.replace('>', ''))),
        capped: tokens.map((s) => s.startsWith('>')),
      })
      return
    }
    if ((m = BLOCK_ROW.exec(t)) !== null) {
      if (this.section !== 'blocks' && this.section !== 'mixed') return this.log.bad(line, 'block-count row outside a "Number of blocks type" section')
      const blocks = m[3].trim().split(/\s+/).map(Number)
      if (blocks.length !== this.blockTypes.length) return this.log.bad(line, `expected ${this.blockTypes.length} block counts (${this.blockTypes.join(', ')}), found ${blocks.length}`)
      this.log.good()
      const row = { node: Number(m[1]), zone: m[2], blocks }
      const s = this.pending(line)
      if (this.section === 'blocks') s.blocks.push(row)
      else s.mixedBlocks.push(row)
      return
    }
    this.log.bad(line, 'not a /proc/pagetypeinfo line (header, "Node <n>, zone <name>, type <type>" row or block-count row)')
  }

  private header(field: 'pageblockOrder' | 'pagesPerBlock', value: number, line: number): void {
    const old = this[field]
    if (old !== null && old !== value) this.log.note(line, `${field} ${value} differs from the first snapshot's ${old}; keeping ${old}`)
    else this[field] = value
  }

  private pending(line: number): Pending {
    if (this.current === null) {
      this.current = { line, unix_ms: this.nextTime?.unix_ms ?? null, free: [], blocks: [], mixedBlocks: [] }
      this.nextTime = null
    }
    return this.current
  }

  private close(): void {
    const s = this.current
    this.section = null
    if (s === null) return
    this.current = null
    if (this.timestamped === null) this.timestamped = s.unix_ms !== null
    if (this.timestamped) {
      if (s.unix_ms === null) return this.log.note(s.line, 'snapshot without a timestamp line before it; dropped')
      if (s.unix_ms < this.lastUnix) return this.log.note(s.line, 'timestamp earlier than the previous snapshot; dropped')
      this.start_unix_ms ??= s.unix_ms
      this.lastUnix = s.unix_ms
      this.t_ms.push(s.unix_ms - this.start_unix_ms)
    } else {
      this.t_ms.push(this.snapshots.length * this.intervalMs)
    }
    this.snapshots.push({ free: s.free, blocks: s.blocks, mixedBlocks: s.mixedBlocks })
  }

  result(lines: number): PagetypeinfoSeries {
    this.close()
    this.log.finish()
    if (this.snapshots.length === 0) throw new ImportError(this.fileName, 'no free-count or block-count rows found', this.log.problems)
    return {
      kind: 'pagetypeinfo',
      fileName: this.fileName,
      lines,
      problems: this.log.problems,
      problemCount: this.log.problemCount,
      pageblockOrder: this.pageblockOrder,
      pagesPerBlock: this.pagesPerBlock,
      orders: this.orders,
      blockTypes: this.blockTypes,
      t_ms: this.t_ms,
      timestamped: this.timestamped === true,
      start_unix_ms: this.start_unix_ms,
      snapshots: this.snapshots,
    }
  }
}
