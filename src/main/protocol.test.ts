// The prlab:// handler serves the built renderer and nothing else: every request gets an answer
// (the file, 400, 404 or 405) and none makes it throw (issue 9).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fake } from '../../test/desktop/mock_electron'
import { APP_ORIGIN, APP_SCHEME, registerAppScheme, rendererFile, serveRenderer } from './protocol'

vi.mock('electron', () => import('../../test/desktop/mock_electron').then((m) => m.fake.module))

const root = mkdtempSync(join(tmpdir(), 'prlab-protocol-'))
const rendererDir = join(root, 'renderer')
afterAll(() => rmSync(root, { recursive: true, force: true }))

let handle: (request: Request) => Promise<Response> | Response
beforeAll(() => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>lab</title>')
  writeFileSync(join(rendererDir, 'assets', 'index.js'), 'console.log(1)')
  writeFileSync(join(root, 'secret.txt'), 'secret')
  writeFileSync(join(root, 'renderer-evil.txt'), 'next door')
  registerAppScheme()
  fake.app.emitReady()
  serveRenderer(rendererDir)
  handle = fake.protocolHandlers.get(APP_SCHEME) as typeof handle
})

const get = async (path: string, method = 'GET'): Promise<{ status: number; text: string; csp: string | null }> => {
  const response = await handle({ url: `${APP_ORIGIN}${path}`, method } as Request)
  return { status: response.status, text: await response.text(), csp: response.headers.get('Content-Security-Policy') }
}

describe('the prlab:// protocol', () => {
  it('is registered as a standard, secure scheme before ready', () => {
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'prlab', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
  })

  it('serves the renderer with the Content-Security-Policy', async () => {
    const index = await get('/')
    expect([index.status, index.text]).toEqual([200, '<!doctype html><title>lab</title>'])
    expect(index.csp).toMatch(/script-src 'self'/)
    expect((await get('/assets/index.js')).text).toBe('console.log(1)')
  })

  it('answers malformed % escapes with 400', async () => {
    for (const path of ['/%', '/%zz', '/%E0%A4%A', '/%c0%ae%c0%ae/', '/%ff', '/a%00b', '/a%5c..%5csecret.txt']) {
      expect([path, (await get(path)).status]).toEqual([path, 400])
    }
  })

  it('answers traversal, directories, missing files and other hosts with 404', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%2frenderer-evil.txt', '/assets', '/assets/', '/nope.js']) {
      const r = await get(path)
      expect([path, r.status]).toEqual([path, 404])
      expect(r.text).not.toMatch(/secret|next door/)
    }
    expect(rendererFile(rendererDir, 'prlab://other/index.html')).toBe(404)
    expect(rendererFile(rendererDir, 'https://app/index.html')).toBe(404)
    expect(rendererFile(rendererDir, 'not a url')).toBe(400)
  })

  it('answers other methods with 405', async () => {
    expect((await get('/index.html', 'POST')).status).toBe(405)
  })

  it('never throws, whatever the path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom('%', '.', '/', '\\', 'a', '2', 'e', 'f', 'c', '0', 'E', '\0', '?', '#', ' ', 'é', '\uD800') , maxLength: 40 }), async (path) => {
        const response = await handle({ url: `${APP_ORIGIN}/${path}`, method: 'GET' } as Request)
        expect([200, 400, 404]).toContain(response.status)
      }),
      { numRuns: 500 },
    )
  })
})
