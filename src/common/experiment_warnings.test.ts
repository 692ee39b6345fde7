import { describe, expect, it } from 'vitest'
import { ExperimentSchema, type ExperimentInput } from './experiment'
import { effectiveReportingOrder, experimentWarnings } from './experiment_warnings'
import quickDrain from '../../resources/examples/quick-drain-2g.prlab.json'
import hyperv from '../../resources/examples/hyperv-order-5.prlab.json'
import vfio from '../../resources/examples/vfio-inhibited.prlab.json'
import hugetlb1g from '../../resources/examples/hugetlb-1g-ignored.prlab.json'

const parse = (doc: unknown, over: Partial<ExperimentInput> = {}) => ExperimentSchema.parse({ ...(doc as object), ...over })
const paths = (doc: unknown, over: Partial<ExperimentInput> = {}) => experimentWarnings(parse(doc, over)).map((w) => w.path)

describe('experiment warnings', () => {
  it('a plain virtio-balloon experiment has none', () => {
    expect(experimentWarnings(parse(quickDrain))).toEqual([])
  })

  it('capacity above the virtqueue size: the probe fails with -ENOSPC', () => {
    const w = experimentWarnings(parse(quickDrain, { reporting: { capacity: 128 } }))
    expect(w.map((x) => x.path)).toEqual(['reporting.capacity', 'reporting.capacity'])
    expect(w[0].message).toContain('-ENOSPC')
    expect(w[0].fn).toBe('virtballoon_probe()')
  })

  it('init_on_free without F_PAGE_POISON clears F_REPORTING; with it, poison_val 0 keeps discards', () => {
    expect(paths(quickDrain, { guest: { memoryMiB: 2048, initOnFree: true }, device: { offerPagePoison: false } })).toEqual(['device.offerPagePoison'])
    expect(paths(quickDrain, { guest: { memoryMiB: 2048, initOnFree: true } })).toEqual([])
    // page_poison=1 negotiates poison_val 0xaaaaaaaa: QEMU discards nothing
    expect(paths(quickDrain, { guest: { memoryMiB: 2048, pagePoisoning: true } })).toEqual(['guest.pagePoisoning'])
  })

  it('hv-balloon below order 9 on a host refusing small ranges; fine when the host accepts them', () => {
    expect(paths(hyperv)).toEqual(['reporting.order'])
    expect(experimentWarnings(parse(hyperv))[0].message).toContain('HV_STATUS_INVALID_PARAMETER')
    expect(paths(hyperv, { device: { hvAcceptsSmallOrders: true } })).toEqual([])
  })

  it('hv-balloon by kernel version: refused before 5.13 (schema), no small-range warning on 5.13-6.2, a wrapped-range warning for a sysfs order below 9 there', () => {
    const r = ExperimentSchema.safeParse({ ...hyperv, guest: { ...hyperv.guest, kernel: '5.10' } })
    expect(r.success).toBe(false)
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['reporting.device', expect.stringMatching(/hv-balloon has no free page reporting on Linux 5\.10: .*from 5\.13/)]])
    // 6.1: the command line order is overwritten at registration (9); every range goes as 2 MiB pages
    const on61 = { ...hyperv, guest: { ...hyperv.guest, kernel: '6.1' } }
    expect(paths(on61)).toEqual([])
    const sysfs5 = { ...on61, workload: { phases: [{ op: 'sysfs-order', order: 5 }] } }
    const w = experimentWarnings(parse(sysfs5)).find((x) => x.path === 'workload.phases[0].order')
    expect(w?.message).toMatch(/additional_pages = -1 \(2047 in its 11 bits\)/)
    expect(w?.fn).toBe('hv_free_page_report()')
  })

  it('discard inhibited, 1 GiB backing, 2 MiB backing below order 9', () => {
    expect(paths(vfio)).toEqual(['host.discard'])
    expect(paths(hugetlb1g)).toEqual(['host.backing'])
    expect(paths(quickDrain, { host: { backing: 'hugetlb-2m' } })).toEqual([])
    expect(paths(quickDrain, { host: { backing: 'hugetlb-2m' }, reporting: { order: 5 } })).toEqual(['host.backing'])
  })

  it('a run shorter than registration + delay; order on 5.10; sysfs writes the kernel refuses', () => {
    expect(paths(quickDrain, { durationMs: 1500 })).toEqual(['durationMs'])
    expect(paths(quickDrain, { guest: { memoryMiB: 2048, kernel: '5.10' }, reporting: { order: 5 } })).toEqual(['reporting.order'])
    const sysfs = { workload: { phases: [{ op: 'sysfs-order' as const, order: 11 }] } }
    expect(paths(quickDrain, sysfs)).toEqual(['workload.phases[0].order'])
    expect(experimentWarnings(parse(quickDrain, { ...sysfs, guest: { memoryMiB: 2048, kernel: '6.1' } }))[0].message).toContain('reporting stops')
  })

  it('the effective order follows the kernel rule: 6.6 keeps the command line, 5.14-6.2 overwrite it at registration', () => {
    expect(effectiveReportingOrder(parse(quickDrain))).toBe(9)
    expect(effectiveReportingOrder(parse(quickDrain, { reporting: { order: 5 } }))).toBe(5)
    expect(effectiveReportingOrder(parse(quickDrain, { guest: { memoryMiB: 2048, kernel: '6.1' }, reporting: { order: 5 } }))).toBe(9)
    expect(effectiveReportingOrder(parse(quickDrain, { guest: { memoryMiB: 2048, hugetlb: false } }))).toBe(10)
  })
})
