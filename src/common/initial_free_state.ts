// A buddy-allocator layout that reproduces an imported /proc/buddyinfo snapshot: which blocks to
// leave free in each zone so that free_area[o].nr_free equals the snapshot's counts, everything
// else allocated. Pure, so the engine can seed a guest from it (free the planned blocks with
// __free_one_page() into zones whose pages start allocated, bypassing the per-CPU lists, which
// /proc/buddyinfo does not count).
//
// A free block of order o < MAX_ORDER stays a block of order o only if its buddy is not free as a
// whole (__free_one_page() would merge them). The plan keeps every region that is not itself a
// planned block from being entirely free: each aligned region either is one free block, or is
// split into halves of which at most one is a free block and the rest is split again, down to
// single pages, which stay allocated. So every planned block's buddy holds an allocated page.

import type { BuddyinfoSeries } from './imports'

export const PLAN_MAX_ORDER = 10

export interface ZoneSpan {
  readonly name: string
  readonly startPfn: number
  readonly endPfn: number
}

export interface PlannedBlock {
  readonly zone: string
  readonly pfn: number
  readonly order: number
}

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

/** Plans the free blocks of each zone; throws FreeStatePlanError naming the zone when the counts do not fit. */
export function planFreeState(zones: readonly ZoneSpan[], target: readonly FreeStateTarget[]): PlannedBlock[] {
  const blocks: PlannedBlock[] = []
  for (const t of target) {
    const span = zones.find((z) => z.name === t.zone)
    if (span === undefined) throw new FreeStatePlanError(`zone ${t.zone} of the snapshot does not exist in the simulated guest (it has ${zones.map((z) => z.name).join(', ')})`)
    if (t.nr_free.length > PLAN_MAX_ORDER + 1) throw new FreeStatePlanError(`zone ${t.zone}: ${t.nr_free.length} orders; the simulated guest has ${PLAN_MAX_ORDER + 1}`)
    if (t.nr_free.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new FreeStatePlanError(`zone ${t.zone}: counts must be whole numbers >= 0`)
    const need = Array.from({ length: PLAN_MAX_ORDER + 1 }, (_, o) => t.nr_free[o] ?? 0)
    planZone(span, need, blocks)
    const left = need.map((n, o) => (n > 0 ? `${n} of order ${o}` : '')).filter((s) => s !== '')
    if (left.length > 0) {
      throw new FreeStatePlanError(`zone ${t.zone} (${span.endPfn - span.startPfn} pages) cannot hold the snapshot's free blocks: ${left.join(', ')} left over`)
    }
  }
  return blocks
}

function planZone(span: ZoneSpan, need: number[], out: PlannedBlock[]): void {
  const emit = (pfn: number, order: number): void => {
    out.push({ zone: span.name, pfn, order })
    need[order]--
  }
  const remaining = (): boolean => need.some((n) => n > 0)
  // Fills an aligned region of 2^order pages, leaving it not entirely free.
  const fill = (pfn: number, order: number): void => {
    if (order === 0 || !remaining()) return
    const half = 2 ** (order - 1)
    if (need[order - 1] > 0) {
      emit(pfn, order - 1)
      fill(pfn + half, order - 1)
    } else {
      fill(pfn, order - 1)
      fill(pfn + half, order - 1)
    }
  }
  // Aligned regions of the largest order that fit, walking the zone upwards.
  let pfn = span.startPfn
  while (pfn < span.endPfn && remaining()) {
    let order = PLAN_MAX_ORDER
    while (order > 0 && (pfn % 2 ** order !== 0 || pfn + 2 ** order > span.endPfn)) order--
    if (order === PLAN_MAX_ORDER && need[PLAN_MAX_ORDER] > 0) emit(pfn, PLAN_MAX_ORDER)
    else fill(pfn, order)
    pfn += 2 ** order
  }
}
