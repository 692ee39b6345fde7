import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parseStrictJson } from './strict_json'

const issueOf = (text: string) => {
  const r = parseStrictJson(text, 32)
  if (r.ok) throw new Error('expected a failure')
  return r.issue
}

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads, for any JSON without reserved keys', () => {
    const key = fc.string().filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k))
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string(),
        fc.array(tie('node')),
        fc.dictionary(key, tie('node')),
      ),
    })).node
    fc.assert(
      fc.property(value, fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : undefined)
        const r = parseStrictJson(text, 64)
        expect(r.ok).toBe(true)
        if (r.ok) expect(r.value).toEqual(JSON.parse(text))
      }),
      { numRuns: 300 },
    )
  })

  it('gives 1-based line and column of the offending character', () => {
    expect(issueOf('{\n  "a": 1,\n  "b": tru\n}')).toMatchObject({ path: 'b', line: 3, column: 8, message: "unexpected word 'tru'; expected a value (strings need double quotes)" })
    expect(issueOf('{"a": [1, 2,]}')).toMatchObject({ path: 'a', line: 1, column: 13 })
    expect(issueOf('{"a": 1} x')).toMatchObject({ line: 1, column: 10 })
  })

  it('refuses duplicate keys, naming the first occurrence', () => {
    expect(issueOf('{\n"g": {"cpus": 1,\n"cpus": 2}}')).toMatchObject({ path: 'g.cpus', line: 3, column: 1, message: 'duplicate key "cpus" (first given on line 2); expected each key once' })
  })

  it('refuses __proto__, constructor and prototype keys at any depth', () => {
    expect(issueOf('{"__proto__": {}}').path).toBe('__proto__')
    expect(issueOf('{"a": [{"constructor": 1}]}').path).toBe('a[0].constructor')
    expect(issueOf('{"a": {"prototype": 1}}').path).toBe('a.prototype')
  })

  it('refuses NaN, Infinity and out-of-range numbers, naming the field', () => {
    expect(issueOf('{"x": NaN}')).toMatchObject({ path: 'x', message: 'NaN is not a JSON number; expected a finite number' })
    expect(issueOf('{"x": -Infinity}').message).toContain('Infinity is not a JSON number')
    expect(issueOf('{"x": 1e309}').message).toBe('the number 1e309 is out of range; expected a finite number')
    expect(issueOf('{"x": 01}').message).toContain('malformed number')
    expect(issueOf('{"x": 0x10}').message).toContain('malformed number')
  })

  it('limits nesting without recursing past the limit', () => {
    const deep = '['.repeat(100000) + ']'.repeat(100000)
    expect(issueOf(deep).message).toBe('nesting deeper than 32 levels; an experiment file is never that deep')
    expect(parseStrictJson('[[[]]]', 3).ok).toBe(true)
    expect(parseStrictJson('[[[[]]]]', 3).ok).toBe(false)
  })

  it('explains truncation, comments, single quotes and raw control characters', () => {
    expect(issueOf('{"a": {"b": [1, 2').message).toBe("the file ends too early; expected ',' or ']'")
    expect(issueOf('{"a": "abc').message).toBe('the file ends too early; expected the closing " of a string')
    expect(issueOf('{// note\n}').message).toContain('comments are not allowed')
    expect(issueOf("{'a': 1}").message).toContain('double quotes')
    expect(issueOf('{"a": "x\ny"}').message).toContain('U+000A inside a string')
    expect(issueOf('').message).toBe('the file is empty; expected a JSON object')
  })

  it('records where each value starts', () => {
    const r = parseStrictJson('{\n  "w": {\n    "p": [\n      {"mib": 5}\n    ]\n  }\n}', 32)
    expect(r.ok && r.positions.get('w.p[0].mib')).toEqual({ line: 4, column: 15 })
  })
})
