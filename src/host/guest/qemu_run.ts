// Runs QEMU once: the guest's data port on a Unix socket the host listens on, the serial console on
// QEMU's stdio, and the QEMU process's resident set sampled from /proc every period. Lines and
// samples are stamped with the host's monotonic clock in ms since QEMU was spawned.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

export interface HostRssSample {
  t_ms: number
  rss_kib: number
  rss_anon_kib: number
  rss_file_kib: number
  anon_huge_kib: number
  qemu_cpu_ms: number
}

const CLOCK_TICKS_PER_S = 100 // USER_HZ: /proc/<pid>/stat counts CPU time in these
const POWEROFF_GRACE_MS = 30_000

const kibField = (text: string, name: string): number => {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)
  return m ? Number(m[1]) : 0
}

/** One /proc sample of a process: VmRSS and its parts (status), AnonHugePages (smaps_rollup), CPU time (stat). */
export function sampleProcess(pid: number, t_ms: number): HostRssSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // fields after "(comm)": state is field 3, utime 14 and stime 15 of the whole line
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(after[11]) + Number(after[12])
    return {
      t_ms,
      rss_kib: kibField(status, 'VmRSS'),
      rss_anon_kib: kibField(status, 'RssAnon'),
      rss_file_kib: kibField(status, 'RssFile') + kibField(status, 'RssShmem'),
      anon_huge_kib: kibField(rollup, 'AnonHugePages'),
      qemu_cpu_ms: (ticks * 1000) / CLOCK_TICKS_PER_S,
    }
  } catch {
    return null // the process is gone
  }
}

export interface QemuRunOptions {
  qemu: string
  argv: string[]
  socketPath: string
  samplePeriodMs: number
  /** kill QEMU when the guest has not finished by then (ms since spawn) */
  timeoutMs: number
  /** kill QEMU when no data line came by then: an accelerator that starts but cannot run the guest */
  firstLineTimeoutMs: number | null
  onLine: (t_ms: number, line: string) => void
  onConsole: (text: string) => void
  /** true once the guest said it is done (QEMU then powers off by itself) */
  isDone: () => boolean
}

export interface QemuRunResult {
  pid: number
  exitCode: number | null
  signal: string | null
  killedOnTimeout: boolean
  noFirstLine: boolean
  wallMs: number
  rss: HostRssSample[]
  stderr: string
}

export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    let pending = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      const now = performance.now() - t0
      pending += chunk
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        if (firstLineAt === null) firstLineAt = now
        o.onLine(now, line)
      }
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.socketPath, () => resolve())
  })

  let firstLineAt: number | null = null
  const t0 = performance.now()
  const child = spawn(o.qemu, o.argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  const pid = child.pid ?? -1
  const rss: HostRssSample[] = []
  let stderr = ''
  let killedOnTimeout = false
  let noFirstLine = false
  let doneAt: number | null = null
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (text: string) => o.onConsole(text))
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 65536) stderr += text
  })

  const kill = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 5000).unref()
  }
  const sample = (): void => {
    const now = performance.now() - t0
    const s = pid > 0 ? sampleProcess(pid, now) : null
    if (s) rss.push(s)
    if (o.isDone()) doneAt ??= now
    // a guest that finished powers off by itself; one that did not, or that hangs in power-off, is stopped
    if ((doneAt === null && now > o.timeoutMs) || (doneAt !== null && now > doneAt + POWEROFF_GRACE_MS)) {
      killedOnTimeout = doneAt === null
      kill()
    }
    if (o.firstLineTimeoutMs !== null && firstLineAt === null && now > o.firstLineTimeoutMs) {
      noFirstLine = true
      kill()
    }
  }
  sample()
  const timer = setInterval(sample, o.samplePeriodMs)

  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    child.on('error', (e) => {
      stderr += `${e.message}\n`
      resolve([null, null])
    })
    child.on('exit', (code, sig) => resolve([code, sig]))
  })
  const wallMs = performance.now() - t0
  clearInterval(timer)
  // the port's last lines may still be in flight
  await new Promise((r) => setTimeout(r, 200))
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return { pid, exitCode, signal, killedOnTimeout, noFirstLine, wallMs, rss, stderr }
}
