import { describe, expect, it } from 'vitest'
import type { RssSeries } from '../../../../common/imports'
import { importSummary } from './import_summary'

describe('import summary', () => {
  it('says what an RSS import holds, in its units', () => {
    const rss: RssSeries = { kind: 'rss', fileName: 'out_0.csv', lines: 3, problems: [], problemCount: 0, t_ms: [0, 1720, 68_800], rss_kib: [1, 2, 3], timeColumn: 'time', rssColumn: 'rss', rssUnit: 'bytes', extra: [] }
    expect(importSummary(rss)).toBe('3 RSS samples (time, rss in bytes) over 69 s')
    expect(importSummary({ ...rss, t_ms: [0, 1500] })).toBe('2 RSS samples (time, rss in bytes) over 1.5 s')
  })
})
