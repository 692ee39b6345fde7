import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadRecording } from './recording_import'

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'validation')
const tmp = mkdtempSync(join(tmpdir(), 'prlab-rec-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('loadRecording', () => {
  it.each(['free_all', 'churn', 'free_stripe_nothp'])('reads the reference recording %s as meta.json counts it', (name) => {
    const rec = loadRecording(join(FIXTURES, name))
    const counts = rec.meta.counts as { host_samples: number; events: number; report_calls: number }
    expect(rec.hostRss.length).toBe(counts.host_samples)
    expect(rec.events.length).toBe(counts.events)
    expect(rec.reports.length).toBe(counts.report_calls)
    expect(rec.guest.zone_DMA32_pcp_high_cpu0).toBe('6928')
    expect(rec.clockOffsetMs).toBeGreaterThan(0)
    // two buddyinfo zones per sample; the unpopulated Normal zone has empty per-CPU cells
    expect(new Set(rec.buddy.map((b) => b.zone))).toEqual(new Set(['DMA', 'DMA32']))
    expect(rec.pcp.find((p) => p.zone === 'Normal')?.pcp).toEqual([null, null])
    expect(rec.pcp.find((p) => p.zone === 'DMA32')?.pcp.every((c) => typeof c === 'number')).toBe(true)
  })
  it('names the file, the line and the column of a bad value', () => {
    const dir = join(tmp, 'bad-number')
    cpSync(join(FIXTURES, 'free_all'), dir, { recursive: true })
    const lines = readFileSync(join(dir, 'reports.csv'), 'utf8').split('\n')
    lines[3] = lines[3].replace(/,32,/, ',lots,')
    writeFileSync(join(dir, 'reports.csv'), lines.join('\n'))
    expect(() => loadRecording(dir)).toThrow(/reports\.csv:4: nents must be a number, got "lots"/)
  })
  it('names a missing file and a header without the expected columns', () => {
    const dir = join(tmp, 'bad-header')
    cpSync(join(FIXTURES, 'free_all'), dir, { recursive: true })
    writeFileSync(join(dir, 'host_rss.csv'), 'time,rss\n1,2\n')
    expect(() => loadRecording(dir)).toThrow(/host_rss\.csv: header lacks t_ms, rss_kib/)
    rmSync(join(dir, 'pcp.csv'))
    writeFileSync(join(dir, 'host_rss.csv'), 't_ms,rss_kib\n1,2\n')
    expect(() => loadRecording(dir)).toThrow(/pcp\.csv: missing/)
  })
})
