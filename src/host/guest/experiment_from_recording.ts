// The lab experiment that mirrors a recording: the guest's size, kernel preset, THP mode and
// measured sysctls; its free memory when the balloon driver registered (a buddyinfo snapshot as
// the initial free state); and the phase script as lab phases, each lasting as long as the guest
// took (the `cmd` events), so the simulated timeline lines up with the recorded one.
// Time 0 of the experiment is the balloon's registration (the `balloon_loaded` event; the
// reference recordings, which lack it, start at `script_start`).
import { EXPERIMENT_FORMAT, EXPERIMENT_SCHEMA_URL, EXPERIMENT_VERSION, KERNEL_VERSIONS, type ExperimentInput, type KernelVersion } from '../../common/experiment'
import { basename, join } from 'node:path'
import type { BuddyRow, EventRow, PcpRow } from './guest_stream'
import { RecordingError, type Recording } from './recording_import'
import { parseScript, type GuestCommand } from './scenario'

type PhaseInput = NonNullable<NonNullable<ExperimentInput['workload']>['phases']>[number]

export const INITIAL_BUDDYINFO_FILE = 'initial-buddyinfo.txt'
const MIB = 1024 * 1024
/** ms to µs precision: phase lengths as the guest measured them, without float noise */
const round3 = (ms: number): number => Math.round(ms * 1000) / 1000
const HPAGE_ORDER = 9 // HPAGE_PMD_ORDER on x86_64

export interface RecordingForExperiment {
  scenario: string
  description: string
  script: string
  memMiB: number
  cpus: number
  /** meta.json `guest`: the guest's facts as strings */
  guest: Record<string, string>
  /** host transparent_hugepage/enabled, e.g. "always [madvise] never" */
  hostThp: string
  orderCmdline: number | null
  orderSysfs: number | null
  samplePeriodMs: number
  events: readonly EventRow[]
  buddy: readonly BuddyRow[]
  /** per-CPU list counts per zone and sample (pcp.csv) */
  pcp: readonly PcpRow[]
}

export interface ExperimentFromRecording {
  experiment: ExperimentInput
  /** /proc/buddyinfo text of the snapshot at time 0, for guest.initialFreeState */
  initialBuddyinfo: string
  /** what could not be mirrored exactly, for the user */
  notes: string[]
}

/** The bracketed choice of a sysfs multiple-choice file: "[always] madvise never" -> "always". */
export const sysfsChoice = (text: string): string | null => /\[(\w+)\]/.exec(text)?.[1] ?? null

/** The lab's preset for a kernel release: the newest preset not newer than it. */
export function kernelPreset(release: string): { preset: KernelVersion; exact: boolean } {
  const m = /^(\d+)\.(\d+)/.exec(release)
  const v = m ? Number(m[1]) * 1000 + Number(m[2]) : 0
  const key = (p: string): number => Number(p.split('.')[0]) * 1000 + Number(p.split('.')[1])
  const fitting = KERNEL_VERSIONS.filter((p) => key(p) <= v)
  const preset = fitting.length > 0 ? fitting[fitting.length - 1] : KERNEL_VERSIONS[0]
  return { preset, exact: m !== null && `${m[1]}.${m[2]}` === preset }
}

/** A buddyinfo snapshot as the kernel prints it (frag_show_print(): "Node %d, zone %8s " then "%6lu " per order). */
export function formatBuddyinfo(rows: readonly BuddyRow[]): string {
  return rows.map((r) => `Node 0, zone ${r.zone.padStart(8)} ${r.nr_free.map((n) => `${String(n).padStart(6)} `).join('')}\n`).join('')
}

/**
 * CONFIG_HZ of the guest kernel: the recording's own (record-guest reads boot/config-* of the
 * package), else the distribution's default guessed from the release: Fedora (fcNN) and RHEL
 * (elNN) 1000, Debian and Ubuntu 250 (Ubuntu's generic kernels are 1000 from 24.04, release 6.8).
 */
export function guestHz(guest: Readonly<Record<string, string>>): { hz: 100 | 250 | 300 | 1000; note: string | null } {
  const configured = Number(guest.config_hz)
  if (configured === 100 || configured === 250 || configured === 300 || configured === 1000) return { hz: configured, note: null }
  const release = guest.kernel ?? ''
  if (/\.fc\d+|\.el\d+/.test(release)) return { hz: 1000, note: `CONFIG_HZ not recorded: 1000 assumed (Fedora/RHEL kernel ${release})` }
  const m = /^(\d+)\.(\d+)/.exec(release)
  if (/-generic$/.test(release) && m !== null && Number(m[1]) * 100 + Number(m[2]) >= 608) return { hz: 1000, note: `CONFIG_HZ not recorded: 1000 assumed (Ubuntu generic kernel ${release})` }
  return { hz: 250, note: /-(amd64|generic)$/.test(release) ? null : `CONFIG_HZ not recorded: 250 assumed (kernel ${release || 'unknown'})` }
}

/**
 * The CPU the workload ran on: the one whose per-CPU list count moved most (summed steps) in the
 * largest zone while the script's commands ran. 0 when nothing moved.
 */
export function workloadCpu(pcp: readonly PcpRow[], from_ms: number, to_ms: number): number {
  const zones = new Map<string, PcpRow[]>()
  for (const row of pcp) if (row.guest_ms >= from_ms && row.guest_ms <= to_ms) zones.set(row.zone, [...(zones.get(row.zone) ?? []), row])
  let best = { moved: 0, cpu: 0 }
  for (const rows of zones.values()) {
    const cpus = Math.max(0, ...rows.map((r) => r.pcp.length))
    for (let cpu = 0; cpu < cpus; cpu++) {
      let moved = 0
      for (let i = 1; i < rows.length; i++) moved += Math.abs((rows[i].pcp[cpu] ?? 0) - (rows[i - 1].pcp[cpu] ?? 0))
      if (moved > best.moved) best = { moved, cpu }
    }
  }
  return best.cpu
}

const eventTime = (events: readonly EventRow[], name: string): number | null => events.find((e) => e.event === name || e.event.startsWith(`${name} `))?.guest_ms ?? null

const field = (event: string, key: string): number | null => {
  const m = new RegExp(`\\b${key}=([0-9.]+)`).exec(event)
  return m ? Number(m[1]) : null
}

/**
 * Time 0 of the mirroring experiment on the guest's clock: the balloon's registration
 * (`balloon_loaded`), or `script_start` in recordings without it; and the script's end.
 */
export function recordingTimeZero(events: readonly EventRow[]): { t0: number; scriptDone: number; registered: boolean } {
  const registered = eventTime(events, 'balloon_loaded')
  const scriptStart = eventTime(events, 'script_start')
  const scriptDone = eventTime(events, 'script_done')
  if (scriptStart === null || scriptDone === null) throw new Error('the recording has no script_start or script_done event: the guest did not run the whole script')
  return { t0: registered ?? scriptStart, scriptDone, registered: registered !== null }
}

export function experimentFromRecording(r: RecordingForExperiment): ExperimentFromRecording {
  const notes: string[] = []
  const commands = parseScript(r.script)
  const { t0, scriptDone, registered } = recordingTimeZero(r.events)
  if (!registered) notes.push('no balloon_loaded event: time 0 is script_start (the driver registered earlier, during boot)')

  // one `cmd …` event per command, in order: each lasts until the next one (the last until script_done)
  const cmdTimes = r.events.filter((e) => e.event.startsWith('cmd ')).map((e) => e.guest_ms)
  if (cmdTimes.length !== commands.length) throw new Error(`the recording has ${cmdTimes.length} cmd events for ${commands.length} script commands`)
  const span = (i: number): number => (i + 1 < cmdTimes.length ? cmdTimes[i + 1] : scriptDone) - cmdTimes[i]

  const guestThp = sysfsChoice(r.guest.thp_enabled ?? '') ?? 'always'
  const thp = guestThp === 'always' || guestThp === 'madvise' || guestThp === 'never' ? guestThp : 'always'
  const phases: PhaseInput[] = []
  const idle = (ms: number, label: string): void => {
    if (ms >= 0.001) phases.push({ op: 'idle', ms: round3(ms), label })
  }
  if (r.orderSysfs !== null) phases.push({ op: 'sysfs-order', order: r.orderSysfs, label: 'page_reporting_order written through sysfs after registration' })
  idle(cmdTimes[0] - t0, 'boot: workload not started')

  let nohuge = false
  let pending: { mib: number; order: number }[] = [] // mapped, not yet touched
  let churned = false
  commands.forEach((c: GuestCommand, i) => {
    const ms = Math.max(round3(span(i)), 0.002)
    const label = `guest: ${r.script.split(';').map((s) => s.trim()).filter((s) => s !== '')[i]}`
    switch (c.cmd) {
      case 'idle':
      case 'hold':
        idle(ms, label)
        break
      case 'nohuge':
        nohuge = true
        idle(ms, label)
        break
      case 'alloc':
        // mmap alone allocates no guest page: the pages come with the touch
        pending.push({ mib: c.bytes / MIB, order: thp === 'always' && !nohuge ? HPAGE_ORDER : 0 })
        idle(ms, label)
        break
      case 'touch': {
        const total = pending.reduce((s, p) => s + p.mib, 0)
        for (const p of pending) phases.push({ op: 'alloc', mib: p.mib, order: p.order, touch: true, durationMs: Math.max(round3((ms * p.mib) / total), 0.001), label })
        if (pending.length === 0) idle(ms, label)
        pending = []
        break
      }
      case 'free':
        phases.push({ op: 'free', fraction: 1, durationMs: churned ? ms / 2 : ms, label })
        if (churned) phases.push({ op: 'free', fraction: 1, tag: 'churn', durationMs: ms / 2, label })
        churned = false
        break
      case 'freestripe':
        phases.push({ op: 'free', fraction: 1, pattern: 'every-other', chunkKiB: c.bytes / 1024, durationMs: ms, label })
        if (churned) notes.push('freestripe after churn: the lab stripes the allocated set only, the guest also striped the churn slots')
        break
      case 'churn': {
        const done = r.events.find((e) => e.event.startsWith('churn_done') && e.guest_ms >= cmdTimes[i])
        const maps = done ? field(done.event, 'maps') : null
        const progress = r.events.filter((e) => e.event.startsWith('churn_progress') && e.guest_ms >= cmdTimes[i] && (done === undefined || e.guest_ms <= done.guest_ms))
        const live = progress.map((e) => field(e.event, 'mapped_bytes') ?? 0)
        const chunkMiB = c.chunkBytes / MIB
        const rateMiBps = maps !== null && maps > 0 ? (maps * chunkMiB) / (ms / 1000) : c.wsBytes / MIB / (c.ms / 1000)
        // the set mapped when the churn ended is what a later free frees; else the mean mapped set
        const endMapped = done ? field(done.event, 'mapped_bytes') : null
        const liveMiB = endMapped !== null ? endMapped / MIB : live.length > 0 ? live.reduce((a, b) => a + b, 0) / live.length / MIB : c.wsBytes / MIB / 2
        const order = thp === 'always' && !nohuge && c.chunkBytes >= 2 * MIB ? HPAGE_ORDER : 0
        phases.push({ op: 'churn', durationMs: ms, rateMiBps: round3(rateMiBps), liveMiB: round3(liveMiB), orders: [{ order, weight: 1 }], touch: true, label })
        notes.push(`churn: the guest mapped ${maps ?? '?'} chunks of ${chunkMiB} MiB at random slots; the lab churns at the measured ${rateMiBps.toFixed(1)} MiB/s around a live set of ${liveMiB.toFixed(0)} MiB${endMapped !== null ? ' (mapped when the churn ended)' : ''}`)
        churned = true
        break
      }
    }
  })

  // the snapshot at time 0: the last complete buddyinfo sample taken before the registration
  const before = r.buddy.filter((b) => b.guest_ms <= t0)
  const snapshotTime = before.length > 0 ? before[before.length - 1].guest_ms : r.buddy[0]?.guest_ms
  if (snapshotTime === undefined) throw new Error('the recording has no buddyinfo sample')
  if (before.length === 0) notes.push('no buddyinfo sample before time 0: the first one is the initial free state')
  const initialBuddyinfo = formatBuddyinfo(r.buddy.filter((b) => b.guest_ms === snapshotTime))
  // the per-CPU lists at the snapshot: free pages that are in no buddyinfo count
  const perCpuPages = r.pcp
    .filter((p) => p.guest_ms === snapshotTime && p.pcp.some((c) => c !== null && c > 0))
    .map((p) => ({ zone: p.zone, pages: p.pcp.map((c) => c ?? 0) }))
  const cpu = workloadCpu(r.pcp, cmdTimes[0], scriptDone)
  if (cpu !== 0) notes.push(`the workload ran on CPU ${cpu} (its per-CPU list moved most)`)
  const hz = guestHz(r.guest)
  if (hz.note !== null) notes.push(hz.note)

  const { preset, exact } = kernelPreset(r.guest.kernel ?? '')
  if (!exact) notes.push(`kernel ${r.guest.kernel}: the lab's nearest preset is ${preset}`)
  const memtotalKb = Number(r.guest.memtotal_kb)
  const hostThp = sysfsChoice(r.hostThp)
  const int = (key: string): number | undefined => (r.guest[key] !== undefined && r.guest[key] !== '' && Number.isFinite(Number(r.guest[key])) ? Number(r.guest[key]) : undefined)

  const experiment: ExperimentInput = {
    $schema: EXPERIMENT_SCHEMA_URL,
    format: EXPERIMENT_FORMAT,
    version: EXPERIMENT_VERSION,
    name: `Recorded guest: ${r.scenario} (${r.guest.kernel ?? 'unknown kernel'})`,
    seed: 1,
    durationMs: Math.ceil(scriptDone - t0),
    guest: {
      memoryMiB: r.memMiB,
      cpus: r.cpus,
      kernel: preset,
      hz: hz.hz,
      thp,
      ...(Number.isFinite(memtotalKb) && memtotalKb > 0 ? { reservedMiB: Math.max(0, Math.round((r.memMiB - memtotalKb / 1024) * 100) / 100) } : {}),
      ...(int('min_free_kbytes') !== undefined ? { minFreeKbytes: int('min_free_kbytes') } : {}),
      ...(int('watermark_scale_factor') !== undefined ? { watermarkScaleFactor: int('watermark_scale_factor') } : {}),
      ...(int('watermark_boost_factor') !== undefined ? { watermarkBoostFactor: int('watermark_boost_factor') } : {}),
      ...(int('percpu_pagelist_high_fraction') !== undefined ? { percpuPagelistHighFraction: int('percpu_pagelist_high_fraction') } : {}),
      initialFreeState: { file: INITIAL_BUDDYINFO_FILE, snapshot: null, ...(perCpuPages.length > 0 ? { perCpuPages } : {}) },
    },
    reporting: { device: 'virtio-balloon', order: r.orderCmdline, registerAtMs: 0 },
    // QEMU madvises guest RAM MADV_HUGEPAGE: THP-backed unless the host has THP off
    host: { backing: hostThp === 'never' ? 'anon-4k' : 'anon-thp' },
    workload: { placement: { cpus: [cpu] }, phases },
    recorder: { sampleIntervalMs: r.samplePeriodMs, events: true },
  }
  return { experiment, initialBuddyinfo, notes }
}

/** The experiment that mirrors a loaded recording folder (what `prlab record-guest --mirror` writes). */
export function mirrorRecording(rec: Recording): ExperimentFromRecording {
  const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))
  const order = (v: unknown): number | null => (str(v) === '' ? null : Number(str(v)))
  const mem = /^(\d+)([MG])$/.exec(str(rec.params.mem ?? rec.meta.mem))
  if (!mem) throw new RecordingError(`${join(rec.dir, 'params.json')}: mem must be like "1G" or "1024M", got "${str(rec.params.mem)}"`)
  return experimentFromRecording({
    scenario: str(rec.meta.scenario) || basename(rec.dir),
    description: str(rec.meta.description),
    script: str(rec.meta.script),
    memMiB: Number(mem[1]) * (mem[2] === 'G' ? 1024 : 1),
    cpus: Number(rec.meta.smp ?? rec.params.smp),
    guest: rec.guest,
    hostThp: str(rec.meta.host_thp ?? rec.params.host_thp),
    orderCmdline: order(rec.meta.order_cmdline),
    orderSysfs: order(rec.meta.order_sysfs),
    samplePeriodMs: Number(rec.meta.sample_period_ms ?? 200),
    events: rec.events,
    buddy: rec.buddy,
    pcp: rec.pcp,
  })
}
