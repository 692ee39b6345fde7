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

export interface KernelPreset {
  readonly version: KernelVersion
  readonly orderRule: OrderRule
  /** Orders kept on per-CPU lists (pcp_allowed_order()). */
  readonly pcpOrders: readonly number[]
  readonly pcpHighMode: 'six-batch' | 'low-wmark'
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

export function kernelPreset(version: KernelVersion, thpEnabled: boolean, pageblockOrder: number): KernelPreset {
  const old = version === '5.10'
  return {
    version,
    orderRule: orderRuleOf(version),
    // 5.13 added orders 1-3 and the THP order (pageblock_order on 6.6) to the PCP lists.
    pcpOrders: old ? [0] : thpEnabled ? [0, 1, 2, 3, pageblockOrder] : [0, 1, 2, 3],
    pcpHighMode: old ? 'six-batch' : 'low-wmark',
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
