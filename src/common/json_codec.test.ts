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

  it('keeps typed arrays inside messages, with their kind, and leaves other values alone', () => {
    const msg = {
      t: 's',
      r: { states: Uint8Array.of(0, 5, 2), t_ns: Float64Array.of(0.5, -1e300, 7), mt: Int8Array.of(-1, 1), ref: Int32Array.of(-1, 40000) },
      other: { $ta: 1 },
    }
    const back = parseMessage(stringifyMessage(msg)) as typeof msg
    expect(back.r.states).toBeInstanceOf(Uint8Array)
    expect(Array.from(back.r.states)).toEqual([0, 5, 2])
    expect(back.r.t_ns).toBeInstanceOf(Float64Array)
    expect(Array.from(back.r.t_ns)).toEqual([0.5, -1e300, 7])
    expect(Array.from(back.r.mt)).toEqual([-1, 1])
    expect(Array.from(back.r.ref)).toEqual([-1, 40000])
    expect(back.other).toEqual({ $ta: 1 })
  })

  it('encodes a view of part of a buffer, not the whole buffer', () => {
    const whole = Float64Array.of(1, 2, 3, 4)
    const back = parseMessage(stringifyMessage(whole.subarray(1, 3))) as Float64Array
    expect(Array.from(back)).toEqual([2, 3])
  })

  it('keeps the name and message of errors', () => {
    const back = parseMessage(stringifyMessage({ e: new TypeError('bad argument') })) as { e: { name: string; message: string } }
    expect(back.e).toEqual({ name: 'TypeError', message: 'bad argument' })
  })

  it('refuses malformed base64', () => {
    expect(() => fromBase64('abc')).toThrow()
    expect(() => fromBase64('ab!=')).toThrow()
    expect(() => fromBase64('A=AA')).toThrow()
    expect(() => fromBase64('A===')).toThrow()
  })
})
