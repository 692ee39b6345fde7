import { mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPLAY_ALLOC, REPLAY_FREE, type FtraceReplay, type ImportedData } from '../../common/imports'
import type { Result } from '../../common/api'
import { FtraceReplayer } from '../../common/ftrace_replay'
import { importFile, importText } from './index'

const FIXTURES = join(__dirname, '../../../test/fixtures/imports')
const dir = mkdtempSync(join(tmpdir(), 'prlab-ftrace-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function value(r: Result<ImportedData>): FtraceReplay {
  if (!r.ok) throw new Error(r.error.message)
  if (r.value.kind !== 'ftrace') throw new Error(`kind ${r.value.kind}`)
  return r.value
}

const ops = (r: FtraceReplay) =>
  Array.from({ length: r.count }, (_, i) => ({
    t_ns: r.t_ns[i],
    op: r.op[i] === REPLAY_ALLOC ? 'alloc' : 'free',
    pfn: r.pfn[i],
    order: r.order[i],
    mt: r.migratetype[i],
    cpu: r.cpu[i],
    ref: r.ref[i],
    offset: r.offset[i],
  }))

// The fixtures hold one scenario (see test/fixtures/imports/README.md); hand-derived replay:
const EXPECTED = [
  { t_ns: 0, op: 'alloc', pfn: 0x12a3c0, order: 0, mt: 1, cpu: 1, ref: -1, offset: 0 },
  { t_ns: 67_000, op: 'alloc', pfn: 0x12a400, order: 2, mt: 0, cpu: 0, ref: -1, offset: 0 },
  // the order-9 free of 0x1b7e00 was never allocated in the trace: skipped
  { t_ns: 1_115_767_000, op: 'free', pfn: 0x12a3c0, order: 0, mt: -1, cpu: 1, ref: 0, offset: 0 },
  // mm_page_free_batched of 0x12a3c0 repeats the free above; pcpu_drain is the allocator's own
  { t_ns: 1_195_767_000, op: 'free', pfn: 0x12a401, order: 0, mt: -1, cpu: 0, ref: 1, offset: 1 },
  // the failed order-10 alloc (pfn 0) and kmalloc are not replayed
  { t_ns: 1_895_767_000, op: 'alloc', pfn: 0x12a3c0, order: 0, mt: 1, cpu: 1, ref: -1, offset: 0 },
  { t_ns: 1_895_867_000, op: 'alloc', pfn: 0x12a402, order: 0, mt: 0, cpu: 0, ref: -1, offset: 0 },
]

describe('ftrace kmem importer', () => {
  for (const file of ['ftrace-6.6-trace.txt', 'ftrace-5.10-trace.txt', 'ftrace-6.6-trace-cmd.txt', 'ftrace-5.10-trace-cmd.txt']) {
    it(`converts ${file} to the hand-derived replay`, async () => {
      const r = value(await importFile('ftrace', join(FIXTURES, file)))
      expect(ops(r)).toEqual(EXPECTED)
      expect(r.start_ts).toBe('5120.104233')
      expect(r.stats).toMatchObject({
        allocs: 4,
        frees: 2,
        failedAllocs: 1,
        freesOfUnknownPfn: 1,
        batchedDuplicates: 1,
        allocsOfLivePfn: 1,
        liveAtEnd: 2,
        internalEvents: 2,
        otherEvents: 1,
        cpus: 2,
        pfnFormat: file.includes('5.10') ? 'decimal' : 'hex',
        traceCmdHeader: file.includes('trace-cmd'),
      })
      expect(r.stats.events).toEqual({
        mm_page_alloc: 5,
        mm_page_alloc_zone_locked: 1,
        mm_page_free: 3,
        mm_page_free_batched: 1,
        mm_page_pcpu_drain: 1,
        kmalloc: 1,
      })
      const lineOf = (needle: string) => readFileSync(join(FIXTURES, file), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1
      expect(r.problems.map((p) => p.line)).toEqual([lineOf('order=9'), lineOf('kmalloc'), lineOf('pfn=0x12a402') || lineOf('pfn=1221634')])
      expect(r.problems[0].message).toMatch(/never allocated/)
    })
  }

  it('is deterministic: the same text gives identical arrays', () => {
    const text = readFileSync(join(FIXTURES, 'ftrace-6.6-trace.txt'), 'utf8')
    expect(value(importText('ftrace', 'a', text))).toEqual(value(importText('ftrace', 'a', text)))
  })

  it('reads trace-cmd [FAILED TO PARSE] lines by their raw fields', () => {
    const text = 'cpus=1\n            bash-1234  [000]  10.000001: mm_page_alloc: [FAILED TO PARSE] pfn=4096 order=3 gfp_flags=3264 migratetype=1\n'
    const r = value(importText('ftrace', 'raw.txt', text))
    expect(ops(r)).toEqual([{ t_ns: 0, op: 'alloc', pfn: 4096, order: 3, mt: 1, cpu: 0, ref: -1, offset: 0 }])
  })

  it('reports lines that are not events, lost events, bad fields and time going back', () => {
    const ev = (ts: string, rest: string) => `            bash-1234    [000] .....  ${ts}: ${rest}`
    const text = [
      ev('1.000000', 'mm_page_alloc: page=0000000012345678 pfn=0x1000 order=0 migratetype=1 gfp_flags=GFP_KERNEL'),
      ev('1.000010', 'mm_page_alloc: page=0000000012345678 pfn=0x2000 order=11 migratetype=1 gfp_flags=GFP_KERNEL'),
      'CPU:0 [LOST 17 EVENTS]',
      ev('0.500000', 'mm_page_free: page=0000000012345678 pfn=0x1000 order=0'),
      ...Array.from({ length: 20 }, (_, k) => ev(`2.${String(k).padStart(6, '0')}`, `mm_page_alloc: page=0 pfn=0x${(0x3000 + k).toString(16)} order=0 migratetype=1 gfp_flags=GFP_KERNEL`)),
      'garbage here',
    ].join('\n')
    const r = value(importText('ftrace', 'p.txt', text))
    expect(r.problems).toEqual([
      { line: 2, message: 'mm_page_alloc: order 11 is not 0..10' },
      { line: 3, message: 'cpu 0 lost 17 events: the trace is incomplete there' },
      { line: 4, message: "timestamp earlier than the previous event; replayed at the previous event's time" },
      { line: 25, message: 'expected an ftrace event line "<task>-<pid> [<cpu>] <flags> <secs>.<usecs>: <event>: <fields>"' },
    ])
    expect(r.t_ns[1]).toBe(0)
    expect(r.op[1]).toBe(REPLAY_FREE)
  })

  it('frees of a high-order block page by page (split_page) all refer to its alloc', () => {
    const ev = (ts: string, rest: string) => `bash-1 [000] ....  ${ts}: ${rest}`
    const lines = [ev('1.0', 'mm_page_alloc: page=0 pfn=64 order=2 migratetype=0 gfp_flags=GFP_KERNEL')]
    for (const p of [65, 64, 67, 66]) lines.push(ev('1.1', `mm_page_free: page=0 pfn=${p} order=0`))
    lines.push(ev('1.2', 'mm_page_free: page=0 pfn=64 order=0'))
    const r = value(importText('ftrace', 's.txt', lines.join('\n')))
    expect(Array.from(r.ref)).toEqual([-1, 0, 0, 0, 0])
    expect(Array.from(r.offset)).toEqual([0, 1, 0, 3, 2])
    expect(r.stats.liveAtEnd).toBe(0)
    expect(r.stats.freesOfUnknownPfn).toBe(1)
  })

  it('refuses empty files, other text and traces without alloc/free events', () => {
    expect(importText('ftrace', 'e.txt', '# tracer: nop\n#\n').ok).toBe(false)
    const csv = importText('ftrace', 'x.csv', 'time,rss\n1,2\n')
    expect(!csv.ok && csv.error.message).toMatch(/^x\.csv: no ftrace event line found; first bad lines: line 1:/)
    const sched = importText('ftrace', 's.txt', '  bash-1 [000] .... 1.000: sched_switch: prev_comm=bash\n')
    expect(!sched.ok && sched.error.message).toMatch(/no mm_page_alloc or mm_page_free event to replay/)
  })

  it('streams a large trace (200k events) into typed arrays', async () => {
    const path = join(dir, 'big.txt')
    const out = createWriteStream(path)
    const N = 100_000
    for (let i = 0; i < N; i++) {
      const ts = `${1000 + Math.floor(i / 1000)}.${String((i % 1000) * 1000).padStart(6, '0')}`
      out.write(`           stress-9999    [00${i % 2}] .....  ${ts}: mm_page_alloc: page=00000000deadbeef pfn=0x${(0x100000 + i).toString(16)} order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE\n`)
      out.write(`           stress-9999    [00${i % 2}] .....  ${ts}: mm_page_free: page=00000000deadbeef pfn=0x${(0x100000 + i).toString(16)} order=0\n`)
    }
    await new Promise<void>((resolve) => out.end(resolve))
    const r = value(await importFile('ftrace', path))
    expect(r.count).toBe(2 * N)
    expect(r.stats.liveAtEnd).toBe(0)
    expect(r.t_ns[2 * N - 1]).toBe(99_999_000_000)
    expect(r.ref[2 * N - 1]).toBe(2 * N - 2)
  })
})

describe('ftrace replay determinism', () => {
  it('every layout of the same trace drives an allocator through the same calls, every time', () => {
    const calls = (file: string): string[] => {
      const log: string[] = []
      let top = 4096
      const replay = value(importText('ftrace', file, readFileSync(join(FIXTURES, file), 'utf8')))
      new FtraceReplayer(replay, { cpus: 2 }).runUntil(Infinity, {
        allocPages: (order, mt, cpu) => (log.push(`alloc ${order} ${mt} ${cpu} @${top}`), (top += 1 << order) - (1 << order)),
        freePages: (pfn, order, cpu) => void log.push(`free ${pfn} ${order} ${cpu}`),
      })
      return log
    }
    const first = calls('ftrace-6.6-trace.txt')
    expect(first).toHaveLength(6)
    for (const f of ['ftrace-6.6-trace.txt', 'ftrace-5.10-trace.txt', 'ftrace-6.6-trace-cmd.txt', 'ftrace-5.10-trace-cmd.txt']) expect(calls(f)).toEqual(first)
  })
})
