// The lab experiment that mirrors a recording: the guest's size, kernel preset, THP mode and
// measured sysctls; its free memory when the balloon driver registered (a buddyinfo snapshot as
// the initial free state); and the phase script as lab phases, each lasting as long as the guest
// took (the `cmd` events), so the simulated timeline lines up with the recorded one.
// Time 0 of the experiment is the balloon's registration (the `balloon_loaded` event; the
// reference recordings, which lack it, start at `script_start`).
import { EXPERIMENT_FORMAT, EXPERIMENT_SCHEMA_URL, EXPERIMENT_VERSION, KERNEL_VERSIONS, type ExperimentInput, type KernelVersion } from '../../common/experiment'
import type { BuddyRow, EventRow } from './guest_stream'
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

const eventTime = (events: readonly EventRow[], name: string): number | null => events.find((e) => e.event === name || e.event.startsWith(`${name} `))?.guest_ms ?? null

const field = (event: string, key: string): number | null => {
  const m = new RegExp(`\\b${key}=([0-9.]+)`).exec(event)
  return m ? Number(m[1]) : null
}

export function experimentFromRecording(r: RecordingForExperiment): ExperimentFromRecording {
  const notes: string[] = []
  const commands = parseScript(r.script)
  const registered = eventTime(r.events, 'balloon_loaded')
  const scriptStart = eventTime(r.events, 'script_start')
  const scriptDone = eventTime(r.events, 'script_done')
  if (scriptStart === null || scriptDone === null) throw new Error('the recording has no script_start or script_done event: the guest did not run the whole script')
  const t0 = registered ?? scriptStart
  if (registered === null) notes.push('no balloon_loaded event: time 0 is script_start (the driver registered earlier, during boot)')

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
        const liveMiB = live.length > 0 ? live.reduce((a, b) => a + b, 0) / live.length / MIB : c.wsBytes / MIB / 2
        const order = thp === 'always' && !nohuge && c.chunkBytes >= 2 * MIB ? HPAGE_ORDER : 0
        phases.push({ op: 'churn', durationMs: ms, rateMiBps: round3(rateMiBps), liveMiB: round3(liveMiB), orders: [{ order, weight: 1 }], touch: true, label })
        notes.push(`churn: the guest mapped ${maps ?? '?'} chunks of ${chunkMiB} MiB at random slots; the lab churns at the measured ${rateMiBps.toFixed(1)} MiB/s around a live set of ${liveMiB.toFixed(0)} MiB`)
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
      thp,
      ...(Number.isFinite(memtotalKb) && memtotalKb > 0 ? { reservedMiB: Math.max(0, Math.round((r.memMiB - memtotalKb / 1024) * 100) / 100) } : {}),
      ...(int('min_free_kbytes') !== undefined ? { minFreeKbytes: int('min_free_kbytes') } : {}),
      ...(int('watermark_scale_factor') !== undefined ? { watermarkScaleFactor: int('watermark_scale_factor') } : {}),
      ...(int('watermark_boost_factor') !== undefined ? { watermarkBoostFactor: int('watermark_boost_factor') } : {}),
      ...(int('percpu_pagelist_high_fraction') !== undefined ? { percpuPagelistHighFraction: int('percpu_pagelist_high_fraction') } : {}),
      initialFreeState: { file: INITIAL_BUDDYINFO_FILE, snapshot: null },
    },
    reporting: { device: 'virtio-balloon', order: r.orderCmdline, registerAtMs: 0 },
    // QEMU madvises guest RAM MADV_HUGEPAGE: THP-backed unless the host has THP off
    host: { backing: hostThp === 'never' ? 'anon-4k' : 'anon-thp' },
    workload: { phases },
    recorder: { sampleIntervalMs: r.samplePeriodMs, events: true },
  }
  return { experiment, initialBuddyinfo, notes }
}
