// /proc snapshots at a recorded time. buddyinfo is rebuilt from the per-zone nr_free columns of
// the sample row at or before the time asked for, in the exact kernel format (kernel-spec §4.1).
// pagetypeinfo needs per-migratetype counts the samples do not carry (33 columns per
// migratetype would triple the row), so it is only available for the live state, from the engine.
import { COL, NR_ORDERS, ZONE_NAMES } from '../common/samples'
import type { SampleColumn, ZoneName } from '../common/samples'
import type { Recorder } from './recorder'

/** One /proc/buddyinfo line: models frag_show_print() ("Node %d, zone %8s " then "%6lu " per order). */
export function buddyinfoLine(node: number, zone: string, nrFree: readonly number[]): string {
  return `Node ${node}, zone ${zone.padStart(8)} ${nrFree.map((n) => `${String(n).padStart(6)} `).join('')}\n`
}

/**
 * /proc/buddyinfo as it read at the last sample at or before `t_ms`, for the zones listed (the
 * populated ones, in the kernel's zone order). Throws a RangeError when no row is that old.
 */
export function buddyinfoAt(recorder: Recorder, t_ms: number, zones: readonly string[]): string {
  const unknown = zones.filter((z) => !(ZONE_NAMES as readonly string[]).includes(z))
  if (unknown.length > 0) throw new RangeError(`unknown zone ${unknown.join(', ')}; expected ${ZONE_NAMES.join(', ')}`)
  const row = recorder.rowIndexAt(t_ms)
  if (row < 0) throw new RangeError(`no sample recorded at or before ${t_ms} ms`)
  const data = recorder.readRows(row, 1)
  let text = ''
  for (const zone of ZONE_NAMES) {
    if (!zones.includes(zone)) continue
    const counts = Array.from({ length: NR_ORDERS }, (_, o) => data[COL[`${zone.toLowerCase()}_nr_free_${o}` as SampleColumn]])
    text += buddyinfoLine(0, zone as ZoneName, counts)
  }
  return text
}
