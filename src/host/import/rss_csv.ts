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

  constructor(
    readonly fileName: string,
    private readonly options: ImportOptions = {},
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
    if (this.t_ms.length > 0 && t_rel < this.t_ms[this.t_ms.length - 1]) return this.log.bad(line, `time ${time} goes back (previous row ${(this.t_ms[this.t_ms.length - 1] + this.t0) / this.timeScale_ms})`)
    this.log.good()
    this.t_ms.push(t_rel)
    this.rss_kib.push(rss * this.rssScale_kib)
    for (const e of this.extra) {
      const cell = clean(cells[e.index])
      const v = Number(cell)
      e.values.push(cell === '' || !Number.isFinite(v) ? null : v)
    }
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
  }

  result(lines: number): RssSeries {
    if (this.header === null) throw new ImportError(this.fileName, 'empty: no CSV header found', [])
    this.log.finish()
    const numeric = this.extra.filter((e) => e.values.some((v) => v !== null))
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
