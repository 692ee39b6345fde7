import { describe, expect, it } from 'vitest'
import { ExperimentSchema, type ExperimentInput } from '../../../common/experiment'
import { PRESETS, applyPreset } from './presets'

const doc: ExperimentInput = {
  format: 'page-reporting-lab/experiment',
  version: 2,
  guest: { memoryMiB: 4096, cpus: 4 },
  reporting: { delayMs: 500 },
  host: { backing: 'hugetlb-1g', discard: false },
  workload: { phases: [{ op: 'idle', ms: 1000 }] },
}
const preset = (id: string) => {
  const p = PRESETS.find((x) => x.id === id)
  if (!p) throw new Error(id)
  return p
}
const parsed = (d: ExperimentInput) => ExperimentSchema.parse(d)

describe('presets', () => {
  it('QEMU: virtio-balloon with page-poison, queue 32, THP backing, discards on, kernel delay back', () => {
    const e = parsed(applyPreset(doc, preset('qemu')))
    expect(e.reporting).toMatchObject({ device: 'virtio-balloon', delayMs: 2000, capacity: 32, order: null })
    expect(e.device).toMatchObject({ offerPagePoison: true, queueSize: 32 })
    expect(e.host).toMatchObject({ backing: 'anon-thp', discard: true, poisonVal: 0 })
  })

  it('Firecracker: no F_PAGE_POISON, queue 256, 4 KiB anonymous memory', () => {
    const e = parsed(applyPreset(doc, preset('firecracker')))
    expect(e.device).toMatchObject({ offerPagePoison: false, queueSize: 256 })
    expect(e.host.backing).toBe('anon-4k')
  })

  it('Cloud Hypervisor: no F_PAGE_POISON, queue 32', () => {
    const e = parsed(applyPreset(doc, preset('cloud-hypervisor')))
    expect(e.device).toMatchObject({ offerPagePoison: false, queueSize: 32 })
  })

  it('Hyper-V switches the driver to hv_balloon that refuses small orders', () => {
    const e = parsed(applyPreset(doc, preset('hyper-v')))
    expect(e.reporting.device).toBe('hv-balloon')
    expect(e.device.hvAcceptsSmallOrders).toBe(false)
  })

  it('VFIO only inhibits discards', () => {
    const on = applyPreset(doc, preset('qemu'))
    const vfio = applyPreset(on, preset('vfio'))
    expect(vfio.host?.discard).toBe(false)
    expect({ ...vfio, host: { ...vfio.host, discard: true } }).toEqual(on)
  })

  it('tuned reporting: 100 ms delay, capacity 512, order 9; keeps the rest of the document', () => {
    const next = applyPreset(doc, preset('tuned'))
    expect(next.reporting).toEqual({ delayMs: 100, capacity: 512, order: 9 })
    expect(next.guest).toEqual(doc.guest)
    expect(next.workload).toEqual(doc.workload)
  })

  it('every preset yields a valid experiment', () => {
    for (const p of PRESETS) expect(ExperimentSchema.safeParse(applyPreset(doc, p)).success).toBe(true)
  })
})
