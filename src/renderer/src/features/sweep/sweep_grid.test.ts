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

describe('sweep grid values against the schema', () => {
  const paths = sweepablePaths(doc)
  it('checks each value of a known path against its field: type, bounds, choices', () => {
    expect(rowCount({ path: 'reporting.order', values: '5,x' }, paths)).toEqual({ error: 'x: expected a number' })
    expect(rowCount({ path: 'reporting.order', values: '5.5' }, paths)).toEqual({ error: '5.5: expected an integer' })
    expect(rowCount({ path: 'reporting.order', values: '0..10' }, paths)).toEqual({ count: 11 })
    expect(rowCount({ path: 'reporting.order', values: '9..11' }, paths)).toEqual({ error: '11: above the most, 10' })
    expect(rowCount({ path: 'reporting.delayMs', values: '-5' }, paths)).toEqual({ error: expect.stringMatching(/^-5: below the least, \d+/) })
    expect(rowCount({ path: 'guest.kernel', values: '6.6,9.9' }, paths)).toEqual({ error: expect.stringMatching(/^9\.9: expected one of .*6\.6/) })
    expect(gridSize([{ path: 'reporting.order', values: '5,x' }], paths)).toEqual({ error: 'row 1: x: expected a number' })
    // a path the document does not offer (yet) is left to the host
    expect(rowCount({ path: 'workload.phases[5].mib', values: 'x' }, paths)).toEqual({ count: 1 })
  })
})
