// Kernel-version presets (kernel-spec §1.10, §1.12, §2.9): what changes between 5.10, 5.14,
// 6.1 and 6.6 for the allocator around page reporting, and how page_reporting_order is chosen.
// The reporting core itself (capacity, delay, budget) is the same in every version.
import type { KernelVersion } from './experiment'
import { NR_ORDERS } from './samples'

const MAX_ORDER = NR_ORDERS - 1

/** The generations of page_reporting_order handling. */
export type OrderRule =
  /** 5.7-5.13: no parameter; PAGE_REPORTING_MIN_ORDER = pageblock_order. */
  | 'fixed-pageblock'
  /** 5.14-6.2: registration overwrites the parameter with `prdev->order ?: pageblock_order`; sysfs unvalidated. */
  | 'register-overwrites'
  /** 6.3+: the command line wins; registration fills it only when unset; sysfs validated 0..MAX_ORDER. */
  | 'cmdline-wins'

/**
 * hv_balloon's free page reporting (drivers/hv/hv_balloon.c, hv_free_page_report()), by version.
 * The presets map 5.10 to `none`, 5.14 and 6.1 to `large-pages`, 6.6 to `any-order`.
 */
export type HvReporting =
  /** Before 5.13: hv_balloon does not register with page_reporting at all. */
  | 'none'
  /**
   * 5.13-6.2: every range goes as 2 MiB pages (`largepage = 1`, additional_pages = length / 2 MiB
   * - 1); a failed hypercall only returns -EINVAL: no order reset, no failure count, no unregister.
   */
  | 'large-pages'
  /**
   * 6.3+ ("hv_balloon: Add support for configurable order free page reporting"): ranges below
   * order 9 as 4 KiB pages; HV_STATUS_INVALID_PARAMETER forces page_reporting_order to
   * pageblock_order; dm_thread_func() unregisters after repeated failures.
   */
  | 'any-order'

export function hvReportingOf(version: KernelVersion): HvReporting {
  switch (version) {
    case '5.10':
      return 'none'
    case '5.14':
    case '6.1':
      return 'large-pages'
    case '6.6':
      return 'any-order'
  }
}

export interface KernelPreset {
  readonly version: KernelVersion
  readonly orderRule: OrderRule
  readonly hvReporting: HvReporting
  /** Orders kept on per-CPU lists (pcp_allowed_order()). */
  readonly pcpOrders: readonly number[]
  readonly pcpHighMode: 'six-batch' | 'low-wmark'
  /**
   * The per-CPU free path (mm/page_alloc.c): free_pcppages_bulk() cycling the lists with a
   * growing batch_free up to 5.17, the requested list first from 5.18; free_high from 5.18 (the
   * same series); THP lists one per migratetype (5.13-5.17), one (5.18-6.3), two (6.4+).
   */
  readonly pcp: { readonly bulkFree: 'batch-free' | 'requested-first'; readonly freeHigh: boolean; readonly thpLists: 1 | 2 | 3 }
  /** __putback_isolated_page() uses FPI_TO_TAIL (5.10+). */
  readonly putbackToTail: boolean
}

/** page_reporting_order before any registration or command line: 6.3+ stores -1 ("unset"). */
export const REPORTING_ORDER_UNSET = -1

export function orderRuleOf(version: KernelVersion): OrderRule {
  switch (version) {
    case '5.10':
      return 'fixed-pageblock'
    case '5.14':
    case '6.1':
      return 'register-overwrites'
    case '6.6':
      return 'cmdline-wins'
  }
}

/** pageblock_order on x86_64: HUGETLB_PAGE_ORDER (9) with CONFIG_HUGETLB_PAGE, else MAX_ORDER (10). */
export function pageblockOrderOf(hugetlb: boolean): 9 | 10 {
  return hugetlb ? 9 : 10
}

/**
 * `thpBuild` is CONFIG_TRANSPARENT_HUGEPAGE (guest.transparentHugepage), not the runtime setting:
 * pcp_allowed_order() keeps pageblock_order on the per-CPU lists whenever the kernel is built with
 * THP, even with transparent_hugepage=never.
 */
export function kernelPreset(version: KernelVersion, thpBuild: boolean, pageblockOrder: number): KernelPreset {
  const old = version === '5.10'
  return {
    version,
    orderRule: orderRuleOf(version),
    hvReporting: hvReportingOf(version),
    // 5.13 added orders 1-3 and, under CONFIG_TRANSPARENT_HUGEPAGE, pageblock_order to the PCP lists.
    pcpOrders: old ? [0] : thpBuild ? [0, 1, 2, 3, pageblockOrder] : [0, 1, 2, 3],
    pcpHighMode: old ? 'six-batch' : 'low-wmark',
    pcp: version === '5.10' || version === '5.14' ? { bulkFree: 'batch-free', freeHigh: false, thpLists: 3 } : { bulkFree: 'requested-first', freeHigh: true, thpLists: version === '6.1' ? 1 : 2 },
    putbackToTail: true,
  }
}

/**
 * page_reporting_order at boot: the command line value (5.14+), else the version's initial
 * value (5.14-6.2: MAX_ORDER + 1 in 6.6 terms, i.e. the old exclusive MAX_ORDER 11; 6.3+: -1).
 * 5.10 has no parameter: the threshold is pageblock_order from the start.
 */
export function bootReportingOrder(rule: OrderRule, cmdline: number | null, pageblockOrder: number): number {
  if (rule === 'fixed-pageblock') return pageblockOrder
  if (cmdline !== null) return cmdline
  return rule === 'register-overwrites' ? MAX_ORDER + 1 : REPORTING_ORDER_UNSET
}

/** page_reporting_order after page_reporting_register(prdev) (kernel-spec §1.10). */
export function orderAtRegister(rule: OrderRule, current: number, prdevOrder: number, pageblockOrder: number): number {
  switch (rule) {
    case 'fixed-pageblock':
      return pageblockOrder
    case 'register-overwrites':
      // page_reporting_order = prdev->order ? : pageblock_order;
      return prdevOrder !== 0 ? prdevOrder : pageblockOrder
    case 'cmdline-wins':
      if (current !== REPORTING_ORDER_UNSET) return current
      return prdevOrder > 0 && prdevOrder <= MAX_ORDER ? prdevOrder : pageblockOrder
  }
}

/** Outcome of a write to /sys/module/page_reporting/parameters/page_reporting_order. */
export type SysfsOrderResult = { readonly ok: true; readonly order: number } | { readonly ok: false; readonly error: string }

export function sysfsWriteOrder(rule: OrderRule, value: number): SysfsOrderResult {
  if (rule === 'fixed-pageblock') return { ok: false, error: 'no such file: 5.10 has no page_reporting_order parameter' }
  // 6.3+: param_set_uint_minmax(val, kp, 0, MAX_ORDER)
  if (rule === 'cmdline-wins' && (value < 0 || value > MAX_ORDER)) return { ok: false, error: `-EINVAL: ${value} outside 0..${MAX_ORDER}` }
  return { ok: true, order: value }
}
