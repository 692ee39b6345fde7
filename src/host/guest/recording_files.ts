// Writes a recording in the layout of shared/reference/real-guest/<scenario>/ (host_rss.csv,
// buddyinfo.csv, vmstat.csv, pcp.csv, events.csv, reports.csv, meta.json, params.json,
// guest_end_state.txt, trace.txt with the kmem trace), so one importer reads both. Guest rows
// are placed on the host axis as guest_ms + clock_offset_ms.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import { BUDDY_ORDERS, type ClockFit, type GuestStream } from './guest_stream'
import type { HostRssSample } from './qemu_run'

/** The /proc/vmstat counters the recordings keep, in column order. */
export const VMSTAT_COLUMNS = [
  'nr_free_pages', 'nr_zone_inactive_anon', 'nr_zone_active_anon', 'nr_slab_unreclaimable', 'nr_anon_pages', 'nr_file_pages',
  'nr_anon_transparent_hugepages', 'nr_kernel_stack', 'nr_page_table_pages', 'pgalloc_dma', 'pgalloc_dma32', 'pgalloc_normal',
  'pgfree', 'pgfault', 'pgmigrate_success', 'compact_stall', 'compact_success', 'compact_daemon_wake', 'thp_fault_alloc', 'thp_split_page',
] as const

export interface ZoneinfoZone {
  zone: string
  fields: Map<string, number>
  pcp: { cpu: number; count: number; high: number; batch: number }[]
}

/** The watermark and size lines and the per-CPU pagesets of each zone in a /proc/zoneinfo dump. */
export function parseZoneinfo(lines: readonly string[]): ZoneinfoZone[] {
  const zones: ZoneinfoZone[] = []
  let zone: ZoneinfoZone | null = null
  let cpu: { cpu: number; count: number; high: number; batch: number } | null = null
  for (const line of lines) {
    const head = /^Node\s+\d+,\s+zone\s+(\S+)/.exec(line)
    if (head) {
      zone = { zone: head[1], fields: new Map(), pcp: [] }
      zones.push(zone)
      cpu = null
      continue
    }
    if (!zone) continue
    const t = line.trim()
    const cpuLine = /^cpu:\s+(\d+)$/.exec(t)
    if (cpuLine) {
      cpu = { cpu: Number(cpuLine[1]), count: 0, high: 0, batch: 0 }
      zone.pcp.push(cpu)
      continue
    }
    const kv = /^(pages free|count|high|batch|min|low|spanned|present|managed|boost):?\s+(\d+)$/.exec(t)
    if (!kv) continue
    const [key, value] = [kv[1], Number(kv[2])]
    if (cpu && (key === 'count' || key === 'high' || key === 'batch')) cpu[key] = value
    else if (!cpu) zone.fields.set(key === 'pages free' ? 'free' : key, value)
  }
  return zones
}

/** meta.json's `guest` object: the guest's own facts, as strings (as the reference recordings). */
export function guestFacts(stream: GuestStream): Record<string, string> {
  const m = (key: string): string => stream.meta.get(key) ?? ''
  const facts: Record<string, string> = {
    kernel: m('kernel'),
    cmdline: m('cmdline'),
    page_reporting_order: m('page_reporting_order'),
    page_reporting_order_before_balloon_load: m('page_reporting_order_before_balloon_load'),
    page_reporting_order_after_register: m('page_reporting_order_after_register'),
    page_reporting_order_sysfs_request: m('page_reporting_order_after_sysfs'),
    thp_enabled: m('thp_enabled'),
    thp_defrag: m('thp_defrag'),
    nproc: m('nproc'),
    memtotal_kb: m('memtotal_kb'),
    balloon_features: m('balloon_features'),
    min_free_kbytes: m('min_free_kbytes'),
    watermark_scale_factor: m('watermark_scale_factor'),
    watermark_boost_factor: m('watermark_boost_factor'),
    max_map_count: m('max_map_count'),
    percpu_pagelist_high_fraction: m('percpu_pagelist_high_fraction'),
  }
  for (const z of parseZoneinfo(stream.dumps.get('zoneinfo_start') ?? [])) {
    for (const key of ['min', 'low', 'high', 'present', 'managed']) facts[`zone_${z.zone}_${key}`] = String(z.fields.get(key) ?? 0)
    for (const p of z.pcp) {
      facts[`zone_${z.zone}_pcp_high_cpu${p.cpu}`] = String(p.high)
      facts[`zone_${z.zone}_pcp_batch_cpu${p.cpu}`] = String(p.batch)
    }
  }
  return facts
}

const r1 = (v: number): number => Math.round(v * 10) / 10
const r3 = (v: number): number => Math.round(v * 1000) / 1000

export interface RecordingWrite {
  dir: string
  stream: GuestStream
  rss: readonly HostRssSample[]
  clock: ClockFit
  cpus: number
  traceKmem: boolean
  meta: Record<string, unknown>
  params: Record<string, unknown>
}

export function writeRecording(w: RecordingWrite): void {
  const { stream: s, dir } = w
  const host = (guest_ms: number): number => r1(guest_ms + w.clock.offset_ms)
  const csv = (name: string, rows: unknown[][]): void => writeFileSync(join(dir, name), stringify(rows))
  const orders = Array.from({ length: BUDDY_ORDERS }, (_, o) => `order${o}`)
  csv('host_rss.csv', [
    ['t_ms', 'rss_kib', 'rss_anon_kib', 'rss_file_kib', 'anon_huge_kib', 'qemu_cpu_ms'],
    ...w.rss.map((r) => [r1(r.t_ms), r.rss_kib, r.rss_anon_kib, r.rss_file_kib, r.anon_huge_kib, r.qemu_cpu_ms]),
  ])
  csv('buddyinfo.csv', [['t_ms', 'zone', ...orders, 'guest_ms'], ...s.buddy.map((b) => [host(b.guest_ms), b.zone, ...b.nr_free, r3(b.guest_ms)])])
  csv('vmstat.csv', [['t_ms', 'guest_ms', ...VMSTAT_COLUMNS], ...s.vmstat.map((v) => [host(v.guest_ms), r3(v.guest_ms), ...VMSTAT_COLUMNS.map((k) => v.values.get(k) ?? '')])])
  const cpuColumns = Array.from({ length: w.cpus }, (_, c) => `pcp_cpu${c}`)
  csv('pcp.csv', [
    ['t_ms', 'guest_ms', 'zone', 'free_pages', ...cpuColumns],
    ...s.pcp.map((p) => [host(p.guest_ms), r3(p.guest_ms), p.zone, p.free_pages, ...cpuColumns.map((_, c) => p.pcp[c] ?? '')]),
  ])
  csv('events.csv', [['t_ms', 'guest_ms', 'event'], ...s.events.map((e) => [host(e.guest_ms), r3(e.guest_ms), e.event])])
  csv('reports.csv', [
    ['t_ms', 'guest_ms', 'cpu', 'nents', 'len0_bytes', 'bytes_est'],
    ...s.reports.map((r) => [host(r.guest_ms), r3(r.guest_ms), r.cpu, r.nents, r.len0_bytes, r.nents * r.len0_bytes]),
  ])
  if (w.traceKmem) writeFileSync(join(dir, 'trace.txt'), `# tracer: nop (trace_pipe, trace_clock=mono)\n${s.traceLines.join('\n')}\n`)
  const sections = [...s.dumps].map(([name, lines]) => `=== ${name}\n${lines.join('\n')}\n`)
  writeFileSync(join(dir, 'guest_end_state.txt'), sections.join(''))
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(w.meta, null, 1)}\n`)
  writeFileSync(join(dir, 'params.json'), `${JSON.stringify(w.params)}\n`)
}
