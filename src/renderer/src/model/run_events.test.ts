import { describe, expect, it } from 'vitest'
import type { SimEvent } from '../../../common/samples'
import { addToPasses, describePass, notableKind, type PassBand } from './run_events'

describe('notable events', () => {
  it('failures, order changes and unregister are notable; routine events are not', () => {
    const kind = (e: Omit<SimEvent, 't_ms'>) => notableKind({ t_ms: 0, ...e })
    expect(kind({ kind: 'register', detail: 'no reporting: virtio-balloon: probe failed: -ENOSPC (reporting_vq size 32 < 128)' })).toBe('probe-failure')
    expect(kind({ kind: 'register', detail: 'virtio-balloon' })).toBe('register')
    expect(kind({ kind: 'report_error', detail: 'err -22' })).toBe('report-error')
    expect(kind({ kind: 'order_change', detail: 'hv_balloon INVALID_PARAMETER: 5 -> 9' })).toBe('order-change')
    expect(kind({ kind: 'order_change', detail: 'register: 5 -> 9' })).toBe('order-change')
    // 6.3+ filling the unset order at registration happens in every run
    expect(kind({ kind: 'order_change', detail: 'register: unset -> 9' })).toBe('register')
    expect(kind({ kind: 'alloc_failure' })).toBe('alloc-failure')
    expect(kind({ kind: 'phase', detail: 'allocation failed (order 0): out of memory with 5 requests left' })).toBe('alloc-failure')
    expect(kind({ kind: 'report', kib: 4 })).toBeNull()
    expect(kind({ kind: 'state', detail: 'ACTIVE' })).toBeNull()
  })
})

describe('pass bands', () => {
  it('fold pass_start, reports and pass_end into numbered bands with calls, MiB, orders and duration', () => {
    const passes: PassBand[] = []
    const events: SimEvent[] = [
      { t_ms: 2000, kind: 'pass_start', order: 9 },
      { t_ms: 2000, kind: 'report', order: 9, count: 32, kib: 65536, dur_ms: 0.5, detail: 'orders 9-10' },
      { t_ms: 2000.5, kind: 'report', order: 9, count: 4, kib: 8192, dur_ms: 0.1 },
      { t_ms: 2000.6, kind: 'pass_end', count: 2, kib: 73728, dur_ms: 0.6 },
      { t_ms: 4000, kind: 'pass_start', order: 9 },
      { t_ms: 4000, kind: 'report_error', order: 5, count: 32, kib: 4096, dur_ms: 0.02, detail: 'err -22' },
      { t_ms: 4000.02, kind: 'pass_end', detail: 'aborted: report() returned -22' },
    ]
    for (const e of events) addToPasses(passes, e)
    expect(passes).toHaveLength(2)
    expect(passes[0]).toMatchObject({ n: 1, t0_ms: 2000, t1_ms: 2000.6, calls: 2, kib: 73728, minOrder: 9, maxOrder: 10, errors: 0, done: true })
    expect(describePass(passes[0])).toBe('pass #1: 2 report() calls, 72 MiB, orders 9-10, 0.6 ms')
    expect(passes[1]).toMatchObject({ n: 2, calls: 1, kib: 0, errors: 1, aborted: 'aborted: report() returned -22' })
    expect(describePass(passes[1])).toContain('1 failed')
  })
})
