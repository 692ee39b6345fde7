// The recorder's spill hitting ENOSPC or EIO (issue 9): the recorder stops taking rows with an
// error that says so and how many rows it kept, every row recorded before stays readable, and
// close() removes the spill folder. Faults are injected through the spillWrite seam, and (as
// root, where tmpfs can be mounted) on a real 4 MiB file system that fills up.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NR_SAMPLE_COLUMNS } from '../common/samples'
import { CHUNK_ROWS, Recorder, RecorderSpillError, type SpillWrite } from './recorder'

const ROW_BYTES = NR_SAMPLE_COLUMNS * 8
const BUDGET = 2 * CHUNK_ROWS * ROW_BYTES
const dir = mkdtempSync(join(tmpdir(), 'prlab-spill-fault-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function rows(first: number, count: number): Float64Array {
  const data = new Float64Array(count * NR_SAMPLE_COLUMNS)
  for (let r = 0; r < count; r++) for (let c = 0; c < NR_SAMPLE_COLUMNS; c++) data[r * NR_SAMPLE_COLUMNS + c] = (first + r) * 1000 + c
  return data
}

/** writeSync that fails with `code` once `allowed` bytes went through (a partial write first). */
function failingWrite(code: string, allowed: number): SpillWrite {
  let written = 0
  return (fd, bytes, offset, length, position) => {
    if (written >= allowed) throw Object.assign(new Error(`${code}: injected`), { code })
    const n = Math.min(length, allowed - written)
    written += n
    return writeSync(fd, bytes, offset, n, position)
  }
}

/** Appends frames of 500 rows until the recorder refuses; returns the rows it accepted. */
function fillUntilRefused(rec: Recorder, max = 40 * CHUNK_ROWS): { appended: number; error: unknown } {
  let appended = 0
  while (appended < max) {
    try {
      rec.appendRows(rows(appended, 500), 500)
      appended += 500
    } catch (error) {
      return { appended, error }
    }
  }
  return { appended, error: null }
}

function expectAllRowsReadable(rec: Recorder): void {
  const all = rec.readRows(0, rec.rowCount)
  for (let r = 0; r < rec.rowCount; r++) {
    if (all[r * NR_SAMPLE_COLUMNS + 3] !== r * 1000 + 3) throw new Error(`row ${r} reads back wrong`)
  }
}

describe('recorder spill faults (injected)', () => {
  for (const [code, words] of [
    ['ENOSPC', 'the disk is full'],
    ['EIO', 'the disk failed (input/output error)'],
  ] as const) {
    it(`${code}: the recorder says "${words}; N rows kept", keeps every row and removes its folder on close`, () => {
      const parent = join(dir, code)
      mkdirSync(parent)
      // the third chunk spilled fails halfway
      const rec = new Recorder({ spillDir: parent, memoryBudgetBytes: BUDGET, spillWrite: failingWrite(code, 2.5 * CHUNK_ROWS * ROW_BYTES) })
      const { appended, error } = fillUntilRefused(rec)
      expect(error).toBeInstanceOf(RecorderSpillError)
      const e = error as RecorderSpillError
      expect(e.message).toMatch(new RegExp(`^${words.replace(/[()]/g, '\\$&')}; ${rec.rowCount} rows kept`))
      expect(e.code).toBe(code)
      // nothing recorded is lost: rows of the refused frame that went in before the failure count too
      expect(rec.rowCount).toBeGreaterThanOrEqual(appended)
      expect(rec.rowCount).toBeLessThan(appended + 500)
      expectAllRowsReadable(rec)
      expect([...rec.chunks()].reduce((n, c) => n + c.rows, 0)).toBe(rec.rowCount)
      // and it takes no more
      expect(() => rec.appendRows(rows(0, 1), 1)).toThrow(RecorderSpillError)
      expect(() => rec.appendEvents([{ t_ms: 0, kind: 'report' } as never])).toThrow(RecorderSpillError)
      expect(readdirSync(parent)).toHaveLength(1)
      rec.close()
      expect(readdirSync(parent)).toHaveLength(0)
    })
  }

  it('a spill folder that cannot be created (read-only temp folder) is the same error, nothing lost', () => {
    const rec = new Recorder({ spillDir: join(dir, 'does', 'not', 'exist'), memoryBudgetBytes: BUDGET })
    const { error } = fillUntilRefused(rec)
    expect(error).toBeInstanceOf(RecorderSpillError)
    expect((error as Error).message).toMatch(/^no such file or directory; \d+ rows kept/)
    expectAllRowsReadable(rec)
    rec.close()
  })
})

/** Mounts a small tmpfs (root only); null where that is not possible here. */
function mountTmpfs(size: string): string | null {
  if (process.getuid?.() !== 0) return null
  const at = mkdtempSync(join(tmpdir(), 'prlab-tmpfs-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'ignore' })
    return at
  } catch {
    rmSync(at, { recursive: true, force: true })
    return null
  }
}

const tmpfs = mountTmpfs('4m')
afterAll(() => {
  if (tmpfs === null) return
  execFileSync('umount', [tmpfs])
  rmSync(tmpfs, { recursive: true, force: true })
})

describe.skipIf(tmpfs === null)('recorder spill on a real 4 MiB tmpfs (root only)', () => {
  it('fills the file system: "the disk is full; N rows kept", every row readable, folder removed', () => {
    const rec = new Recorder({ spillDir: tmpfs as string, memoryBudgetBytes: BUDGET })
    const { error } = fillUntilRefused(rec)
    expect(error).toBeInstanceOf(RecorderSpillError)
    expect((error as Error).message).toMatch(/^the disk is full; \d+ rows kept/)
    // 4 MiB of spill (3 chunks of 1.3 MB) plus 2 chunks in memory
    expect(rec.rowCount).toBeGreaterThanOrEqual(4 * CHUNK_ROWS)
    expectAllRowsReadable(rec)
    rec.close()
    expect(readdirSync(tmpfs as string)).toEqual([])
    expect(existsSync(tmpfs as string)).toBe(true)
  })
})
