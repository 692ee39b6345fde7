import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from './run'

const ROOT = join(__dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'prlab-run-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let err: string[] = []
beforeEach(() => {
  err = []
  vi.spyOn(console, 'error').mockImplementation((s) => void err.push(String(s)))
  vi.spyOn(console, 'log').mockImplementation(() => undefined)
})
afterEach(() => vi.restoreAllMocks())

function write(name: string, doc: Record<string, unknown>): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify({ format: 'page-reporting-lab/experiment', version: 1, durationMs: 2000, ...doc }))
  return path
}

describe('prlab run with real data', () => {
  it('exits 2 naming workload.phases[i].file when a replay trace is missing', async () => {
    const file = write('missing.prlab.json', { guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'idle', ms: 10 }, { op: 'replay', file: 'traces/none.txt' }] } })
    expect(await main([file, '--quiet'])).toBe(2)
    expect(err.join('\n')).toMatch(/missing\.prlab\.json: workload\.phases\[1\]\.file: cannot read traces\/none\.txt: ENOENT/)
  })

  it('exits 2 when the trace is garbage', async () => {
    writeFileSync(join(dir, 'garbage.txt'), 'this is not a trace\n'.repeat(50))
    const file = write('garbage.prlab.json', { guest: { memoryMiB: 1024 }, workload: { phases: [{ op: 'replay', file: 'garbage.txt' }] } })
    expect(await main([file, '--quiet'])).toBe(2)
    expect(err.join('\n')).toMatch(/workload\.phases\[0\]\.file: cannot use garbage\.txt: /)
  })

  it('exits 2 naming the zone when the initial free state does not fit the guest', async () => {
    writeFileSync(join(dir, 'buddyinfo.txt'), 'Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      1      3 \nNode 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0    900 \n')
    const file = write('toobig.prlab.json', { guest: { memoryMiB: 1024, initialFreeState: { file: 'buddyinfo.txt' } } })
    expect(await main([file, '--quiet'])).toBe(2)
    expect(err.join('\n')).toMatch(/toobig\.prlab\.json: guest\.initialFreeState: buddyinfo\.txt: zone DMA32 of the snapshot has 921600 free pages \(3600\.0 MiB\); the simulated zone has 248064 free pages/)
  })

  it('runs the shipped replay example, its trace resolved next to the experiment file', async () => {
    const out = join(dir, 'example')
    expect(await main([join(ROOT, 'resources/examples/replay-kmem-trace.prlab.json'), '--out', out, '--quiet'])).toBe(0)
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, number>
    expect(summary.replay_ops_done).toBe(summary.replay_ops)
    expect(summary.replay_ops).toBe(730)
    expect(readFileSync(join(out, 'events.csv'), 'utf8')).toMatch(/replay of traces\/cc1-exit-1g\.trace\.txt done: 730 operations/)
  })
})
