// prlab import <buddyinfo|pagetypeinfo|ftrace|rss> <file> [--json | --csv] [options]
// Reads real data the way the lab does (streamed, bad lines reported) and prints what it holds,
// or converts it: --json (the parsed data, typed arrays as arrays), --csv (one row per sample or
// replay operation). Problems go to stderr; exit 2 when the file is refused.
import { stringify } from 'csv-stringify/sync'
import { parseCommandArgs } from '../args'
import { IMPORT_KINDS, RSS_UNITS, type ImportKind, type ImportOptions, type ImportedData, type RssUnit } from '../../common/imports'
import { formatLabError } from '../../host/experiment_io'
import { importFile } from '../../host/import/index'

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
      return `${d.t_ms.length} samples, ${d.timeColumn} / ${d.rssColumn} (${d.rssUnit}), ${(d.t_ms[d.t_ms.length - 1] / 1000).toFixed(2)} s, RSS ${(Math.min(...d.rss_kib) / 1024).toFixed(0)}..${(Math.max(...d.rss_kib) / 1024).toFixed(0)} MiB`
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
    if (!(options.intervalMs > 0)) {
      console.error(`prlab import: --interval-ms ${o['interval-ms']}: expected a positive number`)
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

  const result = await importFile(kind, file, options)
  if (!result.ok) {
    console.error(formatLabError({ ...result.error, issues: [] }))
    for (const i of result.error.issues ?? []) console.error(`  ${result.error.file}:${i.line}: ${i.message}`)
    return 2
  }
  const d = result.value
  for (const p of d.problems) console.error(`${d.fileName}:${p.line}: ${p.message}`)
  if (d.problemCount > d.problems.length) console.error(`${d.fileName}: ... ${d.problemCount - d.problems.length} more problems`)
  if (o.json) process.stdout.write(`${JSON.stringify(d, jsonReplacer)}\n`)
  else if (o.csv) process.stdout.write(toCsv(d))
  else process.stdout.write(`${d.fileName}: ${describe(d)}${d.problemCount > 0 ? `\n${d.problemCount} line(s) not used (listed on stderr)` : ''}\n`)
  return 0
}
