import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LineSplitter, MAX_LINE_CHARS, readFileLines, readTextLines } from './lines'
import { ImportError } from './problems'

const dir = mkdtempSync(join(tmpdir(), 'prlab-lines-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const collect = (chunks: string[]): [string, number][] => {
  const out: [string, number][] = []
  const s = new LineSplitter('x', (t, n) => void out.push([t, n]))
  for (const c of chunks) s.push(c)
  s.end()
  return out
}

describe('LineSplitter', () => {
  it('gives the same lines whatever the chunk boundaries, with CRLF and no final newline', () => {
    const text = 'a\r\nbb\n\nccc\r\nd'
    const whole = collect([text])
    expect(whole).toEqual([['a', 1], ['bb', 2], ['', 3], ['ccc', 4], ['d', 5]])
    for (let cut = 1; cut < text.length; cut++) expect(collect([text.slice(0, cut), text.slice(cut)])).toEqual(whole)
    expect(collect(text.split(''))).toEqual(whole)
  })

  it('drops a UTF-8 byte order mark at the start of the file only', () => {
    const lines: string[] = []
    const splitter = new LineSplitter('f', (t) => void lines.push(t))
    splitter.push('\uFEFFNode 0, zone DMA\r\n\uFEFFsecond')
    splitter.end()
    expect(lines).toEqual(['Node 0, zone DMA', '\uFEFFsecond'])
  })

  it('refuses a line longer than the limit, naming its number', () => {
    const s = new LineSplitter('blob.bin', () => undefined)
    s.push('ok\n')
    expect(() => s.push('x'.repeat(MAX_LINE_CHARS + 1))).toThrow(/blob\.bin: line 2 is longer than 65536/)
  })

  it('stops when the handler returns false', () => {
    const seen: number[] = []
    readTextLines('1\n2\n3\n4\n', 'x', (_t, n) => {
      seen.push(n)
      return n < 2
    })
    expect(seen).toEqual([1, 2])
  })
})

describe('readFileLines', () => {
  it('streams: stopping early reads only the first chunks of a large file', async () => {
    const path = join(dir, 'big.txt')
    writeFileSync(path, 'line of text\n'.repeat(1_000_000))
    const r = await readFileLines(path, 'big.txt', (_t, n) => n < 10)
    expect(r.lines).toBe(10)
    expect(r.bytes).toBeLessThanOrEqual(1 << 16)
  })

  it('refuses a file without line breaks after 64 KiB, not at its end', async () => {
    const path = join(dir, 'noline.bin')
    writeFileSync(path, Buffer.alloc(8 << 20, 0x41))
    await expect(readFileLines(path, 'noline.bin', () => undefined)).rejects.toBeInstanceOf(ImportError)
  })

  it('decodes UTF-8 split across chunks', async () => {
    const path = join(dir, 'utf8.txt')
    const line = 'é'.repeat(40000)
    writeFileSync(path, `${line}\n${line}\n`)
    const got: string[] = []
    await readFileLines(path, 'utf8.txt', (t) => void got.push(t))
    expect(got).toEqual([line, line])
  })
})
