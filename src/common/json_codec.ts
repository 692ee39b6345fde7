// JSON for the WebSocket transport that keeps typed arrays (memory maps, imported traces) compact
// and typed: they travel as {"$ta": "<kind>", "$b": "<base64 of the bytes>"} instead of JSON's
// object-of-indices.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const LOOKUP = new Uint8Array(128)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i

export function toBase64(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63]
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '='
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : '='
  }
  return out
}

export function fromBase64(text: string): Uint8Array {
  // Padding only at the end: 'A=AA' would otherwise decode to made-up bytes.
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('not base64')
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    const n = (LOOKUP[text.charCodeAt(i)] << 18) | (LOOKUP[text.charCodeAt(i + 1)] << 12) | (LOOKUP[text.charCodeAt(i + 2)] << 6) | LOOKUP[text.charCodeAt(i + 3)]
    if (o < out.length) out[o++] = (n >> 16) & 255
    if (o < out.length) out[o++] = (n >> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  return out
}

const TYPED_ARRAYS = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const
type TypedArrayKind = keyof typeof TYPED_ARRAYS
type TypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayKind]>

function typedArrayKind(v: unknown): TypedArrayKind | null {
  for (const kind of Object.keys(TYPED_ARRAYS) as TypedArrayKind[]) if (v instanceof TYPED_ARRAYS[kind]) return kind
  return null
}

/** Errors keep their name and message (JSON.stringify would drop both). */
export const stringifyMessage = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    const kind = typedArrayKind(v)
    if (kind !== null) {
      const a = v as TypedArray
      return { $ta: kind, $b: toBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) }
    }
    if (v instanceof Error) return { name: v.name, message: v.message }
    return v
  })

export const parseMessage = (text: string): unknown =>
  JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const { $ta, $b } = v as { $ta?: unknown; $b?: unknown }
      if (Object.keys(v).length === 2 && typeof $b === 'string' && typeof $ta === 'string' && Object.hasOwn(TYPED_ARRAYS, $ta)) {
        const Ctor = TYPED_ARRAYS[$ta as TypedArrayKind]
        const bytes = fromBase64($b)
        if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new Error(`${$ta}: ${bytes.length} bytes is not a whole number of elements`)
        // A fresh buffer: the decoded bytes are aligned for any element size.
        return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT)
      }
    }
    return v
  })
