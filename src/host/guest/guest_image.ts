// The initramfs of a recording: busybox (static), guest/init.sh as /init, the workload helper
// guest/prlab-guest.c built static from source, the virtio modules with their dependencies, and
// the run's configuration under /prlab.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BALLOON_MODULE, INIT_MODULES, resolveModules, type GuestKernel } from './guest_kernel'
import { buildInitramfs, type InitramfsEntry } from './initramfs'

export class GuestImageError extends Error {}

export const guestSourceDir = (): string => fileURLToPath(new URL('../../../guest', import.meta.url))

const EM_X86_64 = 62
const PT_INTERP = 3

/** Why an executable cannot run in the initramfs (not ELF64 x86_64, or dynamically linked), or null. */
export function staticElfProblem(bytes: Uint8Array): string | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF executable'
  if (b[4] !== 2 || b[5] !== 1 || b.readUInt16LE(0x12) !== EM_X86_64) return 'not an x86_64 (ELF64 little-endian) executable'
  const phoff = Number(b.readBigUInt64LE(0x20))
  const phentsize = b.readUInt16LE(0x36)
  const phnum = b.readUInt16LE(0x38)
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize
    if (at + 4 > b.length) return 'truncated program headers'
    if (b.readUInt32LE(at) === PT_INTERP) return 'dynamically linked (it needs a loader and libraries the initramfs does not have): use a static build'
  }
  return null
}

/** Builds guest/prlab-guest.c with `cc -static` into `dir`; returns the binary's path. */
export function buildWorkloadHelper(dir: string, cc = process.env.CC ?? 'cc'): string {
  const out = join(dir, 'prlab-guest')
  try {
    execFileSync(cc, ['-static', '-O2', '-pthread', '-Wall', '-o', out, join(guestSourceDir(), 'prlab-guest.c')], { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? ''
    throw new GuestImageError(`building the workload helper with "${cc} -static" failed (Debian: apt-get install gcc libc6-dev):\n${stderr || (e instanceof Error ? e.message : String(e))}`)
  }
  return out
}

export interface GuestImageOptions {
  kernel: GuestKernel
  busybox: string
  helper: string
  script: string
  /** prlab-guest options (one argv element each) */
  helperArgs: string[]
  /** transparent_hugepage/enabled to set, or null to keep the kernel's default */
  thp: string | null
}

function readExecutable(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new GuestImageError(`${what} ${path}: no such file${what === 'busybox' ? ' (Debian: apt-get install busybox-static)' : ''}`)
  const bytes = readFileSync(path)
  const problem = staticElfProblem(bytes)
  if (problem) throw new GuestImageError(`${what} ${path}: ${problem}${what === 'busybox' ? ' (Debian: busybox-static)' : ''}`)
  return bytes
}

/** The gzip-compressed initramfs, and the modules /init loads (in order). */
export function buildGuestImage(o: GuestImageOptions): { initramfs: Buffer; modules: string[] } {
  const initModules = resolveModules(o.kernel.modulesDir, INIT_MODULES)
  const loaded = new Set(initModules.map((m) => m.name))
  const balloonChain = resolveModules(o.kernel.modulesDir, [BALLOON_MODULE])
  const balloon = balloonChain.find((m) => m.name === BALLOON_MODULE)
  if (!balloon) throw new GuestImageError(`${o.kernel.modulesDir}: ${BALLOON_MODULE} is built into this kernel; the recorder needs it as a module to time its registration`)
  // the balloon's own dependencies (virtio, virtio_ring) load with the transport, before it
  const modules = [...initModules, ...balloonChain.filter((m) => m.name !== BALLOON_MODULE && !loaded.has(m.name))]
  const text = (s: string): Uint8Array => Buffer.from(s, 'utf8')
  const entries: InitramfsEntry[] = [
    ...['bin', 'dev', 'proc', 'sys', 'prlab', 'prlab/modules.d', 'tmp'].map((path): InitramfsEntry => ({ kind: 'dir', path })),
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: readExecutable(o.busybox, 'busybox'), executable: true },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: readFileSync(join(guestSourceDir(), 'init.sh')), executable: true },
    { kind: 'file', path: 'prlab/prlab-guest', data: readExecutable(o.helper, 'workload helper'), executable: true },
    { kind: 'file', path: 'prlab/script', data: text(o.script) },
    { kind: 'file', path: 'prlab/args', data: text([...o.helperArgs, '--balloon', `/prlab/modules.d/${BALLOON_MODULE}.ko`].map((a) => `${a}\n`).join('')) },
    { kind: 'file', path: 'prlab/modules', data: text(modules.map((m) => `${m.name}.ko\n`).join('')) },
    { kind: 'file', path: 'prlab/thp', data: text(o.thp === null ? '' : `${o.thp}\n`) },
    ...[...modules, balloon].map((m): InitramfsEntry => ({ kind: 'file', path: `prlab/modules.d/${m.name}.ko`, data: m.data })),
  ]
  return { initramfs: buildInitramfs(entries), modules: modules.map((m) => m.name) }
}
