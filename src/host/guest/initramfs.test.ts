import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildInitramfs, type InitramfsEntry } from './initramfs'

const ENTRIES: InitramfsEntry[] = [
  { kind: 'dir', path: 'bin' },
  { kind: 'file', path: 'init', data: Buffer.from('abc'), executable: true },
  { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
  { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
]

const hex = (b: Buffer, at: number, field: number): number => parseInt(b.toString('ascii', at + 6 + field * 8, at + 14 + field * 8), 16)

describe('buildInitramfs (newc cpio, gzip)', () => {
  const raw = gunzipSync(buildInitramfs(ENTRIES))

  it('lays out headers, names and data on 4-byte boundaries', () => {
    // entry 1 at 0: 110-byte header + "bin\0" = 114, padded to 116; no data
    expect(raw.toString('ascii', 0, 6)).toBe('070701')
    expect(hex(raw, 0, 1)).toBe(0o040755) // mode: directory
    expect(hex(raw, 0, 11)).toBe(4) // namesize with the NUL
    expect(raw.toString('ascii', 110, 114)).toBe('bin\0')
    // entry 2 at 116: header + "init\0" = 115 -> 116; data "abc" at 232, padded to 236
    expect(raw.toString('ascii', 116, 122)).toBe('070701')
    expect(hex(raw, 116, 1)).toBe(0o100755)
    expect(hex(raw, 116, 6)).toBe(3) // filesize
    expect(raw.toString('ascii', 232, 235)).toBe('abc')
    // entry 3 at 236: symlink whose data is the target
    expect(hex(raw, 236, 1)).toBe(0o120777)
    expect(raw.toString('ascii', 236 + 110, 236 + 117)).toBe('bin/sh\0')
    // entry 4 at 236 + 120 (header + name 117, padded) + 8 (target "busybox" 7, padded)
    const dev = 236 + 120 + 8
    expect(hex(raw, dev, 1)).toBe(0o020600)
    expect([hex(raw, dev, 9), hex(raw, dev, 10)]).toEqual([5, 1]) // rdev 5:1 (/dev/console)
    // the trailer ends the archive
    expect(raw.toString('ascii', raw.length - 124, raw.length).includes('TRAILER!!!')).toBe(true)
    expect(raw.length % 4).toBe(0)
  })

  it('refuses absolute paths and ..', () => {
    expect(() => buildInitramfs([{ kind: 'dir', path: '/etc' }])).toThrow(/bad path/)
    expect(() => buildInitramfs([{ kind: 'dir', path: 'a/../../etc' }])).toThrow(/bad path/)
  })

  it.skipIf(!existsSync('/bin/busybox'))('is read back by busybox cpio', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prlab-cpio-'))
    try {
      writeFileSync(join(dir, 'a.cpio'), raw)
      const list = execFileSync('/bin/busybox', ['cpio', '-t', '-F', join(dir, 'a.cpio')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      expect(list.trim().split('\n')).toEqual(['bin', 'init', 'bin/sh', 'dev/console'])
      execFileSync('/bin/busybox', ['cpio', '-i', '-d', '-F', join(dir, 'a.cpio'), 'init'], { cwd: dir, stdio: 'ignore' })
      expect(readFileSync(join(dir, 'init'), 'utf8')).toBe('abc')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
