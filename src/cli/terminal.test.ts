import { afterEach, describe, expect, it, vi } from 'vitest'
import { escapeControl, guardTerminal, writeRaw } from './terminal'

describe('escapeControl', () => {
  it('escapes C0 (but tab and newline), DEL, C1, line separators and bidi controls', () => {
    expect(escapeControl('a\u001b]0;title\u0007b')).toBe('a\\x1b]0;title\\x07b')
    expect(escapeControl('\u0000\r\u007f\u009b\u2028\u202e\u2066x')).toBe('\\x00\\x0d\\x7f\\x9b\\u{2028}\\u{202e}\\u{2066}x')
    expect(escapeControl('line 1\n\tline 2 — ünïcode ✓ 🙂')).toBe('line 1\n\tline 2 — ünïcode ✓ 🙂')
  })
})

describe('guardTerminal', () => {
  afterEach(() => vi.restoreAllMocks())

  it('escapes what goes to stderr until lifted; writeRaw passes the progress bar through', () => {
    const seen: string[] = []
    const original = process.stderr.write
    process.stderr.write = ((chunk: string) => (seen.push(chunk), true)) as typeof process.stderr.write
    try {
      const lift = guardTerminal()
      process.stderr.write('name \u001b[2J\n')
      writeRaw(process.stderr, '\r[###]\u001b[K')
      lift()
      process.stderr.write('after \u001b')
    } finally {
      process.stderr.write = original
    }
    expect(seen).toEqual(['name \\x1b[2J\n', '\r[###]\u001b[K', 'after \u001b'])
  })
})
