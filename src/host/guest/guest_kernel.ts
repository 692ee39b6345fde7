// Finds the guest kernel and the modules the recording needs in an unpacked kernel package
// (`dpkg-deb -x linux-image-….deb DIR`, never installed on the host), a .deb itself, or a vmlinuz
// with its lib/modules/<release> folder. The virtio modules go into the initramfs with their
// dependencies, read from each module's .modinfo `depends=` (the package ships no modules.dep:
// depmod makes it on install).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { gunzipSync } from 'node:zlib'

export class GuestKernelError extends Error {}

export interface GuestKernel {
  vmlinuz: string
  /** lib/modules/<release> */
  modulesDir: string
  release: string
  /** the .deb the kernel came from, when given one */
  packageFile: string | null
  /** CONFIG_HZ of the package's boot/config-<release>; null without one (a bare vmlinuz) */
  configHz: number | null
}

/** CONFIG_HZ=N of a kernel config file, or null. */
export function configHzOf(configText: string): number | null {
  const m = /^CONFIG_HZ=(\d+)$/m.exec(configText)
  return m ? Number(m[1]) : null
}

export interface KernelModule {
  name: string
  data: Uint8Array
}

/** Modules loaded by /init, in order; virtio_balloon is loaded last by prlab-guest itself. */
export const INIT_MODULES = ['virtio_pci', 'virtio_console'] as const
export const BALLOON_MODULE = 'virtio_balloon'

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory()

function releasesIn(root: string): string[] {
  for (const rel of ['lib/modules', 'usr/lib/modules']) {
    const dir = join(root, rel)
    if (isDir(dir)) return readdirSync(dir).filter((r) => isDir(join(dir, r))).map((r) => join(dir, r))
  }
  return []
}

/** `kernel`: a .deb, an unpacked package root, or a vmlinuz file (then `modules` names lib/modules/<release>). */
export function locateGuestKernel(kernel: string, modules: string | null): GuestKernel {
  if (!existsSync(kernel)) throw new GuestKernelError(`--kernel ${kernel}: no such file or folder`)
  if (kernel.endsWith('.deb')) {
    const root = mkdtempSync(join(tmpdir(), 'prlab-kernel-'))
    try {
      execFileSync('dpkg-deb', ['-x', kernel, root], { stdio: ['ignore', 'ignore', 'pipe'] })
    } catch (e) {
      throw new GuestKernelError(`--kernel ${kernel}: dpkg-deb -x failed: ${e instanceof Error ? e.message : String(e)}`)
    }
    return { ...locateGuestKernel(root, modules), packageFile: kernel }
  }
  if (isDir(kernel)) {
    const bootDir = join(kernel, 'boot')
    const images = isDir(bootDir) ? readdirSync(bootDir).filter((f) => f.startsWith('vmlinuz-')) : []
    if (images.length !== 1) {
      throw new GuestKernelError(`--kernel ${kernel}: expected one boot/vmlinuz-* in the unpacked package, found ${images.length === 0 ? 'none' : images.join(', ')}`)
    }
    const release = images[0].slice('vmlinuz-'.length)
    const modulesDir = modules ?? releasesIn(kernel).find((d) => basename(d) === release) ?? null
    if (modulesDir === null) throw new GuestKernelError(`--kernel ${kernel}: no lib/modules/${release} beside boot/vmlinuz-${release}`)
    const config = join(bootDir, `config-${release}`)
    const configHz = existsSync(config) ? configHzOf(readFileSync(config, 'utf8')) : null
    return { vmlinuz: join(bootDir, images[0]), modulesDir, release, packageFile: null, configHz }
  }
  if (modules === null) throw new GuestKernelError(`--kernel ${kernel} is a kernel image: give its modules with --modules DIR (lib/modules/<release>)`)
  if (!isDir(modules)) throw new GuestKernelError(`--modules ${modules}: not a folder`)
  return { vmlinuz: kernel, modulesDir: modules, release: basename(modules), packageFile: null, configHz: null }
}

const MODULE_SUFFIXES = ['.ko', '.ko.gz', '.ko.xz', '.ko.zst'] as const
const canonical = (name: string): string => name.replace(/-/g, '_')

function indexModules(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) indexModules(path, into)
    else {
      const suffix = MODULE_SUFFIXES.find((s) => entry.name.endsWith(s))
      if (suffix) into.set(canonical(entry.name.slice(0, -suffix.length)), path)
    }
  }
  return into
}

function readModule(path: string): Uint8Array {
  const raw = readFileSync(path)
  if (path.endsWith('.ko')) return raw
  if (path.endsWith('.gz')) return gunzipSync(raw)
  const tool = path.endsWith('.xz') ? 'xz' : 'zstd'
  try {
    return execFileSync(tool, ['-dc', path], { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (e) {
    throw new GuestKernelError(`${path}: cannot decompress with ${tool} (${e instanceof Error ? e.message : String(e)}); install ${tool} or give uncompressed modules`)
  }
}

/** The `depends=` field of a module's .modinfo section: the modules it needs loaded first. */
export function moduleDepends(ko: Uint8Array): string[] {
  const buf = Buffer.from(ko.buffer, ko.byteOffset, ko.byteLength)
  const at = buf.indexOf('\0depends=')
  if (at < 0) return []
  const start = at + '\0depends='.length
  const text = buf.toString('latin1', start, buf.indexOf(0, start))
  return text === '' ? [] : text.split(',').map(canonical)
}

/** Modules built into the kernel (modules.builtin: one kernel/…/name.ko path a line). */
function builtinModules(modulesDir: string): Set<string> {
  const file = join(modulesDir, 'modules.builtin')
  if (!existsSync(file)) return new Set()
  return new Set(readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('.ko')).map((l) => canonical(basename(l, '.ko'))))
}

/** The modules for `wanted`, each after its dependencies (the order insmod needs); modules
 * built into the kernel are left out. */
export function resolveModules(modulesDir: string, wanted: readonly string[]): KernelModule[] {
  const index = indexModules(join(modulesDir, 'kernel'))
  const builtin = builtinModules(modulesDir)
  const done = new Map<string, KernelModule>()
  const visiting = new Set<string>()
  const visit = (name: string, neededBy: string | null): void => {
    if (done.has(name) || visiting.has(name) || builtin.has(name)) return
    const path = index.get(name)
    if (path === undefined) {
      throw new GuestKernelError(
        `${modulesDir}: module ${name}${neededBy ? ` (needed by ${neededBy})` : ''} not found (nor in modules.builtin): is this lib/modules/<release> of the kernel given?`,
      )
    }
    visiting.add(name)
    const data = readModule(path)
    for (const dep of moduleDepends(data)) visit(dep, name)
    visiting.delete(name)
    done.set(name, { name, data })
  }
  for (const name of wanted) visit(canonical(name), null)
  return [...done.values()]
}
