// prlab record-guest: record a real guest running a phase script (docs/record-guest.md), or
// (--mirror) write the lab experiment of an existing recording.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { parseCommandArgs } from '../args'
import { INITIAL_BUDDYINFO_FILE, mirrorRecording } from '../../host/guest/experiment_from_recording'
import { GuestImageError } from '../../host/guest/guest_image'
import { GuestKernelError, locateGuestKernel } from '../../host/guest/guest_kernel'
import { recordGuest, RecordGuestError, type Accel } from '../../host/guest/record_guest'
import { loadRecording, RecordingError } from '../../host/guest/recording_import'
import { parseScenarioConf, parseScript, ScriptError } from '../../host/guest/scenario'

const USAGE = `usage: prlab record-guest (<scenario.conf> | --script 'idle 20s; alloc 600M; touch; free; idle 30s')
         --kernel <linux-image-*.deb | unpacked package folder | vmlinuz> [--modules lib/modules/<release>] --out DIR
         [--mem-mib 1024] [--cpus 2] [--accel auto|kvm|tcg] [--sample-ms 200] [--thp always|madvise|never]
         [--order N] [--order-sysfs N] [--append 'kernel args'] [--trace-kmem] [--seed N] [--name NAME]
         [--qemu qemu-system-x86_64] [--busybox /bin/busybox] [--kvm-probe-s 15] [--timeout-s N] [--force]
       prlab record-guest --mirror DIR      (re)write DIR/experiment.prlab.json from a recording folder`

const ACCELS: readonly Accel[] = ['auto', 'kvm', 'tcg']
const THPS = ['always', 'madvise', 'never'] as const

/** An integer option in min..max; undefined when not given. */
function intOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const v = Number(text)
  if (!Number.isInteger(v) || v < min || v > max) throw new ScriptError(`--${name}: expected an integer ${min}..${max}, got "${text}"`)
  return v
}

function mirror(dir: string): number {
  const mirrored = mirrorRecording(loadRecording(dir))
  writeFileSync(join(dir, INITIAL_BUDDYINFO_FILE), mirrored.initialBuddyinfo)
  writeFileSync(join(dir, 'experiment.prlab.json'), `${JSON.stringify(mirrored.experiment, null, 2)}\n`)
  for (const n of mirrored.notes) console.error(`note: ${n}`)
  console.log(`wrote ${join(dir, 'experiment.prlab.json')} and ${INITIAL_BUDDYINFO_FILE}`)
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'record-guest',
    USAGE,
    argv,
    {
      script: { type: 'string' },
      kernel: { type: 'string' },
      modules: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      'mem-mib': { type: 'string' },
      cpus: { type: 'string' },
      accel: { type: 'string', default: 'auto' },
      'sample-ms': { type: 'string' },
      thp: { type: 'string' },
      order: { type: 'string' },
      'order-sysfs': { type: 'string' },
      append: { type: 'string', default: '' },
      'trace-kmem': { type: 'boolean', default: false },
      seed: { type: 'string' },
      qemu: { type: 'string', default: 'qemu-system-x86_64' },
      busybox: { type: 'string', default: '/bin/busybox' },
      'kvm-probe-s': { type: 'string' },
      'timeout-s': { type: 'string' },
      force: { type: 'boolean', default: false },
      mirror: { type: 'string' },
    },
    null,
  )
  if (parsed === null) return 2
  const { values: o, positionals } = parsed
  try {
    if (o.mirror !== undefined) return mirror(o.mirror)
    if ((positionals.length === 1) === (o.script !== undefined) || positionals.length > 1) {
      console.error(`prlab record-guest: give a scenario file or --script, not both\n${USAGE}`)
      return 2
    }
    if (o.kernel === undefined || o.out === undefined) {
      console.error(`prlab record-guest: --kernel and --out are required\n${USAGE}`)
      return 2
    }
    const conf = positionals.length === 1 ? parseScenarioConf(readFileSync(positionals[0], 'utf8'), positionals[0]) : null
    const script = conf?.script ?? o.script ?? ''
    parseScript(script)
    const accel = o.accel as Accel
    if (!ACCELS.includes(accel)) throw new ScriptError(`--accel: expected ${ACCELS.join(', ')}, got "${o.accel}"`)
    if (o.thp !== undefined && !(THPS as readonly string[]).includes(o.thp)) throw new ScriptError(`--thp: expected ${THPS.join(', ')}, got "${o.thp}"`)
    if (existsSync(o.out) && !statSync(o.out).isDirectory()) {
      console.error(`prlab record-guest: --out ${o.out} is a file, not a folder`)
      return 2
    }
    if (existsSync(o.out) && readdirSync(o.out).length > 0 && !o.force) {
      console.error(`prlab record-guest: ${o.out} is not empty (a recording is never overwritten silently; --force to write into it)`)
      return 2
    }
    const numbers = {
      memMiB: intOption('mem-mib', o['mem-mib'], 128, 1 << 20) ?? 1024,
      cpus: intOption('cpus', o.cpus, 1, 64) ?? 2,
      samplePeriodMs: intOption('sample-ms', o['sample-ms'], 10, 60_000) ?? 200,
      orderCmdline: intOption('order', o.order, 0, 10) ?? null,
      orderSysfs: intOption('order-sysfs', o['order-sysfs'], 0, 10) ?? null,
      seed: intOption('seed', o.seed, 0, 2 ** 31) ?? 1,
      kvmProbeMs: (intOption('kvm-probe-s', o['kvm-probe-s'], 1, 3600) ?? 15) * 1000,
      timeoutMs: (intOption('timeout-s', o['timeout-s'], 10, 7 * 86400) ?? 0) * 1000 || null,
    }
    const kernel = locateGuestKernel(o.kernel, o.modules ?? null)
    const scenario = o.name ?? (positionals[0] ? basename(positionals[0]).replace(/\.conf$/, '') : basename(o.out))
    const started = Date.now()
    const result = await recordGuest({
      ...numbers,
      kernel,
      scenario,
      description: conf?.description ?? '',
      script,
      traceKmem: o['trace-kmem'] || (conf?.traceKmem ?? false),
      accel,
      append: o.append,
      thp: (o.thp as (typeof THPS)[number] | undefined) ?? null,
      qemu: o.qemu,
      busybox: o.busybox,
      outDir: o.out,
      log: (line) => console.error(line),
    })
    for (const n of result.notes) console.error(`note: ${n}`)
    console.log(
      [
        `recorded ${scenario} under ${result.accel.toUpperCase()} in ${((Date.now() - started) / 1000).toFixed(1)} s (QEMU ran ${(result.wallMs / 1000).toFixed(1)} s)`,
        `  ${result.accelNote}`,
        `  ${result.reportCalls} report calls, ${result.reportedMiB.toFixed(0)} MiB reported`,
        `  files in ${o.out}; simulate the same: prlab run ${join(o.out, 'experiment.prlab.json')} --out ${join(o.out, 'sim')}`,
      ].join('\n'),
    )
    return 0
  } catch (e) {
    if (e instanceof ScriptError || e instanceof GuestKernelError || e instanceof GuestImageError || e instanceof RecordingError) {
      console.error(`prlab record-guest: ${e.message}`)
      return 2
    }
    if (e instanceof RecordGuestError) {
      console.error(`prlab record-guest: ${e.message}`)
      return 1
    }
    throw e
  }
}
