import { describe, expect, it } from 'vitest'
import { FIT_FIGURES, meets, parseObjective, type FitFigure } from './fit_objective'

const figures = (over: Partial<Record<FitFigure, number>> = {}): Record<FitFigure, number> => {
  const out = {} as Record<FitFigure, number>
  for (const f of Object.keys(FIT_FIGURES) as FitFigure[]) out[f] = 0
  return { ...out, ...over }
}

describe('fit objective', () => {
  it('parses conditions joined by commas, spaces allowed, every operator', () => {
    const o = parseObjective('swapin_ms_per_s<5, min_host_free_kib >= 262144,oom_kills==0,swapin_ms_per_s_max<=2.5e1,peak_swap_used_kib>-1')
    expect(o.conditions).toEqual([
      { figure: 'swapin_ms_per_s', op: '<', value: 5 },
      { figure: 'min_host_free_kib', op: '>=', value: 262144 },
      { figure: 'oom_kills', op: '==', value: 0 },
      { figure: 'swapin_ms_per_s_max', op: '<=', value: 25 },
      { figure: 'peak_swap_used_kib', op: '>', value: -1 },
    ])
    expect(o.text).toBe('swapin_ms_per_s<5, min_host_free_kib >= 262144, oom_kills==0, swapin_ms_per_s_max<=2.5e1, peak_swap_used_kib>-1')
  })

  it('says what is wrong: unknown figures (listing the known ones), missing numbers, empty parts', () => {
    expect(() => parseObjective('swapins<5')).toThrow(/unknown figure "swapins"; expected one of swapin_ms_per_s, /)
    expect(() => parseObjective('swapin_ms_per_s<')).toThrow(/is not a condition; expected figure op number/)
    expect(() => parseObjective('swapin_ms_per_s=5')).toThrow(/is not a condition/)
    expect(() => parseObjective('swapin_ms_per_s<5,')).toThrow(/separated by commas/)
    expect(() => parseObjective('')).toThrow(/expected conditions/)
  })

  it('every condition must hold; an OOM kill never fits', () => {
    const o = parseObjective('swapin_ms_per_s<5,reclaim_stall_ms<=100')
    expect(meets(o, figures({ swapin_ms_per_s: 4.99, reclaim_stall_ms: 100 }))).toEqual({ ok: true, why: 'swapin_ms_per_s = 4.99, reclaim_stall_ms = 100' })
    expect(meets(o, figures({ swapin_ms_per_s: 5 }))).toEqual({ ok: false, why: 'swapin_ms_per_s = 5, not < 5' })
    expect(meets(o, figures({ reclaim_stall_ms: 100.5 })).why).toBe('reclaim_stall_ms = 100.5, not <= 100')
    expect(meets(o, figures({ oom_kills: 2 }))).toEqual({ ok: false, why: 'the OOM killer killed 2 guests' })
    expect(meets(o, figures({ swapin_ms_per_s: Number.NaN })).ok).toBe(false)
  })
})
