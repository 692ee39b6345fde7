import { describe, expect, it } from 'vitest'
import { gridArgs, gridSize, rowCount, sweepablePaths } from './sweep_grid'
import { MAX_UI_SWEEP_POINTS } from '../../../../common/api'

const doc = { format: 'page-reporting-lab/experiment' as const, version: 1 as const, guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'alloc', mib: 512 }, { op: 'idle', ms: 1000 }] } }

describe('sweep grid', () => {
  it('offers the schema\'s numbers, choices and booleans, and each phase\'s fields', () => {
    const paths = sweepablePaths(doc)
    const byPath = new Map(paths.map((p) => [p.path, p]))
    expect(byPath.get('reporting.delayMs')?.unit).toBe('ms')
    expect(byPath.get('guest.kernel')?.example).toContain('6.6')
    expect(byPath.get('workload.phases[0].mib')?.label).toBe('phase 1 (alloc) · mib (MiB)')
    expect(byPath.get('workload.phases[1].ms')).toBeDefined()
    expect(byPath.has('name')).toBe(false)
    expect(byPath.has('guest')).toBe(false)
  })

  it('counts values as prlab sweep reads them, ranges expanded', () => {
    expect(rowCount({ path: 'reporting.order', values: '5,7,9' })).toEqual({ count: 3 })
    expect(rowCount({ path: 'reporting.delayMs', values: '100..2000:100' })).toEqual({ count: 20 })
    expect(rowCount({ path: 'reporting.order', values: '5,,7' })).toEqual({ error: expect.stringMatching(/empty value/) })
    expect(rowCount({ path: '', values: '1' })).toEqual({ error: 'pick a path' })
  })

  it('multiplies the rows into points, and refuses a path twice or too many points', () => {
    const rows = [
      { path: 'reporting.order', values: '5,7,9' },
      { path: 'reporting.delayMs', values: '100,2000' },
    ]
    expect(gridSize(rows)).toEqual({ points: 6 })
    expect(gridArgs(rows)).toEqual(['reporting.order=5,7,9', 'reporting.delayMs=100,2000'])
    expect(gridSize([rows[0], rows[0]])).toEqual({ error: expect.stringMatching(/given twice/) })
    expect(gridSize([{ path: 'reporting.delayMs', values: `1..${MAX_UI_SWEEP_POINTS + 1}` }])).toEqual({ error: expect.stringMatching(/at most/) })
  })
})
