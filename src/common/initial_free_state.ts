// The target of an initial free state: the per-zone, per-order free block counts of one imported
// /proc/buddyinfo snapshot. The engine lays the blocks out (src/engine/initial_free_state.ts).

import type { BuddyinfoSeries } from './imports'

export class FreeStatePlanError extends Error {}

export interface FreeStateTarget {
  readonly zone: string
  readonly nr_free: readonly number[]
}

/** The counts of one snapshot of an imported series, per zone (zone labels as the series has them). */
export function targetFromBuddyinfo(series: BuddyinfoSeries, snapshot: number): FreeStateTarget[] {
  if (!Number.isInteger(snapshot) || snapshot < 0 || snapshot >= series.nr_free.length) {
    throw new FreeStatePlanError(`${series.fileName} has snapshots 0..${series.nr_free.length - 1}, not ${snapshot}`)
  }
  return series.zones.map((zone, z) => ({ zone, nr_free: series.nr_free[snapshot][z] }))
}
