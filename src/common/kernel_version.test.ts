import { describe, expect, it } from 'vitest'
import { bootReportingOrder, hvReportingOf, kernelPreset, orderAtRegister, orderRuleOf, pageblockOrderOf, REPORTING_ORDER_UNSET, sysfsWriteOrder } from './kernel_version'

describe('kernel presets', () => {
  it('per-CPU free path: batch_free cycling and no free_high up to 5.17; THP lists 3, 1, 2', () => {
    expect(kernelPreset('5.10', true, 9).pcp).toEqual({ bulkFree: 'batch-free', freeHigh: false, thpLists: 3 })
    expect(kernelPreset('5.14', true, 9).pcp).toEqual({ bulkFree: 'batch-free', freeHigh: false, thpLists: 3 })
    expect(kernelPreset('6.1', true, 9).pcp).toEqual({ bulkFree: 'requested-first', freeHigh: true, thpLists: 1 })
    expect(kernelPreset('6.6', true, 9).pcp).toEqual({ bulkFree: 'requested-first', freeHigh: true, thpLists: 2 })
  })

  it('hv_balloon page reporting: none before 5.13, 2 MiB pages only on 5.13-6.2, any order from 6.3', () => {
    expect(hvReportingOf('5.10')).toBe('none')
    expect(hvReportingOf('5.14')).toBe('large-pages')
    expect(hvReportingOf('6.1')).toBe('large-pages')
    expect(hvReportingOf('6.6')).toBe('any-order')
    expect(kernelPreset('6.1', true, 9).hvReporting).toBe('large-pages')
  })

  it('PCP orders: 5.10 order 0 only; 5.14+ orders 0-3 plus the THP order when built with CONFIG_TRANSPARENT_HUGEPAGE', () => {
    expect(kernelPreset('5.10', true, 9).pcpOrders).toEqual([0])
    expect(kernelPreset('5.14', true, 9).pcpOrders).toEqual([0, 1, 2, 3, 9])
    expect(kernelPreset('6.6', true, 9).pcpOrders).toEqual([0, 1, 2, 3, 9])
    expect(kernelPreset('6.6', false, 9).pcpOrders).toEqual([0, 1, 2, 3])
  })

  it('PCP high: 5.10 six times batch, later the low watermark rule', () => {
    expect(kernelPreset('5.10', true, 9).pcpHighMode).toBe('six-batch')
    expect(kernelPreset('6.1', true, 9).pcpHighMode).toBe('low-wmark')
  })

  it('pageblock_order is 10 without CONFIG_HUGETLB_PAGE', () => {
    expect(pageblockOrderOf(true)).toBe(9)
    expect(pageblockOrderOf(false)).toBe(10)
  })

  it('6.1 belongs to the 5.14-6.2 group', () => {
    expect(orderRuleOf('5.10')).toBe('fixed-pageblock')
    expect(orderRuleOf('5.14')).toBe('register-overwrites')
    expect(orderRuleOf('6.1')).toBe('register-overwrites')
    expect(orderRuleOf('6.6')).toBe('cmdline-wins')
  })
})

describe('§5.27 order selection', () => {
  it('6.6: the command line wins over the driver; unset -> pageblock_order', () => {
    const boot = bootReportingOrder('cmdline-wins', 5, 9)
    expect(boot).toBe(5)
    expect(orderAtRegister('cmdline-wins', boot, 0, 9)).toBe(5)
    const unset = bootReportingOrder('cmdline-wins', null, 9)
    expect(unset).toBe(REPORTING_ORDER_UNSET)
    expect(orderAtRegister('cmdline-wins', unset, 0, 9)).toBe(9)
    expect(orderAtRegister('cmdline-wins', unset, 0, 10)).toBe(10)
    // a driver asking for order 5 (arm64 64K virtio-balloon) gets it when the parameter is unset
    expect(orderAtRegister('cmdline-wins', unset, 5, 9)).toBe(5)
  })

  it('5.14/6.1: registration overwrites the command line with prdev->order ?: pageblock_order', () => {
    const boot = bootReportingOrder('register-overwrites', 5, 9)
    expect(boot).toBe(5)
    expect(orderAtRegister('register-overwrites', boot, 0, 9)).toBe(9)
    expect(bootReportingOrder('register-overwrites', null, 9)).toBe(11)
  })

  it('5.10: always pageblock_order, no parameter', () => {
    expect(bootReportingOrder('fixed-pageblock', 3, 9)).toBe(9)
    expect(orderAtRegister('fixed-pageblock', 9, 0, 9)).toBe(9)
    expect(sysfsWriteOrder('fixed-pageblock', 5).ok).toBe(false)
  })

  it('sysfs: 6.6 validates 0..10, 5.14-6.2 accepts anything', () => {
    expect(sysfsWriteOrder('cmdline-wins', 11)).toEqual({ ok: false, error: '-EINVAL: 11 outside 0..10' })
    expect(sysfsWriteOrder('cmdline-wins', 10)).toEqual({ ok: true, order: 10 })
    expect(sysfsWriteOrder('register-overwrites', 4096)).toEqual({ ok: true, order: 4096 })
  })
})
