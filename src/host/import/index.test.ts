import { describe, expect, it } from 'vitest'
import { parseSweepCsv } from './index'

describe('sweep.csv as a table', () => {
  const csv = [
    'point,guest.kernel,reporting.delayMs,reporting.order,status,first_report_ms,report_calls',
    '0,5.10,100,null,ok,100,21',
    '1,6.6,2000,9,ok,2000,16',
    '2,6.10,2000,9,failed,,',
  ].join('\n')

  it('keeps grid values as written when a number would change them, and reads figures as numbers', () => {
    const r = parseSweepCsv('sweep.csv', csv)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.parameters).toEqual(['guest.kernel', 'reporting.delayMs', 'reporting.order'])
    expect(r.value.rows[0]).toEqual([0, '5.10', 100, 'null', 'ok', 100, 21])
    expect(r.value.rows[1].slice(1, 4)).toEqual([6.6, 2000, 9])
    expect(r.value.rows[2]).toEqual([2, '6.10', 2000, 9, 'failed', null, null])
  })

  it('refuses a CSV that is not a sweep table, naming the file', () => {
    const r = parseSweepCsv('other.csv', 'time,rss\n0,1\n')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/^other\.csv: not a sweep\.csv/)
  })
})
