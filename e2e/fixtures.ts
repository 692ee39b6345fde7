// Browser-mode fixtures: one real lab server (src/server/main.ts under tsx, the same code
// `npm run web` runs) per worker, and a page opened on its tokened URL.
import { test as base, expect, type Page } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface LabServerHandle {
  /** The URL the server printed, with its token. */
  readonly url: string
  readonly origin: string
  readonly token: string
  readonly port: number
  /** The server's data folder (its run library is dataDir/runs), emptied before each test. */
  readonly dataDir: string
}

async function startServer(dataDir: string): Promise<{ handle: LabServerHandle; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--port', '0', '--data', dataDir], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab server did not start in 30 s:\n${out}\n${err}`)), 30_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Open: (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`lab server exited with ${code}:\n${out}\n${err}`))
    })
  })
  const parsed = new URL(url)
  return {
    child,
    handle: { url, origin: parsed.origin, token: parsed.searchParams.get('token') ?? '', port: Number(parsed.port), dataDir },
  }
}

export const test = base.extend<{ labPage: Page }, { labServer: LabServerHandle }>({
  labServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'prlab-e2e-data-'))
      const { handle, child } = await startServer(dataDir)
      await use(handle)
      child.kill('SIGTERM')
      await once(child, 'exit')
      rmSync(dataDir, { recursive: true, force: true })
    },
    { scope: 'worker' },
  ],
  labPage: async ({ page, labServer }, use) => {
    // each test starts with an empty run library (the server lists the folder afresh)
    rmSync(join(labServer.dataDir, 'runs'), { recursive: true, force: true })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(labServer.url)
    await use(page)
    expect(errors, 'uncaught errors in the page').toEqual([])
  },
})

export { expect }
