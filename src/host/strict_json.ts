// A strict JSON reader for files people write and share. JSON.parse accepts duplicate keys
// (the last one silently wins), creates own `__proto__` properties, reports errors by character
// offset only and recurses without limit; this reader refuses all of that and remembers where
// each value starts so validation errors can point at a line and column.
import type { Issue } from '../common/api'

/** Keys that mean something to JavaScript objects; never valid in our files. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

export interface SourcePosition {
  readonly line: number
  readonly column: number
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export type StrictJsonResult =
  | { readonly ok: true; readonly value: JsonValue; readonly positions: ReadonlyMap<string, SourcePosition> }
  | { readonly ok: false; readonly issue: Issue }

/** Dotted path as users read it: `workload.phases[2].mib`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key)
  return parent === '' ? safe : `${parent}.${safe}`
}

class JsonSyntaxError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message)
  }
}

const describeChar = (ch: string): string => {
  const code = ch.codePointAt(0) ?? 0
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return code < 0x20 || code === 0x7f || code === 0xfffd ? hex : `'${ch}' (${hex})`
}

const NON_JSON_WORDS: Readonly<Record<string, string>> = {
  NaN: 'NaN is not a JSON number; expected a finite number',
  Infinity: 'Infinity is not a JSON number; expected a finite number',
  undefined: 'undefined is not a JSON value; leave the field out instead',
}

class Reader {
  private pos = 0
  private line = 1
  private lineStart = 0
  readonly positions = new Map<string, SourcePosition>()

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  read(): JsonValue {
    this.skipSpace()
    if (this.pos >= this.text.length) this.fail('', 'the file is empty; expected a JSON object')
    const value = this.value('', 0)
    this.skipSpace()
    if (this.pos < this.text.length) this.fail('', `unexpected ${describeChar(this.peekChar())} after the end of the JSON value`)
    return value
  }

  private here(): SourcePosition {
    return { line: this.line, column: this.pos - this.lineStart + 1 }
  }

  private fail(path: string, message: string, at: SourcePosition = this.here()): never {
    throw new JsonSyntaxError(path, message, at.line, at.column)
  }

  private peekChar(): string {
    return String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0)
  }

  private skipSpace(): void {
    const text = this.text
    for (;;) {
      const c = text.charCodeAt(this.pos)
      if (c === 0x20 || c === 0x09 || c === 0x0d) this.pos++
      else if (c === 0x0a) {
        this.pos++
        this.line++
        this.lineStart = this.pos
      } else if (c === 0x2f && (text[this.pos + 1] === '/' || text[this.pos + 1] === '*')) {
        this.fail('', 'comments are not allowed in JSON; use a "label" field for notes')
      } else return
    }
  }

  private expectEnd(path: string, what: string): never {
    this.fail(path, `the file ends too early; expected ${what}`)
  }

  private value(path: string, depth: number): JsonValue {
    this.positions.set(path, this.here())
    const c = this.text[this.pos]
    if (c === undefined) this.expectEnd(path, 'a value')
    if (c === '{') return this.object(path, depth + 1)
    if (c === '[') return this.array(path, depth + 1)
    if (c === '"') return this.string(path)
    if (c === '-' || (c >= '0' && c <= '9')) return this.number(path)
    const word = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.pos, this.pos + 32))?.[0]
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length
      return word === 'null' ? null : word === 'true'
    }
    if (word !== undefined && Object.hasOwn(NON_JSON_WORDS, word)) this.fail(path, NON_JSON_WORDS[word])
    if (word !== undefined) this.fail(path, `unexpected word '${word}'; expected a value (strings need double quotes)`)
    if (c === "'") this.fail(path, 'strings need double quotes, not single quotes')
    this.fail(path, `unexpected ${describeChar(this.peekChar())}; expected a value`)
  }

  private enter(path: string, depth: number): void {
    if (depth > this.maxDepth) this.fail(path, `nesting deeper than ${this.maxDepth} levels; an experiment file is never that deep`)
    this.pos++
    this.skipSpace()
  }

  private object(path: string, depth: number): JsonValue {
    this.enter(path, depth)
    const result: { [key: string]: JsonValue } = {}
    const keyLines = new Map<string, number>()
    if (this.text[this.pos] === '}') {
      this.pos++
      return result
    }
    for (;;) {
      if (this.pos >= this.text.length) this.expectEnd(path, 'a "key" or }')
      if (this.text[this.pos] !== '"') {
        if (this.text[this.pos] === '}') this.fail(path, 'trailing comma before }; remove the last comma')
        this.fail(path, `unexpected ${describeChar(this.peekChar())}; expected a "key" in double quotes`)
      }
      const keyAt = this.here()
      const key = this.string(path)
      const childPath = joinPath(path, key)
      if (FORBIDDEN_KEYS.has(key)) this.fail(childPath, `the key "${key}" is not allowed (reserved JavaScript name)`, keyAt)
      const first = keyLines.get(key)
      if (first !== undefined) this.fail(childPath, `duplicate key "${key}" (first given on line ${first}); expected each key once`, keyAt)
      keyLines.set(key, keyAt.line)
      this.skipSpace()
      if (this.text[this.pos] !== ':') {
        if (this.pos >= this.text.length) this.expectEnd(childPath, "':' after the key")
        this.fail(childPath, `unexpected ${describeChar(this.peekChar())}; expected ':' after the key`)
      }
      this.pos++
      this.skipSpace()
      result[key] = this.value(childPath, depth)
      this.skipSpace()
      const next = this.text[this.pos]
      if (next === ',') {
        this.pos++
        this.skipSpace()
      } else if (next === '}') {
        this.pos++
        return result
      } else if (next === undefined) this.expectEnd(path, "',' or '}'")
      else this.fail(path, `unexpected ${describeChar(this.peekChar())}; expected ',' or '}' after the value of "${key}"`)
    }
  }

  private array(path: string, depth: number): JsonValue {
    this.enter(path, depth)
    const result: JsonValue[] = []
    if (this.text[this.pos] === ']') {
      this.pos++
      return result
    }
    for (;;) {
      if (this.text[this.pos] === ']') this.fail(path, 'trailing comma before ]; remove the last comma')
      result.push(this.value(joinPath(path, result.length), depth))
      this.skipSpace()
      const next = this.text[this.pos]
      if (next === ',') {
        this.pos++
        this.skipSpace()
      } else if (next === ']') {
        this.pos++
        return result
      } else if (next === undefined) this.expectEnd(path, "',' or ']'")
      else this.fail(path, `unexpected ${describeChar(this.peekChar())}; expected ',' or ']' in the list`)
    }
  }

  private string(path: string): string {
    const text = this.text
    let i = this.pos + 1
    let out = ''
    let runStart = i
    for (;;) {
      const c = text.charCodeAt(i)
      if (Number.isNaN(c)) {
        this.pos = i
        this.expectEnd(path, 'the closing " of a string')
      }
      if (c === 0x22) {
        out += text.slice(runStart, i)
        this.pos = i + 1
        return out
      }
      if (c < 0x20) {
        this.pos = i
        this.fail(path, `${describeChar(text[i])} inside a string; line breaks and control characters must be escaped`)
      }
      if (c === 0x5c) {
        out += text.slice(runStart, i)
        const e = text[i + 1]
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e]
          i += 2
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16))
          i += 6
        } else {
          this.pos = i
          this.fail(path, `invalid escape ${JSON.stringify(text.slice(i, i + 2))} in a string`)
        }
        runStart = i
        continue
      }
      i++
    }
  }

  private number(path: string): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400))
    const rest = this.text.slice(this.pos, this.pos + 12)
    if (/^-?Infinity/.test(rest)) this.fail(path, NON_JSON_WORDS.Infinity)
    if (match === null) this.fail(path, `malformed number ${JSON.stringify(rest.split(/[\s,\]}]/)[0])}; expected digits such as 12 or 0.5`)
    const after = this.text[this.pos + match[0].length]
    if (after !== undefined && /[\w.+-]/.test(after)) {
      const bad = this.text.slice(this.pos, this.pos + 24).split(/[\s,\]}]/)[0]
      this.fail(path, `malformed number ${JSON.stringify(bad)}; expected digits such as 12 or 0.5 (no leading zeros, hex or trailing dot)`)
    }
    const value = Number(match[0])
    if (!Number.isFinite(value)) this.fail(path, `the number ${match[0]} is out of range; expected a finite number`)
    this.pos += match[0].length
    return value
  }
}

/** Parses `text` (no BOM) strictly. Errors carry the field path being read and a 1-based line and column. */
export function parseStrictJson(text: string, maxDepth: number): StrictJsonResult {
  const reader = new Reader(text, maxDepth)
  try {
    const value = reader.read()
    return { ok: true, value, positions: reader.positions }
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      return { ok: false, issue: { path: error.path, message: error.message, line: error.line, column: error.column } }
    }
    throw error
  }
}
