import { describe, expect, it } from 'vitest'
import type { SimEvent } from '../common/samples'
import { HostBacking } from './host_backing'
import { Scatterlist } from './page_reporting'
import { PAGE_POISON_VAL, VirtioBalloon, type VirtioBalloonConfig, probeVirtioBalloon } from './virtio_balloon'

const base = { queueSize: 32, offerPagePoison: true, initOnFree: false, pagePoisoning: false, capacity: 32, hostPoisonVal: 0 }

function device(over: Partial<VirtioBalloonConfig> = {}): { dev: VirtioBalloon; host: HostBacking; events: SimEvent[] } {
  const host = new HostBacking({
    backing: 'anon-4k',
    maxPfn: 1 << 16,
    ranges: [{ startPfn: 0, endPfn: 1 << 16 }],
    prepopulate: true,
    discardUsPer4k: 1,
    discardUsPer2m: 8,
    refaultUsPer4k: 3,
    refaultUsPer2m: 300,
  })
  const events: SimEvent[] = []
  const dev = new VirtioBalloon({ ...base, hostDiscard: true, reportLatencyUs: 20, host, now_ms: () => 0, emit: (e) => events.push(e), ...over })
  return { dev, host, events }
}

function sgl(entries: [number, number][]): Scatterlist {
  const s = new Scatterlist(32)
  entries.forEach(([pfn, order], i) => {
    s.pfn[i] = pfn
    s.order[i] = order
  })
  return s
}

describe('virtio_balloon probe', () => {
  it('§5.30 init_on_free or page poisoning without F_PAGE_POISON: F_REPORTING cleared, no reporting at all', () => {
    expect(probeVirtioBalloon({ ...base, initOnFree: true, offerPagePoison: false }).reporting).toBe(false)
    expect(probeVirtioBalloon({ ...base, pagePoisoning: true, offerPagePoison: false }).reporting).toBe(false)
    expect(probeVirtioBalloon({ ...base, offerPagePoison: false }).reporting).toBe(true)
  })

  it('poison_val: 0 for init_on_free, 0xaaaaaaaa for page poisoning, when F_PAGE_POISON is negotiated', () => {
    expect(probeVirtioBalloon({ ...base, initOnFree: true })).toMatchObject({ reporting: true, pagePoisonNegotiated: true, poisonVal: 0 })
    expect(probeVirtioBalloon({ ...base, pagePoisoning: true })).toMatchObject({ reporting: true, poisonVal: PAGE_POISON_VAL })
    // neither: F_PAGE_POISON is cleared and poison_val stays what the device holds
    expect(probeVirtioBalloon(base)).toMatchObject({ pagePoisonNegotiated: false, poisonVal: 0 })
  })

  it('a reporting virtqueue smaller than 32 fails the probe with -ENOSPC', () => {
    const p = probeVirtioBalloon({ ...base, queueSize: 16 })
    expect(p.reporting).toBe(false)
    expect(p.reason).toMatch(/ENOSPC/)
    expect(probeVirtioBalloon({ ...base, queueSize: 256 }).reporting).toBe(true)
  })
})

describe('virtio_balloon report (QEMU handling)', () => {
  it('§5.29 one chain per report: discards every range and acks after latency + discard cost', () => {
    const { dev, host, events } = device()
    const r = dev.report(sgl([[0, 9], [1024, 9]]), 0, 2)
    expect(r.err).toBe(0)
    expect(r.dur_ns).toBe(20_000 + 1024 * 1_000)
    expect(host.rssPages).toBe((1 << 16) - 1024)
    expect(events).toEqual([{ t_ms: 0, kind: 'discard', count: 2, kib: 4096, dur_ms: 1.044, detail: undefined }])
  })

  it('§5.31 poison_val != 0 or inhibited discard: acked (err 0) but host RSS does not drop', () => {
    for (const over of [{ pagePoisoning: true }, { hostDiscard: false }]) {
      const { dev, host } = device(over)
      expect(dev.report(sgl([[0, 9]]), 0, 1)).toEqual({ err: 0, dur_ns: 20_000 })
      expect(host.rssPages).toBe(1 << 16)
      expect(host.reclaimedPages).toBe(0)
    }
    // init_on_free negotiates poison_val 0: QEMU discards
    const { dev, host } = device({ initOnFree: true })
    dev.report(sgl([[0, 9]]), 0, 1)
    expect(host.rssPages).toBe((1 << 16) - 512)
  })
})
