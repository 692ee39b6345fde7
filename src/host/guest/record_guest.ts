// `prlab record-guest`: boots a guest kernel under QEMU with a free-page-reporting virtio-balloon,
// runs a phase script in it and records host RSS, buddyinfo, per-CPU list counts and every report
// call, then writes the lab experiment that mirrors the run. KVM when it can run the guest, TCG
// otherwise: with --accel auto, KVM is tried first and given up (QEMU killed, TCG started) when
// the guest has sent nothing within the probe time — some hosts (nested virtualisation) open
// /dev/kvm but cannot run a stock kernel.
import { execFileSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { experimentFromRecording, INITIAL_BUDDYINFO_FILE } from './experiment_from_recording'
import { buildGuestImage, buildWorkloadHelper } from './guest_image'
import type { GuestKernel } from './guest_kernel'
import { fitClock, GuestStream } from './guest_stream'
import { runQemu, type QemuRunResult } from './qemu_run'
import { guestFacts, writeRecording } from './recording_files'
import { parseScript, scriptPeakBytes, scriptSleepMs } from './scenario'

export type Accel = 'auto' | 'kvm' | 'tcg'

export interface RecordGuestOptions {
  kernel: GuestKernel
  scenario: string
  description: string
  script: string
  traceKmem: boolean
  memMiB: number
  cpus: number
  accel: Accel
  samplePeriodMs: number
  /** extra kernel command line */
  append: string
  orderCmdline: number | null
  orderSysfs: number | null
  /** guest transparent_hugepage/enabled to set; null keeps the kernel's default */
  thp: 'always' | 'madvise' | 'never' | null
  seed: number
  qemu: string
  busybox: string
  outDir: string
  /** how long a KVM guest may take to send its first line before TCG is used instead */
  kvmProbeMs: number
  /** null: from the script (its sleeps, touch at TCG speed, boot) */
  timeoutMs: number | null
  log: (line: string) => void
}

export interface RecordGuestResult {
  accel: 'kvm' | 'tcg'
  accelNote: string
  wallMs: number
  reportCalls: number
  reportedMiB: number
  notes: string[]
}

export class RecordGuestError extends Error {}

const BASE_APPEND = 'console=ttyS0 panic=-1 loglevel=4'
const DATA_PORT = 'prlab.data'
const TCG_TOUCH_MIB_PER_S = 60 // half the ~120 MiB/s measured for the reference recordings
const BOOT_ALLOWANCE_MS = 180_000

function kvmUsable(): string | null {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK)
    return null
  } catch (e) {
    return `cannot open /dev/kvm (${e instanceof Error ? e.message : String(e)})`
  }
}

export function qemuArgv(o: { accel: 'kvm' | 'tcg'; cpus: number; memMiB: number; vmlinuz: string; initrd: string; append: string; socket: string }): string[] {
  return [
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    ...(o.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max']),
    '-machine', 'q35', '-smp', String(o.cpus), '-m', `${o.memMiB}M`,
    '-kernel', o.vmlinuz, '-initrd', o.initrd, '-append', o.append,
    '-chardev', 'stdio,id=ser0,signal=off', '-serial', 'chardev:ser0',
    '-device', 'virtio-balloon-pci,id=balloon0,free-page-reporting=on',
    '-device', 'virtio-serial-pci,id=vser0',
    '-chardev', `socket,id=prlabdata,path=${o.socket}`,
    '-device', `virtserialport,chardev=prlabdata,name=${DATA_PORT}`,
  ]
}

function qemuVersion(qemu: string): string {
  try {
    return execFileSync(qemu, ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim()
  } catch (e) {
    throw new RecordGuestError(`${qemu}: cannot run it (${e instanceof Error ? e.message : String(e)}); Debian: apt-get install qemu-system-x86`)
  }
}

const readOr = (path: string, fallback: string): string => (existsSync(path) ? readFileSync(path, 'utf8').trim() : fallback)

export async function recordGuest(o: RecordGuestOptions): Promise<RecordGuestResult> {
  const commands = parseScript(o.script)
  const peak = scriptPeakBytes(commands)
  if (peak > o.memMiB * 1024 * 1024 * 0.85) o.log(`warning: the script maps up to ${(peak / 2 ** 20).toFixed(0)} MiB of a ${o.memMiB} MiB guest: it may run out of memory`)
  const version = qemuVersion(o.qemu)
  mkdirSync(o.outDir, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'prlab-record-'))
  try {
    o.log(`building the workload helper and the initramfs (kernel ${o.kernel.release})`)
    const helper = buildWorkloadHelper(work)
    const helperArgs = ['--port', DATA_PORT, '--period-ms', String(o.samplePeriodMs), '--seed', String(o.seed)]
    if (o.orderSysfs !== null) helperArgs.push('--order-sysfs', String(o.orderSysfs))
    if (o.traceKmem) helperArgs.push('--trace-kmem')
    const image = buildGuestImage({ kernel: o.kernel, busybox: o.busybox, helper, script: o.script, helperArgs, thp: o.thp })
    const initrd = join(work, 'initrd.cpio.gz')
    writeFileSync(initrd, image.initramfs)
    const append = [BASE_APPEND, o.orderCmdline !== null ? `page_reporting.page_reporting_order=${o.orderCmdline}` : '', o.append].filter((s) => s !== '').join(' ')
    const touchBytes = commands.reduce((s, c) => s + (c.cmd === 'alloc' ? c.bytes : 0), 0)
    const timeoutMs = o.timeoutMs ?? BOOT_ALLOWANCE_MS + scriptSleepMs(commands) * 1.25 + (touchBytes / 2 ** 20 / TCG_TOUCH_MIB_PER_S) * 1000

    const attempt = async (accel: 'kvm' | 'tcg', probe: boolean): Promise<{ run: QemuRunResult; stream: GuestStream; console: string; argv: string[] }> => {
      const stream = new GuestStream()
      let consoleText = ''
      const socket = join(work, `data-${accel}.sock`)
      const argv = qemuArgv({ accel, cpus: o.cpus, memMiB: o.memMiB, vmlinuz: o.kernel.vmlinuz, initrd, append, socket })
      o.log(`booting under ${accel.toUpperCase()}: ${o.qemu} ${argv.join(' ')}`)
      let lastEvent = ''
      const run = await runQemu({
        qemu: o.qemu,
        argv,
        socketPath: socket,
        samplePeriodMs: o.samplePeriodMs,
        timeoutMs,
        firstLineTimeoutMs: probe ? o.kvmProbeMs : null,
        onLine: (t, line) => {
          stream.push(t, line)
          const ev = stream.events[stream.events.length - 1]
          if (ev && ev.event !== lastEvent && ev.event.startsWith('cmd ')) o.log(`  ${(t / 1000).toFixed(1)} s  ${ev.event.slice(4)}`)
          lastEvent = ev?.event ?? ''
        },
        onConsole: (text) => {
          if (consoleText.length < 4 << 20) consoleText += text
        },
        isDone: () => stream.done,
      })
      return { run, stream, console: consoleText, argv }
    }

    let accelNote: string
    let result: Awaited<ReturnType<typeof attempt>>
    let accel: 'kvm' | 'tcg'
    const kvmProblem = o.accel === 'tcg' ? null : kvmUsable()
    if (o.accel === 'tcg') {
      accel = 'tcg'
      accelNote = 'tcg: asked for (--accel tcg)'
      result = await attempt('tcg', false)
    } else if (kvmProblem !== null) {
      if (o.accel === 'kvm') throw new RecordGuestError(`--accel kvm: ${kvmProblem}`)
      accel = 'tcg'
      accelNote = `tcg: ${kvmProblem}`
      result = await attempt('tcg', false)
    } else {
      accel = 'kvm'
      result = await attempt('kvm', o.accel === 'auto')
      accelNote = 'kvm: /dev/kvm opened and the guest ran'
      if (result.run.noFirstLine) {
        if (o.accel === 'kvm') throw new RecordGuestError(`--accel kvm: the guest sent nothing in ${o.kvmProbeMs / 1000} s`)
        accelNote = `tcg: /dev/kvm opened, but under KVM the guest sent nothing in ${o.kvmProbeMs / 1000} s (a host that cannot run this kernel under KVM, e.g. nested virtualisation), so TCG was used`
        o.log(`KVM: no word from the guest in ${o.kvmProbeMs / 1000} s; falling back to TCG`)
        accel = 'tcg'
        result = await attempt('tcg', false)
      }
    }
    o.log(`accelerator: ${accelNote}`)
    const { run, stream } = result
    writeFileSync(join(o.outDir, 'console.log'), result.console)
    const guestError = stream.guestError()
    if (!stream.done) {
      const tail = result.console.split('\n').slice(-15).join('\n')
      const why = run.killedOnTimeout
        ? `the guest did not finish in ${(timeoutMs / 1000).toFixed(0)} s (QEMU killed; --timeout-s sets the limit)`
        : guestError !== null
          ? `the workload failed in the guest: ${guestError}`
          : `QEMU exited (code ${run.exitCode ?? run.signal}) before the guest finished`
      throw new RecordGuestError(`${why}\n--- last console lines (${join(o.outDir, 'console.log')}) ---\n${tail}${run.stderr ? `\n--- QEMU stderr ---\n${run.stderr.trim()}` : ''}`)
    }
    const clock = fitClock(stream.clock)
    if (clock === null) throw new RecordGuestError('the guest sent no timed line')

    const facts = guestFacts(stream)
    // CONFIG_HZ from the package's boot/config-<release>, when it has one (the mirror's guest.hz)
    if (o.kernel.configHz !== null) facts.config_hz = String(o.kernel.configHz)
    const recordedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    const hostThp = readOr('/sys/kernel/mm/transparent_hugepage/enabled', '')
    const mem = `${o.memMiB}M`
    const common = {
      scenario: o.scenario,
      description: o.description,
      script: o.script,
      qemu_version: version,
      host_kernel: release(),
      host_thp: hostThp,
      guest_kernel_package: o.kernel.packageFile ?? o.kernel.release,
    }
    const overruns = [...stream.meta].filter(([k]) => k.startsWith('trace_overrun_cpu')).map(([, v]) => v)
    const meta = {
      ...common,
      guest_kernel: facts.kernel,
      guest_cmdline: facts.cmdline,
      accel,
      accel_detection: accelNote,
      mem,
      smp: o.cpus,
      page_reporting_order: facts.page_reporting_order,
      order_cmdline: o.orderCmdline === null ? '' : String(o.orderCmdline),
      order_sysfs: o.orderSysfs === null ? '' : String(o.orderSysfs),
      sample_period_ms: o.samplePeriodMs,
      trace_kmem: o.traceKmem ? 1 : 0,
      recorded_at: recordedAt,
      recorder: 'prlab record-guest',
      guest: facts,
      clock_offset_ms: clock.offset_ms,
      clock_drift_check: { offset_first10pct_ms: clock.offset_first10pct_ms, offset_last10pct_ms: clock.offset_last10pct_ms, span_s: clock.span_s },
      transport_delay_above_offset: { median_ms: clock.transport_delay_median_ms, p99_ms: clock.transport_delay_p99_ms },
      record: {
        qemu_pid: run.pid,
        qemu_exit_code: run.exitCode,
        killed_on_timeout: run.killedOnTimeout,
        wall_ms: run.wallMs,
        guest_end_seen: stream.done,
        guest_lines: stream.lines,
        bad_lines: stream.badLines,
        clock_offset_ms: clock.offset_ms,
        host_period_ms: o.samplePeriodMs,
        qemu_argv: [o.qemu, ...result.argv],
        initramfs_modules: image.modules,
      },
      counts: { host_samples: run.rss.length, guest_samples: stream.buddy.length === 0 ? 0 : new Set(stream.buddy.map((b) => b.guest_ms)).size, events: stream.events.length, report_calls: stream.reports.length },
      trace_overrun_per_cpu: overruns,
    }
    const params = {
      ...common,
      kernel_append: append,
      mem,
      smp: o.cpus,
      accel,
      sample_period_ms: o.samplePeriodMs,
      trace_kmem: o.traceKmem ? 1 : 0,
      order_cmdline: meta.order_cmdline,
      order_sysfs: meta.order_sysfs,
      thp: o.thp ?? '',
      seed: o.seed,
      recorded_at: recordedAt,
    }
    writeRecording({ dir: o.outDir, stream, rss: run.rss, clock, cpus: o.cpus, traceKmem: o.traceKmem, meta, params })

    const mirrored = experimentFromRecording({
      scenario: o.scenario,
      description: o.description,
      script: o.script,
      memMiB: o.memMiB,
      cpus: o.cpus,
      guest: facts,
      hostThp,
      orderCmdline: o.orderCmdline,
      orderSysfs: o.orderSysfs,
      samplePeriodMs: o.samplePeriodMs,
      events: stream.events,
      buddy: stream.buddy,
      pcp: stream.pcp,
    })
    writeFileSync(join(o.outDir, INITIAL_BUDDYINFO_FILE), mirrored.initialBuddyinfo)
    writeFileSync(join(o.outDir, 'experiment.prlab.json'), `${JSON.stringify(mirrored.experiment, null, 2)}\n`)
    const reportedMiB = stream.reports.reduce((s, r) => s + r.nents * r.len0_bytes, 0) / 2 ** 20
    return { accel, accelNote, wallMs: run.wallMs, reportCalls: stream.reports.length, reportedMiB, notes: mirrored.notes }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
