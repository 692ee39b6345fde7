// The page's own <meta> policy is what guards it where no header does (a dev server, a file opened
// by hand). It may not allow what the served headers forbid (src/server/static_files.ts,
// src/main/protocol.ts): every directive of theirs is in it, no wider, but for the WebSocket of
// browser mode, whose host only the server knows (its header narrows it to itself).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from './static_files'

const directives = (policy: string): Map<string, string[]> =>
  new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0] !== '')
      .map(([name, ...sources]) => [name, sources]),
  )

const metaPolicy = (): string => {
  const html = readFileSync(new URL('../renderer/index.html', import.meta.url), 'utf8')
  const m = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)
  if (m === null) throw new Error('src/renderer/index.html has no Content-Security-Policy meta')
  return m[1]
}

describe('the renderer page meta Content-Security-Policy', () => {
  it('has every directive of the served policy with no source beyond it (frame-ancestors is ignored in a meta)', () => {
    const meta = directives(metaPolicy())
    const served = directives(contentSecurityPolicy('127.0.0.1:5173'))
    for (const [name, sources] of served) {
      if (name === 'frame-ancestors') continue
      const mine = meta.get(name)
      expect(mine, name).toBeDefined()
      const allowed = name === 'connect-src' ? [...sources, 'ws:'] : sources
      for (const source of mine ?? []) expect(allowed, `${name} ${source}`).toContain(source)
    }
    for (const name of meta.keys()) expect(served.has(name), `${name} is not in the served policy`).toBe(true)
  })
})
