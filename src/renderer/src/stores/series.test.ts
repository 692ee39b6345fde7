import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { COL, NR_SAMPLE_COLUMNS } from '../../../common/samples'
import { useSeriesStore } from './series'

/** Rows at the given times; free_kib tells a preview row (1) from a full one (2) at the same time. */
function rowsAt(times: readonly number[], free_kib: number): Float64Array {
  const data = new Float64Array(times.length * NR_SAMPLE_COLUMNS)
  times.forEach((t, r) => {
    data[r * NR_SAMPLE_COLUMNS + COL.t_ms] = t
    data[r * NR_SAMPLE_COLUMNS + COL.free_kib] = free_kib
  })
  return data
}

const range = (from: number, to: number, step: number): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)

function push(store: ReturnType<typeof useSeriesStore>, id: string, times: number[], free_kib: number): void {
  store.append(id, times.length, rowsAt(times, free_kib))
}

describe('series store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('appends consecutive frames', () => {
    const store = useSeriesStore()
    store.reset('r', 10)
    push(store, 'r', [0, 100], 2)
    push(store, 'r', [200], 2)
    expect(Array.from(store.series?.column('t_ms') ?? [])).toEqual([0, 100, 200])
    expect(store.revision).toBe(3)
  })

  it('a resync after a flat-out preview leaves exactly the full rows, in order, once each', () => {
    const store = useSeriesStore()
    store.reset('r', 10)
    push(store, 'r', [0, 100, 200], 2) // paced rows, held in full
    push(store, 'r', [300, 1500], 1) // preview
    push(store, 'r', [3000, 4200], 1) // preview
    expect(Array.from(store.series?.column('t_ms') ?? [])).toEqual([0, 100, 200, 300, 1500, 3000, 4200])
    const before = store.series
    push(store, 'r', range(300, 2000, 100), 2) // the end: every row from the first the preview stood in for
    push(store, 'r', range(2100, 4200, 100), 2)
    expect(store.series).not.toBe(before)
    expect(Array.from(store.series?.column('t_ms') ?? [])).toEqual(range(0, 4200, 100))
    expect(Array.from(store.series?.column('free_kib') ?? []).every((v) => v === 2)).toBe(true)
    expect(store.series?.rows).toBe(43)
  })

  it('replaces a row at the frame\'s first time, keeps the rows before it', () => {
    const store = useSeriesStore()
    store.reset('r', 4)
    push(store, 'r', [0, 100], 2)
    push(store, 'r', [200], 1)
    push(store, 'r', [200, 300], 2)
    expect(Array.from(store.series?.column('t_ms') ?? [])).toEqual([0, 100, 200, 300])
    expect(Array.from(store.series?.column('free_kib') ?? [])).toEqual([2, 2, 2, 2])
  })

  it('frames that came before the run id are placed by the same rule, and other runs are not mixed in', () => {
    const store = useSeriesStore()
    store.reset('old', 4)
    push(store, 'new', [0, 500], 1)
    push(store, 'new', range(0, 600, 100), 2)
    push(store, 'old', [0], 2)
    store.reset('new', 8)
    expect(Array.from(store.series?.column('t_ms') ?? [])).toEqual(range(0, 600, 100))
    expect(Array.from(store.series?.column('free_kib') ?? [])).toEqual(Array(7).fill(2))
    push(store, 'other', [700], 2)
    expect(store.series?.rows).toBe(7)
  })
})
