// A gzip-compressed "newc" cpio archive: the initramfs format the kernel unpacks
// (init/initramfs.c, Documentation/driver-api/early-userspace/buffer-format.rst). Written here
// rather than with cpio(1) so that recording needs no root, no staging tree and no extra package.
import { gzipSync } from 'node:zlib'

export type InitramfsEntry =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string; data: Uint8Array; executable?: boolean }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number }

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const S_IFCHR = 0o020000

const pad4 = (n: number): number => (4 - (n % 4)) % 4

function header(fields: number[], name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8')
  const head = '070701' + [...fields.slice(0, 11), nameBytes.length, 0].map((v) => v.toString(16).padStart(8, '0')).join('')
  return Buffer.concat([Buffer.from(head, 'ascii'), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length))])
}

/** The archive, gzip-compressed. Paths are relative to the root ("init", "bin/busybox"). */
export function buildInitramfs(entries: readonly InitramfsEntry[]): Buffer {
  const parts: Buffer[] = []
  entries.forEach((e, i) => {
    if (e.path.startsWith('/') || e.path.split('/').includes('..')) throw new Error(`initramfs: bad path ${e.path}`)
    const data =
      e.kind === 'file' ? Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength) : e.kind === 'symlink' ? Buffer.from(e.target, 'utf8') : Buffer.alloc(0)
    const mode =
      e.kind === 'dir' ? S_IFDIR | 0o755 : e.kind === 'symlink' ? S_IFLNK | 0o777 : e.kind === 'chardev' ? S_IFCHR | 0o600 : S_IFREG | (e.executable ? 0o755 : 0o644)
    const [rmajor, rminor] = e.kind === 'chardev' ? [e.major, e.minor] : [0, 0]
    // ino, mode, uid, gid, nlink, mtime (0: reproducible archives), filesize, dev major/minor, rdev major/minor
    parts.push(header([i + 1, mode, 0, 0, e.kind === 'dir' ? 2 : 1, 0, data.length, 0, 0, rmajor, rminor], e.path))
    parts.push(data, Buffer.alloc(pad4(data.length)))
  })
  parts.push(header([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], 'TRAILER!!!'))
  return gzipSync(Buffer.concat(parts), { level: 6 })
}
