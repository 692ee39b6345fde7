// prlab import <buddyinfo|pagetypeinfo|ftrace|rss> <file> [--json | --csv] [options]
// Reads real data the way the lab does (streamed, bad lines reported) and prints what it holds,
// or converts it: --json (the parsed data, typed arrays as arrays), --csv (one row per sample or
// replay operation). Problems go to stderr; exit 2 when the file is refused.
import { stringify } from 'csv-stringify/sync'
import { parseCommandArgs } from '../args'
import { IMPORT_KINDS, RSS_UNITS, type ImportKind, type ImportOptions, type ImportedData, type RssUnit } from '../../common/imports'
import { formatLabError } from '../../host/experiment_io'
import { MAX_IMPORT_INTERVAL_MS, importFile, streamRssFile } from '../../host/import/index'
import type { LabError } from '../../common/api'
import { once } from 'node:events'

const USAGE = `usage: prlab import <${IMPORT_KINDS.join('|')}> <file> [--json | --csv]
       [--interval-ms N]   snapshots without timestamps are N ms apart (default 1000)
       [--time-column NAME] [--time-unit ms|s] [--rss-column NAME] [--rss-unit ${RSS_UNITS.join('|')}]`

const isKind = (k: string): k is ImportKind => (IMPORT_KINDS as readonly string[]).includes(k)

/** The data as CSV rows: the form spreadsheets and plotting scripts take. */
export function toCsv(d: ImportedData): string {
  switch (d.kind) {
    case 'buddyinfo': {
      const orders = Array.from({ length: d.orders }, (_, o) => `nr_free_${o}`)
      return stringify([['t_ms', 'zone', ...orders], ...d.nr_free.flatMap((snap, s) => snap.map((z, zi) => [d.t_ms[s], d.zones[zi], ...z]))])
    }
    case 'pagetypeinfo': {
      const orders = Array.from({ length: d.orders }, (_, o) => `nr_free_${o}`)
      return stringify([['t_ms', 'node', 'zone', 'type', ...orders], ...d.snapshots.flatMap((snap, s) => snap.free.map((r) => [d.t_ms[s], r.node, r.zone, r.type, ...r.nr_free.map((n, o) => (r.capped[o] ? `>${n}` : n))]))])
    }
    case 'ftrace':
      return stringify([
        ['t_ns', 'op', 'pfn', 'order', 'migratetype', 'cpu', 'ref', 'offset', 'line'],
        ...Array.from({ length: d.count }, (_, i) => [d.t_ns[i], d.op[i] === 0 ? 'alloc' : 'free', d.pfn[i], d.order[i], d.migratetype[i], d.cpu[i], d.ref[i], d.offset[i], d.line[i]]),
      ])
    case 'rss':
      return stringify([['t_ms', 'rss_kib', ...d.extra.map((e) => e.name)], ...d.t_ms.map((t, i) => [t, d.rss_kib[i], ...d.extra.map((e) => e.values[i] ?? '')])])
  }
}

const jsonReplacer = (_key: string, value: unknown): unknown => (ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value)

function describe(d: ImportedData): string {
  switch (d.kind) {
    case 'buddyinfo':
      return `${d.t_ms.length} snapshot(s) of ${d.zones.join(', ')}, ${d.orders} orders${d.timestamped ? `, ${(d.t_ms[d.t_ms.length - 1] / 1000).toFixed(3)} s` : ', no timestamps'}`
    case 'pagetypeinfo':
      return `${d.snapshots.length} snapshot(s), pageblock order ${d.pageblockOrder ?? '?'}, ${d.orders} orders, block types ${d.blockTypes.join(', ')}`
    case 'ftrace':
      return [
        `${d.count} replay operations from ${d.start_ts} s, ${d.stats.cpus} cpu(s), pfns ${d.stats.pfnFormat}${d.stats.traceCmdHeader ? ' (trace-cmd report)' : ''}`,
        `  ${d.stats.allocs} allocs, ${d.stats.frees} frees replayed`,
        `  not replayed: ${d.stats.failedAllocs} failed allocs, ${d.stats.freesOfUnknownPfn} frees of pages allocated before the trace, ${d.stats.batchedDuplicates} repeated batched frees, ${d.stats.internalEvents} allocator-internal events, ${d.stats.otherEvents} other events`,
        `  ${d.stats.allocsOfLivePfn} allocs of a page still allocated in the trace; ${d.stats.liveAtEnd} allocations live at the end`,
      ].join('\n')
    case 'rss':
      return `${d.t_ms.length} samples, ${d.timeColumn} / ${d.rssColumn} (${d.rssUnit}), ${(d.t_ms[d.t_ms.length - 1] / 1000).toFixed(2)} s, RSS ${(d.rss_kib.reduce((a, b) => Math.min(a, b), Infinity) / 1024).toFixed(0)}..${(d.rss_kib.reduce((a, b) => Math.max(a, b), -Infinity) / 1024).toFixed(0)} MiB`
  }
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'import',
    USAGE,
    argv,
    {
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      'interval-ms': { type: 'string' },
      'time-column': { type: 'string' },
      'time-unit': { type: 'string' },
      'rss-column': { type: 'string' },
      'rss-unit': { type: 'string' },
    },
    null,
  )
  if (parsed === null) return 2
  const { values: o, positionals } = parsed
  const [kind, file] = positionals
  if (positionals.length !== 2 || !isKind(kind)) {
    console.error(`prlab import: expected a kind (${IMPORT_KINDS.join(', ')}) and a file\n${USAGE}`)
    return 2
  }
  if (o.json && o.csv) {
    console.error('prlab import: --json and --csv exclude each other')
    return 2
  }
  const options: { -readonly [K in keyof ImportOptions]: ImportOptions[K] } = {}
  if (o['interval-ms'] !== undefined) {
    options.intervalMs = Number(o['interval-ms'])
    // Number() reads '1e400' as Infinity and ' ' as 0: only finite values in the API's range pass
    if (!(Number.isFinite(options.intervalMs) && options.intervalMs > 0 && options.intervalMs <= MAX_IMPORT_INTERVAL_MS) || o['interval-ms'].trim() === '') {
      console.error(`prlab import: --interval-ms ${o['interval-ms']}: expected a number of ms > 0 and <= ${MAX_IMPORT_INTERVAL_MS} (one day)`)
      return 2
    }
  }
  if (o['time-unit'] !== undefined) {
    if (o['time-unit'] !== 'ms' && o['time-unit'] !== 's') {
      console.error(`prlab import: --time-unit ${o['time-unit']}: expected ms or s`)
      return 2
    }
    options.timeUnit = o['time-unit']
  }
  if (o['rss-unit'] !== undefined) {
    if (!(RSS_UNITS as readonly string[]).includes(o['rss-unit'])) {
      console.error(`prlab import: --rss-unit ${o['rss-unit']}: expected one of ${RSS_UNITS.join(', ')}`)
      return 2
    }
    options.rssUnit = o['rss-unit'] as RssUnit
  }
  if (o['time-column'] !== undefined) options.timeColumn = o['time-column']
  if (o['rss-column'] !== undefined) options.rssColumn = o['rss-column']

  const out = new StdoutWriter()
  if (kind === 'rss' && !o.json) return importRss(file, options, o.csv, out)
  const result = await importFile(kind, file, options)
  if (!result.ok) return refused(result.error)
  const d = result.value
  reportProblems(d)
  if (o.json) await writeJson(d, out)
  else if (o.csv) out.push(toCsv(d))
  else out.push(`${d.fileName}: ${describe(d)}${notUsed(d)}\n`)
  await out.flush()
  return 0
}

function refused(e: LabError): number {
  // the importers' messages start with the file name already
  console.error(e.file !== undefined && e.message.startsWith(`${e.file}: `) ? e.message : formatLabError({ ...e, issues: [] }))
  for (const i of e.issues ?? []) console.error(`  ${e.file}:${i.line}: ${i.message}`)
  return 2
}

function reportProblems(d: ImportedData): void {
  for (const p of d.problems) console.error(`${d.fileName}:${p.line}: ${p.message}`)
  if (d.problemCount > d.problems.length) console.error(`${d.fileName}: ... ${d.problemCount - d.problems.length} more problems`)
}

const notUsed = (d: ImportedData): string => (d.problemCount > 0 ? `\n${d.problemCount} line(s) not used (listed on stderr)` : '')

/** stdout with backpressure: pieces are buffered and written between input chunks. */
class StdoutWriter {
  private parts: string[] = []

  push(text: string): void {
    this.parts.push(text)
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return
    const text = this.parts.join('')
    this.parts = []
    if (!process.stdout.write(text)) await once(process.stdout, 'drain')
  }
}

/**
 * prlab import rss: the rows stream from the file to stdout (--csv) or into the figures the
 * description prints, never kept, so a 10-million-row file takes flat memory. With --csv every
 * column besides time and RSS is written (empty where a cell is not a number).
 */
async function importRss(file: string, options: ImportOptions, csv: boolean, out: StdoutWriter): Promise<number> {
  const result = await streamRssFile(
    file,
    options,
    {
      keepRows: false,
      onHeader: csv ? (extra) => out.push(stringify([['t_ms', 'rss_kib', ...extra]])) : undefined,
      onRow: csv
        ? (t_ms, rss_kib, extra) => {
            let line = `${t_ms},${rss_kib}`
            for (const v of extra) line += `,${v ?? ''}`
            out.push(`${line}\n`)
          }
        : undefined,
    },
    () => out.flush(),
  )
  if (!result.ok) {
    await out.flush()
    return refused(result.error)
  }
  await out.flush()
  const { data: d, stats } = result.value
  reportProblems(d)
  if (!csv) {
    process.stdout.write(`${d.fileName}: ${stats.rows} samples, ${d.timeColumn} / ${d.rssColumn} (${d.rssUnit}), ${(stats.last_t_ms / 1000).toFixed(2)} s, RSS ${(stats.min_kib / 1024).toFixed(0)}..${(stats.max_kib / 1024).toFixed(0)} MiB${notUsed(d)}\n`)
  }
  return 0
}

/** JSON.stringify, streamed: long arrays (a trace's columns) go out in slices, so no single string is ever as large as the file. */
async function writeJson(value: unknown, out: StdoutWriter): Promise<void> {
  const SLICE = 1 << 16
  const walk = async (v: unknown): Promise<void> => {
    if (ArrayBuffer.isView(v) || Array.isArray(v)) {
      const list = v as unknown as ArrayLike<unknown> & { slice(a: number, b: number): ArrayLike<unknown> }
      if (list.length <= SLICE) return out.push(JSON.stringify(v, jsonReplacer))
      out.push('[')
      for (let i = 0; i < list.length; i += SLICE) {
        out.push(`${i > 0 ? ',' : ''}${JSON.stringify(Array.from(list.slice(i, i + SLICE))).slice(1, -1)}`)
        await out.flush()
      }
      return out.push(']')
    }
    if (v !== null && typeof v === 'object') {
      out.push('{')
      let first = true
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined || typeof item === 'function') continue
        out.push(`${first ? '' : ','}${JSON.stringify(key)}:`)
        first = false
        await walk(item)
      }
      return out.push('}')
    }
    out.push(JSON.stringify(v) ?? 'null')
  }
  await walk(value)
  out.push('\n')
}
