import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { locateGuestKernel, moduleDepends, resolveModules } from './guest_kernel'

const root = mkdtempSync(join(tmpdir(), 'prlab-kmod-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

// a stand-in .ko: the .modinfo strings as the kernel's modpost writes them, NUL-separated
const ko = (depends: string): Buffer => Buffer.from(`\x7fELF....\0license=GPL\0depends=${depends}\0retpoline=Y\0name=x\0`, 'latin1')

// an unpacked kernel package: boot/vmlinuz-R, lib/modules/R/kernel/**.ko and modules.builtin
const release = '6.1.0-99-amd64'
const mods = join(root, 'lib', 'modules', release)
mkdirSync(join(root, 'boot'), { recursive: true })
writeFileSync(join(root, 'boot', `vmlinuz-${release}`), 'kernel')
writeFileSync(join(root, 'boot', `config-${release}`), '# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n')
for (const [dir, name, deps] of [
  ['drivers/virtio', 'virtio', ''],
  ['drivers/virtio', 'virtio_ring', ''],
  ['drivers/virtio', 'virtio_pci_modern_dev', ''],
  ['drivers/virtio', 'virtio_pci', 'virtio_pci_modern_dev,virtio,virtio_ring,virtio_pci_legacy_dev'],
  ['drivers/char', 'virtio_console', 'virtio,virtio_ring'],
  ['drivers/virtio', 'virtio_balloon', 'virtio,virtio_ring'],
] as const) {
  mkdirSync(join(mods, 'kernel', dir), { recursive: true })
  writeFileSync(join(mods, 'kernel', dir, `${name}.ko`), ko(deps))
}
writeFileSync(join(mods, 'kernel', 'drivers', 'virtio', 'virtio_pci_legacy_dev.ko.gz'), gzipSync(ko('')))
writeFileSync(join(mods, 'modules.builtin'), 'kernel/drivers/virtio/virtio_anchor.ko\n')

describe('guest kernel modules', () => {
  it('reads depends= from .modinfo', () => {
    expect(moduleDepends(ko('virtio,virtio_ring'))).toEqual(['virtio', 'virtio_ring'])
    expect(moduleDepends(ko(''))).toEqual([])
    expect(moduleDepends(Buffer.from('no modinfo'))).toEqual([])
  })
  it('orders each module after its dependencies, once each, and unpacks .ko.gz', () => {
    const order = resolveModules(mods, ['virtio_pci', 'virtio_console']).map((m) => m.name)
    expect(order).toEqual(['virtio_pci_modern_dev', 'virtio', 'virtio_ring', 'virtio_pci_legacy_dev', 'virtio_pci', 'virtio_console'])
    const legacy = resolveModules(mods, ['virtio_pci_legacy_dev'])[0]
    expect(Buffer.from(legacy.data).toString('latin1')).toContain('license=GPL')
  })
  it('leaves out built-in modules and names a missing one with who needs it', () => {
    expect(resolveModules(mods, ['virtio_anchor'])).toEqual([])
    writeFileSync(join(mods, 'kernel', 'drivers', 'char', 'needs_gone.ko'), ko('gone_module'))
    expect(() => resolveModules(mods, ['needs_gone'])).toThrow(/module gone_module \(needed by needs_gone\) not found/)
  })
})

describe('locateGuestKernel', () => {
  it('finds vmlinuz and lib/modules/<release> in an unpacked package', () => {
    expect(locateGuestKernel(root, null)).toEqual({ vmlinuz: join(root, 'boot', `vmlinuz-${release}`), modulesDir: mods, release, packageFile: null, configHz: 250 })
  })
  it('takes a vmlinuz with --modules, and says what is missing', () => {
    expect(locateGuestKernel(join(root, 'boot', `vmlinuz-${release}`), mods).release).toBe(release)
    expect(() => locateGuestKernel(join(root, 'boot', `vmlinuz-${release}`), null)).toThrow(/give its modules with --modules/)
    expect(() => locateGuestKernel(join(root, 'nope'), null)).toThrow(/--kernel .*nope: no such file or folder/)
    expect(() => locateGuestKernel(mods, null)).toThrow(/expected one boot\/vmlinuz-\*/)
  })
})
