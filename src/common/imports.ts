// Imported real data: what the host's importers (src/host/import/) return and what crosses to the
// renderer. Plain arrays and typed arrays only, so the data survives structured clone (Electron
// IPC, worker threads) and the WebSocket transport alike.
import type { Result } from './api'

export const IMPORT_KINDS = ['buddyinfo', 'pagetypeinfo', 'ftrace', 'rss'] as const
export type ImportKind = (typeof IMPORT_KINDS)[number]

/** One line an importer could not use. `line` is 1-based in the imported file. */
export interface ImportProblem {
  readonly line: number
  readonly message: string
}

interface ImportedBase {
  readonly fileName: string
  /** Desktop: the file it was read from, so an experiment can name it; absent for uploads. */
  readonly path?: string
  /** Lines read, including blank and header lines. */
  readonly lines: number
  /** The first problems (at most MAX_IMPORT_PROBLEMS); `problemCount` has them all. */
  readonly problems: readonly ImportProblem[]
  readonly problemCount: number
}

/** Problems kept in full; the rest are only counted. */
export const MAX_IMPORT_PROBLEMS = 200

/**
 * /proc/buddyinfo, one snapshot or a series (kernel-spec §4.1). Zones are those the file names,
 * in order of first appearance; `nr_free[s][z][o]` is free_area[o].nr_free of zone z in snapshot s.
 */
export interface BuddyinfoSeries extends ImportedBase {
  readonly kind: 'buddyinfo'
  /** Zone labels: the kernel's zone name, prefixed by the node when the file has several (`1:Normal`). */
  readonly zones: readonly string[]
  readonly nodes: readonly number[]
  /** Number of orders per line (11 on x86_64; MAX_ORDER + 1 elsewhere). */
  readonly orders: number
  /** Snapshot times relative to the first one, in ms. Without timestamps: index * intervalMs. */
  readonly t_ms: readonly number[]
  /** True when the file carried a timestamp (e.g. `date +%s.%N`) before each snapshot. */
  readonly timestamped: boolean
  /** Wall-clock time of the first snapshot, Unix ms; null without timestamps. */
  readonly start_unix_ms: number | null
  readonly nr_free: readonly (readonly (readonly number[])[])[]
  /** Where the first snapshot lies on a run's time axis, ms, when the file says (a validation recording). */
  readonly origin_ms?: number
}

export interface PagetypeinfoFreeRow {
  readonly node: number
  readonly zone: string
  /** Migratetype as the kernel prints it: Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate. */
  readonly type: string
  /** Free blocks per order. */
  readonly nr_free: readonly number[]
  /** Orders whose count the kernel capped (printed `>100000`): the real count is larger. */
  readonly capped: readonly boolean[]
}

export interface PagetypeinfoBlockRow {
  readonly node: number
  readonly zone: string
  /** Pageblocks per type, in the order of `blockTypes`. */
  readonly blocks: readonly number[]
}

export interface PagetypeinfoSnapshot {
  readonly free: readonly PagetypeinfoFreeRow[]
  readonly blocks: readonly PagetypeinfoBlockRow[]
  /** The "Number of mixed blocks" section (CONFIG_PAGE_OWNER only); empty otherwise. */
  readonly mixedBlocks: readonly PagetypeinfoBlockRow[]
}

/** /proc/pagetypeinfo, one snapshot or a series (kernel-spec §4.2). */
export interface PagetypeinfoSeries extends ImportedBase {
  readonly kind: 'pagetypeinfo'
  /** From the `Page block order:` header; null when the file lacks it (a pasted excerpt). */
  readonly pageblockOrder: number | null
  readonly pagesPerBlock: number | null
  readonly orders: number
  /** Type names of the block-count section header. */
  readonly blockTypes: readonly string[]
  readonly t_ms: readonly number[]
  readonly timestamped: boolean
  readonly start_unix_ms: number | null
  readonly snapshots: readonly PagetypeinfoSnapshot[]
}

/** Replay operations (FtraceReplay.op). */
export const REPLAY_ALLOC = 0
export const REPLAY_FREE = 1

/** kmem events the ftrace importer reads (kernel-spec §4.6). */
export const FTRACE_KMEM_EVENTS = [
  'mm_page_alloc',
  'mm_page_free',
  'mm_page_free_batched',
  'mm_page_alloc_zone_locked',
  'mm_page_pcpu_drain',
] as const
export type FtraceKmemEvent = (typeof FTRACE_KMEM_EVENTS)[number]

export interface FtraceStats {
  /** Trace lines seen per event name, including events that are not replayed. */
  readonly events: Readonly<Record<string, number>>
  readonly allocs: number
  readonly frees: number
  /** mm_page_alloc lines of failed allocations (pfn 0, NULL page): nothing to replay. */
  readonly failedAllocs: number
  /** mm_page_free of a pfn the trace never allocated (allocated before tracing began): skipped. */
  readonly freesOfUnknownPfn: number
  /** mm_page_free_batched lines that repeat an mm_page_free of the same page (5.10 and 6.x emit both). */
  readonly batchedDuplicates: number
  /** Allocations of a pfn the trace still held (its free was not traced): the old block stays allocated. */
  readonly allocsOfLivePfn: number
  /** Allocations never freed by the end of the trace. */
  readonly liveAtEnd: number
  /** Events the simulated allocator produces itself (zone_locked, pcpu_drain): counted, not replayed. */
  readonly internalEvents: number
  /** Trace lines of events the importer does not know (other tracepoints). */
  readonly otherEvents: number
  readonly cpus: number
  /** Format of the pfn field: decimal (5.10) or hex (6.x). */
  readonly pfnFormat: 'decimal' | 'hex' | 'none'
  readonly traceCmdHeader: boolean
}

/**
 * kmem ftrace converted to a workload. Operation i happens `t_ns[i]` after the first
 * mm_page_alloc / mm_page_free line of the trace (`start_ts`). An alloc (op REPLAY_ALLOC) asks the simulated allocator for a block of `order[i]` and
 * `migratetype[i]` on cpu `cpu[i]`; a free (REPLAY_FREE) frees `order[i]` pages at
 * `offset[i]` pages into the block that alloc number `ref[i]` returned (the trace's pfns never
 * name simulated pages). src/common/ftrace_replay.ts drives it.
 */
export interface FtraceReplay extends ImportedBase {
  readonly kind: 'ftrace'
  readonly count: number
  readonly t_ns: Float64Array
  readonly op: Uint8Array
  /** The pfn the trace printed, for display only. */
  readonly pfn: Float64Array
  readonly order: Uint8Array
  /** Kernel migratetype number for allocs (0 unmovable, 1 movable, 2 reclaimable, ...); -1 for frees. */
  readonly migratetype: Int8Array
  readonly cpu: Uint16Array
  /** For a free: index of the alloc operation it frees. -1 for allocs. */
  readonly ref: Int32Array
  /** For a free: pages from the head of the referenced alloc (split_page() frees). 0 for allocs. */
  readonly offset: Uint32Array
  /** Source line of each operation. */
  readonly line: Uint32Array
  /** Trace timestamp of the first mm_page_alloc / mm_page_free line, as printed (seconds since boot). */
  readonly start_ts: string
  readonly stats: FtraceStats
}

/** A measured host RSS time series (e.g. HyperAlloc's `time,rss,small,huge,cached,total` CSV). */
export interface RssSeries extends ImportedBase {
  readonly kind: 'rss'
  /** Relative to the first row, in ms. */
  readonly t_ms: readonly number[]
  readonly rss_kib: readonly number[]
  readonly timeColumn: string
  readonly rssColumn: string
  /** Unit the RSS column was read in. */
  readonly rssUnit: RssUnit
  /** Other numeric columns, unconverted (HyperAlloc: small, huge, cached, total); null where a cell was empty or not a number. */
  readonly extra: readonly { readonly name: string; readonly values: readonly (number | null)[] }[]
}

export const RSS_UNITS = ['bytes', 'kib', 'mib', 'gib', 'pages'] as const
export type RssUnit = (typeof RSS_UNITS)[number]

export type ImportedData = BuddyinfoSeries | PagetypeinfoSeries | FtraceReplay | RssSeries

/** Options the importers accept. All optional; each importer reads the ones that concern it. */
export interface ImportOptions {
  /** Snapshots without timestamps are this far apart, in ms. Default 1000. */
  readonly intervalMs?: number
  /** rss: column names; default by name (time/t_ms/..., rss/rss_kib/...). */
  readonly timeColumn?: string
  readonly rssColumn?: string
  readonly rssUnit?: RssUnit
  readonly timeUnit?: 'ms' | 's'
}

/** A finished sweep as the UI shows it: sweep.csv plus the grid of sweep.json. */
export interface SweepTable {
  readonly fileName: string
  /** Grid parameters (experiment paths) in column order. */
  readonly parameters: readonly string[]
  /** Every column of sweep.csv: `point`, the parameters, `status`, then summary figures. */
  readonly columns: readonly string[]
  /** Rows by point index; numbers where the cell is numeric, else the text, null when empty. */
  readonly rows: readonly (readonly (number | string | null)[])[]
}

/**
 * The import and sweep calls of the lab API (renderer -> host). Kept apart from LabApi so the
 * transports adopt them in one step: `interface LabApi extends ImportApi`, with the host side in
 * src/host/import/index.ts (IMPORT_API_ARGS validates the arguments).
 */
export interface ImportApi {
  /** Parse a file the user uploaded or dropped (browser mode and desktop drag and drop). Nothing is written. */
  importData(kind: ImportKind, fileName: string, text: string, options?: ImportOptions): Promise<Result<ImportedData>>
  /** Desktop: native open dialog, then a streamed import. null when the user cancels. */
  openImportFile(kind: ImportKind, options?: ImportOptions): Promise<Result<ImportedData> | null>
  /** A sweep.csv the user uploaded. */
  parseSweep(fileName: string, text: string): Promise<Result<SweepTable>>
  /** Desktop: a sweep output folder chosen in the native dialog. null when cancelled. */
  openSweep(): Promise<Result<SweepTable> | null>
}
