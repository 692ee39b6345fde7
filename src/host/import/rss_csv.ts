// Measured host RSS as a CSV time series: a header naming a time column and an RSS column, one
// row per sample. HyperAlloc's artifact writes `time,rss,small,huge,cached,total` (time in s,
// rss in bytes, ~1.7 s apart); other harnesses write t_ms / rss_kib and the like. Column names
// decide the units unless the options say otherwise.
import { RSS_UNITS, type ImportOptions, type RssSeries, type RssUnit } from '../../common/imports'
import { ImportError, ProblemLog, looksBinary } from './problems'

const TIME_COLUMNS: Record<string, 'ms' | 's'> = {
  t_ms: 'ms',
  time_ms: 'ms',
  ms: 'ms',
  time: 's',
  time_s: 's',
  t_s: 's',
  t: 's',
  seconds: 's',
  elapsed: 's',
  elapsed_s: 's',
}

const RSS_COLUMNS: Record<string, RssUnit> = {
  rss: 'bytes',
  rss_bytes: 'bytes',
  rss_b: 'bytes',
  host_rss_kib: 'kib',
  rss_kib: 'kib',
  rss_kb: 'kib',
  rss_mib: 'mib',
  rss_mb: 'mib',
  rss_gib: 'gib',
  rss_pages: 'pages',
}

const KIB_PER_UNIT: Record<RssUnit, number> = { bytes: 1 / 1024, kib: 1, mib: 1024, gib: 1024 * 1024, pages: 4 }
const DELIMITERS = [',', '\t', ';'] as const

const clean = (cell: string): string => cell.trim().replace(/^"(.*)"$/, '$1').trim()

/** Figures of the whole series, kept as rows stream by (prlab import prints them without keeping the rows). */
export interface RssStats {
  rows: number
  last_t_ms: number
  min_kib: number
  max_kib: number
}

export interface RssStreamOptions {
  /** false: the rows are not kept (result() has empty series), only `stats`; flat memory for any file. */
  readonly keepRows?: boolean
  /** The header's columns besides time and RSS, once it is read. */
  readonly onHeader?: (extraColumns: readonly string[]) => void
  /** Each good row as read: relative time, RSS in KiB, the other cells (null where not a number). */
  readonly onRow?: (t_ms: number, rss_kib: number, extra: readonly (number | null)[]) => void
}

export class RssCsvParser {
  private readonly log: ProblemLog
  private delimiter: string = ','
  private header: string[] | null = null
  private timeIndex = -1
  private rssIndex = -1
  private timeScale_ms = 1
  private rssScale_kib = 1
  private rssUnit: RssUnit = 'bytes'
  private t0 = NaN
  private readonly t_ms: number[] = []
  private readonly rss_kib: number[] = []
  private extra: { name: string; index: number; values: (number | null)[] }[] = []
  private readonly extraRow: (number | null)[] = []
  readonly stats: RssStats = { rows: 0, last_t_ms: 0, min_kib: Infinity, max_kib: -Infinity }

  constructor(
    readonly fileName: string,
    private readonly options: ImportOptions = {},
    private readonly stream: RssStreamOptions = {},
  ) {
    this.log = new ProblemLog(fileName, 'CSV row with a time and an RSS value')
  }

  line(t: string, line: number): void {
    if (t.trim() === '' || t.trimStart().startsWith('#')) return
    if (looksBinary(t)) return this.log.bad(line, 'binary data')
    if (this.header === null) return this.readHeader(t, line)
    const cells = t.split(this.delimiter)
    if (cells.length !== this.header.length) return this.log.bad(line, `expected ${this.header.length} columns as in the header, found ${cells.length}`)
    const time = Number(clean(cells[this.timeIndex]))
    const rss = Number(clean(cells[this.rssIndex]))
    if (clean(cells[this.timeIndex]) === '' || !Number.isFinite(time)) return this.log.bad(line, `${this.header[this.timeIndex]}: "${clean(cells[this.timeIndex])}" is not a number`)
    if (clean(cells[this.rssIndex]) === '' || !Number.isFinite(rss) || rss < 0) return this.log.bad(line, `${this.header[this.rssIndex]}: "${clean(cells[this.rssIndex])}" is not a non-negative number`)
    const t_abs = time * this.timeScale_ms
    if (Number.isNaN(this.t0)) this.t0 = t_abs
    const t_rel = t_abs - this.t0
    const stats = this.stats
    if (stats.rows > 0 && t_rel < stats.last_t_ms) return this.log.bad(line, `time ${time} goes back (previous row ${(stats.last_t_ms + this.t0) / this.timeScale_ms})`)
    this.log.good()
    const rss_kib = rss * this.rssScale_kib
    stats.rows++
    stats.last_t_ms = t_rel
    if (rss_kib < stats.min_kib) stats.min_kib = rss_kib
    if (rss_kib > stats.max_kib) stats.max_kib = rss_kib
    for (let i = 0; i < this.extra.length; i++) {
      const cell = clean(cells[this.extra[i].index])
      const v = Number(cell)
      this.extraRow[i] = cell === '' || !Number.isFinite(v) ? null : v
    }
    this.stream.onRow?.(t_rel, rss_kib, this.extraRow)
    if (this.stream.keepRows === false) return
    this.t_ms.push(t_rel)
    this.rss_kib.push(rss_kib)
    for (let i = 0; i < this.extra.length; i++) this.extra[i].values.push(this.extraRow[i])
  }



  private readHeader(text: string, line: number): void {
    this.delimiter = DELIMITERS.find((d) => text.includes(d)) ?? ','
    const names = text.split(this.delimiter).map(clean)
    const lower = names.map((n) => n.toLowerCase())
    const find = (wanted: string | undefined, known: Record<string, unknown>): number =>
      wanted !== undefined ? lower.indexOf(wanted.toLowerCase()) : lower.findIndex((n) => n in known)
    this.timeIndex = find(this.options.timeColumn, TIME_COLUMNS)
    this.rssIndex = find(this.options.rssColumn, RSS_COLUMNS)
    const want = (what: string, given: string | undefined, known: Record<string, unknown>): string =>
      given !== undefined ? `column "${given}"` : `${what} column (${Object.keys(known).join(', ')})`
    if (this.timeIndex < 0 || this.rssIndex < 0) {
      const missing = this.timeIndex < 0 ? want('a time', this.options.timeColumn, TIME_COLUMNS) : want('an RSS', this.options.rssColumn, RSS_COLUMNS)
      this.log.bad(line, `header "${text.slice(0, 120)}" lacks ${missing}`)
      throw new ImportError(this.fileName, `the first line must be a CSV header with ${missing}`, this.log.problems)
    }
    this.header = names
    this.timeScale_ms = (this.options.timeUnit ?? TIME_COLUMNS[lower[this.timeIndex]] ?? 's') === 'ms' ? 1 : 1000
    this.rssUnit = this.options.rssUnit ?? RSS_COLUMNS[lower[this.rssIndex]] ?? 'bytes'
    if (!RSS_UNITS.includes(this.rssUnit)) throw new ImportError(this.fileName, `unknown RSS unit ${this.rssUnit}`, [])
    this.rssScale_kib = KIB_PER_UNIT[this.rssUnit]
    this.extra = names.map((name, index) => ({ name, index, values: [] as (number | null)[] })).filter((e) => e.index !== this.timeIndex && e.index !== this.rssIndex)
    this.stream.onHeader?.(this.extra.map((e) => e.name))
  }

  result(lines: number): RssSeries {
    if (this.header === null) throw new ImportError(this.fileName, 'empty: no CSV header found', [])
    this.log.finish()
    const numeric = this.stream.keepRows === false ? [] : this.extra.filter((e) => e.values.some((v) => v !== null))
    return {
      kind: 'rss',
      fileName: this.fileName,
      lines,
      problems: this.log.problems,
      problemCount: this.log.problemCount,
      t_ms: this.t_ms,
      rss_kib: this.rss_kib,
      timeColumn: this.header[this.timeIndex],
      rssColumn: this.header[this.rssIndex],
      rssUnit: this.rssUnit,
      extra: numeric.map((e) => ({ name: e.name, values: e.values })),
    }
  }
}
