// The files a user imported in this session (uploaded, dropped or opened), kept by file name so a
// run's replay phases and initial free state can name them (browser mode has no paths). Bounded:
// the oldest go first once there are too many or they hold too much.
import type { ImportedData } from '../common/imports'

export const MAX_SESSION_IMPORTS = 8
export const MAX_SESSION_IMPORT_BYTES = 512 * 1024 * 1024

/** Rough heap size of an import: its typed arrays, 8 bytes per number of the plain arrays. */
export function importedBytes(data: ImportedData): number {
  const problems = data.problems.reduce((s, p) => s + 16 + 2 * p.message.length, 0)
  switch (data.kind) {
    case 'ftrace':
      return problems + data.t_ns.byteLength + data.op.byteLength + data.pfn.byteLength + data.order.byteLength + data.migratetype.byteLength + data.cpu.byteLength + data.ref.byteLength + data.offset.byteLength + data.line.byteLength
    case 'buddyinfo':
      return problems + 8 * data.t_ms.length + 8 * data.nr_free.length * data.zones.length * data.orders
    case 'pagetypeinfo':
      return problems + 8 * data.t_ms.length + data.snapshots.reduce((s, snap) => s + 8 * (snap.free.length * (2 * data.orders + 4) + (snap.blocks.length + snap.mixedBlocks.length) * (data.blockTypes.length + 2)), 0)
    case 'rss':
      return problems + 16 * data.t_ms.length + data.extra.reduce((s, c) => s + 8 * c.values.length, 0)
  }
}

export class SessionImports {
  /** In insertion order: the first entry is the oldest. */
  private readonly byName = new Map<string, { data: ImportedData; bytes: number }>()
  private bytes = 0

  constructor(
    private readonly maxEntries = MAX_SESSION_IMPORTS,
    private readonly maxBytes = MAX_SESSION_IMPORT_BYTES,
  ) {}

  /** Keeps `data` under its file name, replacing an earlier import of that name. */
  add(data: ImportedData): void {
    this.remove(data.fileName)
    const bytes = importedBytes(data)
    this.byName.set(data.fileName, { data, bytes })
    this.bytes += bytes
    // never evict the newest: one import larger than the budget still stays until the next
    for (const name of this.byName.keys()) {
      if (this.byName.size <= this.maxEntries && this.bytes <= this.maxBytes) break
      if (name === data.fileName) break
      this.remove(name)
    }
  }

  /** The imports by file name (a copy), for resolveRunInputs. */
  get files(): ReadonlyMap<string, ImportedData> {
    return new Map([...this.byName].map(([name, e]) => [name, e.data]))
  }

  get totalBytes(): number {
    return this.bytes
  }

  private remove(name: string): void {
    const old = this.byName.get(name)
    if (old === undefined) return
    this.bytes -= old.bytes
    this.byName.delete(name)
  }
}
