import { describe, expect, it } from 'vitest'
import { fromBase64, parseMessage, stringifyMessage, toBase64 } from './json_codec'

describe('json codec', () => {
  it('matches RFC 4648 test vectors', () => {
    const enc = (s: string) => toBase64(Uint8Array.from(s, (c) => c.charCodeAt(0)))
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual(['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'])
  })

  it('round-trips every byte value and lengths 0..5', () => {
    for (let n = 0; n <= 5; n++) {
      const bytes = Uint8Array.from({ length: 256 + n }, (_, i) => (i * 7) & 255)
      expect(Array.from(fromBase64(toBase64(bytes)))).toEqual(Array.from(bytes))
    }
  })

  it('keeps Uint8Arrays inside messages and leaves other values alone', () => {
    const msg = { t: 's', r: { states: Uint8Array.of(0, 5, 2), zones: [{ name: 'DMA' }] }, other: { $u8: 1 } }
    const back = parseMessage(stringifyMessage(msg)) as typeof msg
    expect(back.r.states).toBeInstanceOf(Uint8Array)
    expect(Array.from(back.r.states)).toEqual([0, 5, 2])
    expect(back.other).toEqual({ $u8: 1 })
  })

  it('keeps the name and message of errors', () => {
    const back = parseMessage(stringifyMessage({ e: new TypeError('bad argument') })) as { e: { name: string; message: string } }
    expect(back.e).toEqual({ name: 'TypeError', message: 'bad argument' })
  })

  it('refuses malformed base64', () => {
    expect(() => fromBase64('abc')).toThrow()
    expect(() => fromBase64('ab!=')).toThrow()
  })
})
