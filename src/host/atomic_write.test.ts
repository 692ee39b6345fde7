// Every output is written whole or not at all (issue 9): a failed write leaves the old file and
// no temp file; a replaced file keeps its mode; an exclusive write never replaces a file.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureWritableDir, makeDirs, writeFileAtomic, writeThroughTemp } from './atomic_write'
import { FileWriteError } from './io_error'

const dir = mkdtempSync(join(tmpdir(), 'prlab-atomic-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('writeThroughTemp', () => {
  it('replaces a file whole, keeping its mode, and leaves no temp file', async () => {
    const path = join(dir, 'summary.json')
    writeFileSync(path, 'old')
    chmodSync(path, 0o640)
    await writeFileAtomic(path, 'new')
    expect(readFileSync(path, 'utf8')).toBe('new')
    expect(statSync(path).mode & 0o777).toBe(0o640)
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('a producer that fails midway leaves the old file and no temp file', async () => {
    const path = join(dir, 'samples.csv')
    writeFileSync(path, 'old rows')
    await expect(
      writeThroughTemp(path, async (write) => {
        await write('half of the new rows')
        throw new Error('cancelled')
      }),
    ).rejects.toThrow('cancelled')
    expect(readFileSync(path, 'utf8')).toBe('old rows')
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('exclusive: never replaces an existing file', async () => {
    const path = join(dir, 'exp.prlab.json')
    expect(await writeThroughTemp(path, (w) => w('first'), { exclusive: true })).toBe('written')
    expect(await writeThroughTemp(path, (w) => w('second'), { exclusive: true })).toBe('exists')
    expect(readFileSync(path, 'utf8')).toBe('first')
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('a file-system error names the target file', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x.txt'), 'x')).rejects.toThrow(FileWriteError)
    await expect(writeFileAtomic(join(dir, 'missing', 'x.txt'), 'x')).rejects.toThrow(/^cannot write .*missing\/x\.txt: no such file or directory$/)
  })
})

describe('makeDirs and ensureWritableDir', () => {
  it('mkdir -p, and a clear refusal where no folder can be (a device, under /proc) without spinning', async () => {
    await makeDirs(join(dir, 'a', 'b', 'c'))
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true)
    await expect(ensureWritableDir('/dev/full')).rejects.toThrow(/^cannot write \/dev\/full: not a directory$/)
    await expect(ensureWritableDir('/proc/prlab-test/out')).rejects.toThrow(FileWriteError)
    await ensureWritableDir(join(dir, 'out'))
    expect(readdirSync(join(dir, 'out'))).toEqual([])
  })
})
