// One line saying what an import holds, for lists and headers.
import type { ImportedData } from '../../../../common/imports'

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`

export function importSummary(d: ImportedData): string {
  switch (d.kind) {
    case 'buddyinfo':
      return `${d.t_ms.length} buddyinfo snapshot${d.t_ms.length === 1 ? '' : 's'} of ${d.zones.join(', ')}${d.t_ms.length > 1 ? ` over ${seconds(d.t_ms[d.t_ms.length - 1])}${d.timestamped ? '' : ' (no timestamps)'}` : ''}`
    case 'pagetypeinfo':
      return `${d.snapshots.length} pagetypeinfo snapshot${d.snapshots.length === 1 ? '' : 's'}, pageblock order ${d.pageblockOrder ?? 'unknown'}`
    case 'ftrace':
      return `${d.count} operations to replay (${d.stats.allocs} allocs, ${d.stats.frees} frees) over ${seconds(d.count > 0 ? d.t_ns[d.count - 1] / 1e6 : 0)} on ${d.stats.cpus} cpu${d.stats.cpus === 1 ? '' : 's'}`
    case 'rss':
      return `${d.t_ms.length} RSS samples (${d.timeColumn}, ${d.rssColumn} in ${d.rssUnit}) over ${seconds(d.t_ms[d.t_ms.length - 1] ?? 0)}`
  }
}
