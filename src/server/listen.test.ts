// Issue 9, port: when the default port is taken, browser mode takes the next free one and says
// so (as Vite does); a port pinned with --port is that port or a clear error, never EADDRINUSE.
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listenOnLoopback } from './listen'

const ROOT = join(import.meta.dirname, '..', '..')
const open: Server[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))))
})

/** A server holding a port, as another program would. */
async function occupied(port = 0): Promise<number | null> {
  const s = createServer()
  try {
    const bound = await listenOnLoopback(s, { address: '127.0.0.1', port, strict: true })
    open.push(s)
    return bound
  } catch {
    return null
  }
}

describe('listenOnLoopback', () => {
  it('takes the next free port when the wanted one is in use, and says which it tried', async () => {
    const taken = (await occupied()) as number
    const tried: number[] = []
    const s = createServer()
    open.push(s)
    const port = await listenOnLoopback(s, { address: '127.0.0.1', port: taken, strict: false, onPortInUse: (p) => tried.push(p) })
    expect(port).not.toBe(taken)
    expect(tried[0]).toBe(taken)
  })

  it('fails with EADDRINUSE on a pinned port in use', async () => {
    const taken = (await occupied()) as number
    await expect(listenOnLoopback(createServer(), { address: '127.0.0.1', port: taken, strict: true })).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })
})

const LAUNCH_LIMIT_MS = 25_000

/** Runs `npm run web`'s server (src/server/main.ts) until it prints its URL or exits. */
function launch(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const staticDir = mkdtempSync(join(tmpdir(), 'prlab-static-'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>')
  return new Promise((resolve) => {
    // --data: its own folder, never the user's ~/.local/share/page-reporting-lab
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--static', staticDir, '--data', join(staticDir, 'data'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    // a server that neither prints its URL nor exits is killed before the test's own timeout, saying so
    const hang = setTimeout(() => {
      err += `(no URL and no exit within ${LAUNCH_LIMIT_MS / 1000} s: killed)`
      child.kill('SIGKILL')
    }, LAUNCH_LIMIT_MS)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('Open: ')) child.kill('SIGTERM')
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => {
      clearTimeout(hang)
      rmSync(staticDir, { recursive: true, force: true })
      resolve({ code, out, err })
    })
  })
}

describe('npm run web, port', () => {
  it('when 5317 is taken, takes a free port and prints the URL with it', async () => {
    await occupied(5317) // null: something else holds it already, which is the same case
    const { out } = await launch([])
    expect(out).toContain('Port 5317 is in use, trying another one…')
    const url = /Open: (http:\/\/\S+)/.exec(out)?.[1] ?? ''
    expect(new URL(url).port).not.toBe('5317')
    expect(out).toContain(`listening on 127.0.0.1:${new URL(url).port} only`)
  })

  it('--port pins the port: taken, it exits 2 with one line saying what to do', async () => {
    const taken = (await occupied()) as number
    const { code, err } = await launch(['--port', String(taken)])
    expect(code).toBe(2)
    expect(err.trim()).toBe(`Port ${taken} on 127.0.0.1 is in use (another program, or another lab). Pick another with --port, or leave --port out to take a free one.`)
  })

  it('refuses a --port or --max-runs that is not an integer in range', async () => {
    expect(await launch(['--port', '1e3'])).toMatchObject({ code: 2, err: '--port: expected an integer 0..65535, got "1e3"\n' })
    expect(await launch(['--max-runs', '0'])).toMatchObject({ code: 2, err: '--max-runs: expected an integer 1..64, got "0"\n' })
  })
})
