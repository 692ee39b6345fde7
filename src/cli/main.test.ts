// An internal error (a bug) prints one line and how to report it; the stack trace only with
// --debug or PRLAB_DEBUG=1.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('./commands/schema', () => ({
  main: async (): Promise<number> => {
    throw new TypeError("Cannot read properties of undefined (reading 'x')\nsecond line")
  },
}))

const { internalError, main } = await import('./main')

let err: string[] = []
beforeEach(() => {
  err = []
  vi.spyOn(console, 'error').mockImplementation((s) => void err.push(String(s)))
})
afterEach(() => vi.restoreAllMocks())

describe('internal errors', () => {
  it('print one line and how to report it, exit 1, no stack trace', async () => {
    expect(await main(['schema'], {})).toBe(1)
    const text = err.join('\n')
    expect(text.split('\n')[0]).toBe("prlab schema: internal error: Cannot read properties of undefined (reading 'x')")
    expect(text).toContain('--debug (or PRLAB_DEBUG=1)')
    expect(text).not.toMatch(/\n\s+at /)
  })

  it('show the stack trace with --debug anywhere on the command line, or PRLAB_DEBUG=1', async () => {
    expect(await main(['schema', '--debug'], {})).toBe(1)
    expect(err.join('\n')).toMatch(/internal error: TypeError: Cannot read[^]*\n\s+at /)
    err = []
    expect(await main(['--debug', 'schema'], {})).toBe(1)
    expect(err.join('\n')).toMatch(/\n\s+at /)
    err = []
    expect(await main(['schema'], { PRLAB_DEBUG: '1' })).toBe(1)
    expect(err.join('\n')).toMatch(/\n\s+at /)
  })

  it('internalError keeps a non-Error to its first line', () => {
    expect(internalError('run', 'boom\nmore', false)).toMatch(/^prlab run: internal error: boom\nThis is a bug in prlab/)
  })
})
