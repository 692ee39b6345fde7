import { describe, expect, it } from 'vitest'
import { fitClock, GuestStream, parseReportLine } from './guest_stream'

describe('parseReportLine (the gt/report kprobe as tracefs prints it)', () => {
  it('reads cpu, mono timestamp, nents and the first entry length', () => {
    // a line of shared/reference/real-guest/trace_small/trace.txt
    const line = '     kworker/0:1-17      [000] .....     4.589273: report: (virtballoon_free_page_report+0x0/0x120 [virtio_balloon]) nents=32 len0=4194304'
    expect(parseReportLine(line)).toEqual({ cpu: 0, guest_ms: 4589.273, nents: 32, len0_bytes: 4194304 })
  })
  it('reads a hexadecimal nents and the 4-column flags of older kernels', () => {
    const line = 'kworker/1:1-45 [001] d..1 15.000001: report: (virtballoon_free_page_report+0x0/0x90 [virtio_balloon]) nents=0x1c len0=2097152'
    expect(parseReportLine(line)).toEqual({ cpu: 1, guest_ms: 15000.001, nents: 28, len0_bytes: 2097152 })
  })
  it('ignores other events', () => {
    expect(parseReportLine('init-1 [001] ..... 2.955258: mm_page_alloc: page=0000 pfn=0x2c68 order=1 migratetype=0 gfp_flags=GFP_KERNEL')).toBeNull()
  })
})

describe('GuestStream', () => {
  it('collects each line kind, padding and empty per-CPU cells included', () => {
    const s = new GuestStream()
    const lines = [
      'M kernel 6.1.0-57-amd64',
      'M cmdline console=ttyS0 panic=-1',
      'B 3485.631 DMA      0      0      0      0      0      1      1      1      0      1      3 ',
      'V 3485.631 nr_free_pages=235166 pgfree=248535',
      'P 3485.631 DMA32 231358 2555 334',
      'P 3485.631 Normal 0 - -',
      'E 3487.982 balloon_load',
      'T kworker/0:1-17 [000] ..... 5.089439: report: (virtballoon_free_page_report+0x0/0x120 [virtio_balloon]) nents=32 len0=4194304',
      'D zoneinfo_end',
      '| Node 0, zone      DMA',
      '|   pages free     3808',
      'D end',
      'X 21090.5 done',
    ]
    lines.forEach((l, i) => s.push(10_000 + i, l))
    expect(s.meta.get('kernel')).toBe('6.1.0-57-amd64')
    expect(s.meta.get('cmdline')).toBe('console=ttyS0 panic=-1')
    expect(s.buddy).toEqual([{ guest_ms: 3485.631, zone: 'DMA', nr_free: [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 3] }])
    expect([...s.vmstat[0].values]).toEqual([['nr_free_pages', 235166], ['pgfree', 248535]])
    expect(s.pcp).toEqual([
      { guest_ms: 3485.631, zone: 'DMA32', free_pages: 231358, pcp: [2555, 334] },
      { guest_ms: 3485.631, zone: 'Normal', free_pages: 0, pcp: [null, null] },
    ])
    expect(s.events).toEqual([{ guest_ms: 3487.982, event: 'balloon_load' }])
    expect(s.reports).toEqual([{ cpu: 0, guest_ms: 5089.439, nents: 32, len0_bytes: 4194304 }])
    expect(s.dumps.get('zoneinfo_end')).toEqual(['Node 0, zone      DMA', '  pages free     3808'])
    expect(s.done).toBe(true)
    expect(s.badLines).toEqual([])
    // trace lines arrive late (poll period): they are not clock points
    expect(s.clock.map((c) => c.guest_ms)).toEqual([3485.631, 3485.631, 3485.631, 3485.631, 3487.982, 21090.5])
  })
  it('keeps a bad line as a problem and goes on', () => {
    const s = new GuestStream()
    s.push(1, 'B 1.0 DMA 1 2 3')
    s.push(2, 'Q what')
    s.push(3, 'E x event')
    s.push(4, 'E 5.5 error alloc: mmap failed')
    expect(s.badLines.map((b) => b.message)).toEqual(['buddyinfo: expected 11 orders', 'unknown line kind', 'event time: not a number: "x"'])
    expect(s.guestError()).toBe('alloc: mmap failed')
  })
})

describe('fitClock', () => {
  it('takes the lower envelope of arrival - guest time', () => {
    // guest clock starts 4000 ms after the host's; lines arrive 1..9 ms late
    const points = [1, 5, 2, 9, 1.5, 3, 1, 7, 4, 2].map((late, i) => ({ guest_ms: i * 200, host_ms: 4000 + i * 200 + late }))
    const fit = fitClock(points)!
    expect(fit.offset_ms).toBeCloseTo(4001, 9)
    expect(fit.offset_first10pct_ms).toBeCloseTo(4001, 9)
    expect(fit.offset_last10pct_ms).toBeCloseTo(4002, 9)
    expect(fit.span_s).toBeCloseTo(1.8, 9)
    // delays above the envelope: 0,4,1,8,0.5,2,0,6,3,1 -> sorted, median the 6th of 10
    expect(fit.transport_delay_median_ms).toBeCloseTo(2, 9)
    expect(fit.transport_delay_p99_ms).toBeCloseTo(8, 9)
    expect(fitClock([])).toBeNull()
  })
})
