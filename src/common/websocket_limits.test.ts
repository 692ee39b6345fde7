import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MAX_CLIENT_MESSAGE_BYTES, oversizeMessageBytes, utf8Length } from './websocket_limits'

describe('utf8Length', () => {
  it('is the UTF-8 byte count the WebSocket sends, for any string (lone surrogates become U+FFFD, 3 bytes)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === Buffer.byteLength(s, 'utf8')))
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)) }), (s) => utf8Length(s) === Buffer.byteLength(s, 'utf8')))
  })

  it('counts by hand-computed cases', () => {
    expect(utf8Length('')).toBe(0)
    expect(utf8Length('a\u00e9\u20ac\u{1f600}')).toBe(1 + 2 + 3 + 4)
  })
})

describe('oversizeMessageBytes', () => {
  it('is null up to the limit and the byte count past it, multi-byte characters counted as bytes', () => {
    expect(oversizeMessageBytes('x'.repeat(MAX_CLIENT_MESSAGE_BYTES))).toBeNull()
    expect(oversizeMessageBytes('x'.repeat(MAX_CLIENT_MESSAGE_BYTES + 1))).toBe(MAX_CLIENT_MESSAGE_BYTES + 1)
    const third = Math.floor(MAX_CLIENT_MESSAGE_BYTES / 3)
    expect(oversizeMessageBytes('\u20ac'.repeat(third))).toBeNull()
    expect(oversizeMessageBytes('\u20ac'.repeat(third + 1))).toBe(3 * (third + 1))
  })
})
