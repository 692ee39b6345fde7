// An imported /proc/buddyinfo series as chart lines: free blocks per order over time, for one
// zone or summed over all (as the lab's nr_free_N sample columns are).
import type { BuddyinfoSeries } from '../../../../common/imports'

export const ALL_ZONES = 'all'

/** nr_free per order over the snapshots: result[o][s]. */
export function blocksPerOrder(series: BuddyinfoSeries, zone: string): number[][] {
  const zi = zone === ALL_ZONES ? -1 : series.zones.indexOf(zone)
  if (zone !== ALL_ZONES && zi < 0) throw new Error(`${series.fileName} has no zone ${zone} (it has ${series.zones.join(', ')})`)
  return Array.from({ length: series.orders }, (_, o) =>
    series.nr_free.map((snap) => (zi >= 0 ? snap[zi][o] : snap.reduce((sum, z) => sum + z[o], 0))),
  )
}

/** Free memory of one snapshot in KiB, 4 KiB pages: sum over orders of nr_free * 2^order * 4. */
export function freeKib(series: BuddyinfoSeries, snapshot: number, zone: string = ALL_ZONES): number {
  const zones = zone === ALL_ZONES ? series.nr_free[snapshot] : [series.nr_free[snapshot][series.zones.indexOf(zone)]]
  return zones.reduce((sum, z) => sum + z.reduce((s, n, o) => s + n * 4 * 2 ** o, 0), 0)
}
