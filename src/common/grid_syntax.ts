// The values syntax of a sweep grid, shared by `prlab sweep --grid path=values` and the Sweep
// view's grid editor: comma-separated values (JSON, or bare strings) and ranges a..b[:step].

const MAX_RANGE_VALUES = 10_000

/** Splits `v1,v2,...` on commas outside brackets and quotes, so JSON values may contain commas. */
export function splitValues(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '\\') i++
      else if (c === '"') quoted = false
    } else if (c === '"') quoted = true
    else if (c === '[' || c === '{') depth++
    else if (c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i))
      start = i + 1
    }
  }
  out.push(text.slice(start))
  return out.map((s) => s.trim())
}

/** `a..b` or `a..b:step` (inclusive, numbers) expands to its values; anything else is one token. */
function expandRange(token: string): string[] | null {
  const m = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(token)
  if (m === null) return null
  const [from, to, step] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3])]
  if (step <= 0 || to < from) throw new Error(`range ${token}: expected from..to[:step] with from <= to and step > 0`)
  const n = Math.floor((to - from) / step + 1e-9) + 1
  if (n > MAX_RANGE_VALUES) throw new Error(`range ${token} has ${n} values (at most ${MAX_RANGE_VALUES})`)
  // Multiply rather than accumulate so 0.1 steps do not drift.
  return Array.from({ length: n }, (_, i) => String(Number((from + i * step).toPrecision(12))))
}

/** The values of `v1,v2,...` with ranges expanded; throws on an empty or repeated value, or a bad range. */
export function gridTokens(values: string): string[] {
  const tokens = splitValues(values).flatMap((t) => expandRange(t) ?? [t])
  if (tokens.some((t) => t === '')) throw new Error('empty value (two commas in a row, or a trailing comma)')
  if (new Set(tokens).size !== tokens.length) throw new Error('a value is listed twice')
  return tokens
}
