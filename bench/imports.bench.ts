// Import and sweep figures (issue 6): importer throughput on generated real-format files, peak
// heap growth while streaming, and sweep wall time with 1 worker against the default pool.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { ImportKind } from '../src/common/imports'
import { ExperimentSchema } from '../src/common/experiment'
import { importFile } from '../src/host/import/index'
import { defaultWorkers, runSweepJobs, type SweepJob } from '../src/host/sweep'

async function write(path: string, lines: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path)
  for (let i = 0; i < lines; i++) if (!out.write(line(i))) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  await new Promise<void>((resolve) => out.end(resolve))
}

async function timeImport(kind: ImportKind, path: string, unit: string, count: (v: unknown) => number): Promise<string> {
  const heap0 = process.memoryUsage().heapUsed
  let peak = heap0
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5)
  const t0 = performance.now()
  const r = await importFile(kind, path)
  const s = (performance.now() - t0) / 1000
  clearInterval(timer)
  if (!r.ok) throw new Error(r.error.message)
  const mib = statSync(path).size / 2 ** 20
  const n = count(r.value)
  return `${kind.padEnd(12)} ${mib.toFixed(0).padStart(4)} MiB file: ${(n / s / 1000).toFixed(0).padStart(5)} k ${unit}/s, ${(mib / s).toFixed(0).padStart(3)} MiB/s, heap +${((peak - heap0) / 2 ** 20).toFixed(0)} MiB peak`
}

export async function runImportsBench(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'prlab-bench-imports-'))
  const lines: string[] = []
  try {
    const events = 1_000_000
    const trace = join(dir, 'trace.txt')
    await write(trace, events, (i) => {
      const ts = `${5000 + Math.floor(i / 1e4)}.${String((i % 1e4) * 100).padStart(6, '0')}`
      const pfn = (0x100000 + (i >> 1)).toString(16)
      return i % 2 === 0
        ? `           stress-9999    [00${i % 2}] .....  ${ts}: mm_page_alloc: page=00000000deadbeef pfn=0x${pfn} order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE\n`
        : `           stress-9999    [00${i % 2}] .....  ${ts}: mm_page_free: page=00000000deadbeef pfn=0x${pfn} order=0\n`
    })
    lines.push(await timeImport('ftrace', trace, 'events', (v) => (v as { count: number }).count))
    const buddy = join(dir, 'buddyinfo.txt')
    const row = (z: string) => `Node 0, zone ${z.padStart(8)} ` + Array.from({ length: 11 }, (_, o) => `${String(1000 >> o).padStart(6)} `).join('') + '\n'
    await write(buddy, 86_400, (i) => `${1714060800 + i}.000000000\n${row('DMA')}${row('DMA32')}${row('Normal')}`)
    lines.push(await timeImport('buddyinfo', buddy, 'snapshots', (v) => (v as { t_ms: unknown[] }).t_ms.length))
    const csv = join(dir, 'rss.csv')
    await write(csv, 1_000_000, (i) => (i === 0 ? 'time,rss,small,huge,cached,total\n' : `${(i * 1.72).toFixed(2)},${1e9 + i * 4096},300000,500,117174272,17179336704\n`))
    lines.push(await timeImport('rss', csv, 'rows', (v) => (v as { t_ms: unknown[] }).t_ms.length))

    const jobs = (tag: string): SweepJob[] =>
      Array.from({ length: 8 }, (_, k) => ({
        k,
        experiment: ExperimentSchema.parse({
          format: 'page-reporting-lab/experiment',
          version: 2,
          durationMs: 120_000,
          guest: { memoryMiB: 2048 },
          reporting: { order: [5, 7, 9, 10][k % 4], delayMs: k < 4 ? 100 : 2000 },
          workload: { placement: { cpus: [0, 1] }, phases: [{ op: 'churn', durationMs: 120_000, rateMiBps: 256, liveMiB: 512, orders: [{ order: 0, weight: 3 }, { order: 9, weight: 1 }] }] },
        }),
        outDir: join(dir, tag, `point-${k}`),
        check: false,
      }))
    for (const workers of [...new Set([2, defaultWorkers(), 1])]) {
      const t0 = performance.now()
      const out = await runSweepJobs(jobs(`w${workers}`), { workers })
      const s = (performance.now() - t0) / 1000
      if (out.some((o) => !o.ok)) throw new Error('a sweep point failed')
      lines.push(`sweep of 8 points (2 GiB guest, 120 s simulated each, churn), ${workers} worker thread(s): ${s.toFixed(2)} s wall, ${(8 / s).toFixed(1)} points/s`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return lines
}
