// `npm start` / `npm run dev` (scripts/start_desktop.ts): the Electron binary is fetched through
// Electron's own installer first; without it the user gets one short reason and browser mode,
// never electron-vite's "Electron uninstall" stack trace (issue 9).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { electronExecutable, electronViteArgs, fetchFailure, launchDesktop, nodeDeps, sandboxHint, type LaunchDeps } from '../scripts/start_desktop'

const ROOT = join(import.meta.dirname, '..')
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m

/** A node_modules/electron in memory: `files` is what exists; the fetch may write path.txt and the binary. */
function fakeDeps(options: { files?: Record<string, string>; fetch?: 'fails' | 'works'; env?: Record<string, string>; restricted?: boolean; helper?: { mode: number; uid: number } } = {}) {
  const dir = '/project/node_modules/electron'
  const files = new Map(Object.entries(options.files ?? {}))
  const calls = { fetch: 0, electronVite: [] as { args: readonly string[]; env: Readonly<Record<string, string>> }[] }
  const log: string[] = []
  const deps: LaunchDeps = {
    electronDir: dir,
    env: options.env ?? {},
    platform: 'linux',
    exists: (p) => files.has(p),
    readText: (p) => (p === '/proc/sys/kernel/apparmor_restrict_unprivileged_userns' ? (options.restricted ? '1\n' : '0\n') : (files.get(p) ?? null)),
    fileMode: (p) => (p.endsWith('chrome-sandbox') ? (options.helper ?? null) : null),
    fetchElectron: async () => {
      calls.fetch += 1
      if (options.fetch !== 'works') {
        return { code: 1, output: 'Downloading Electron binary...\nTypeError: fetch failed\n    at node:internal/deps/undici/undici:14976:13\n    at async downloadArtifact (/x/@electron/get/dist/index.js:154:12)\n' }
      }
      files.set(`${dir}/path.txt`, 'electron')
      files.set(`${dir}/dist/electron`, '')
      return { code: 0, output: '' }
    },
    runElectronVite: async (args, env) => {
      calls.electronVite.push({ args, env })
      return 0
    },
    log: (line) => void log.push(line),
  }
  return { deps, calls, log }
}

describe('npm start without the Electron binary', () => {
  it('no path.txt and a failing fetch: one short reason, browser mode named, no stack trace, no electron-vite', async () => {
    const { deps, calls, log } = fakeDeps({ fetch: 'fails' })
    expect(await launchDesktop('preview', [], deps)).toBe(1)
    const text = log.join('\n')
    expect(calls.fetch).toBe(1)
    expect(calls.electronVite).toEqual([])
    expect(text).toMatch(/could not be fetched: TypeError: fetch failed\./)
    expect(text).toMatch(/npm run web/)
    expect(text).not.toMatch(STACK_LINE)
  })

  it('a fetched binary: electron-vite starts in the mode asked, with that path', async () => {
    const { deps, calls } = fakeDeps({ fetch: 'works' })
    expect(await launchDesktop('dev', ['--watch'], deps)).toBe(0)
    expect(calls.fetch).toBe(1)
    expect(calls.electronVite).toEqual([{ args: ['dev', '--watch'], env: { ELECTRON_EXEC_PATH: '/project/node_modules/electron/dist/electron' } }])
  })

  it('an installed binary is used without fetching; so is ELECTRON_OVERRIDE_DIST_PATH', async () => {
    const installed = fakeDeps({ files: { '/project/node_modules/electron/path.txt': 'electron', '/project/node_modules/electron/dist/electron': '' } })
    await launchDesktop('preview', [], installed.deps)
    expect([installed.calls.fetch, installed.calls.electronVite[0].env.ELECTRON_EXEC_PATH]).toEqual([0, '/project/node_modules/electron/dist/electron'])
    const distro = fakeDeps({ files: { '/usr/lib/electron/electron': '' }, env: { ELECTRON_OVERRIDE_DIST_PATH: '/usr/lib/electron' } })
    await launchDesktop('preview', [], distro.deps)
    expect([distro.calls.fetch, distro.calls.electronVite[0].env.ELECTRON_EXEC_PATH]).toEqual([0, '/usr/lib/electron/electron'])
  })

  it('path.txt naming a binary that is gone fetches again', async () => {
    const { deps, calls } = fakeDeps({ files: { '/project/node_modules/electron/path.txt': 'electron' }, fetch: 'works' })
    expect(electronExecutable(deps)).toBeNull()
    await launchDesktop('preview', [], deps)
    expect(calls.fetch).toBe(1)
  })

  it('`npm start -- file` hands the file to the app (absolute), and options to electron-vite', async () => {
    expect(electronViteArgs('preview', [], '/w')).toEqual(['preview'])
    expect(electronViteArgs('preview', ['exp.prlab.json'], '/home/me/lab')).toEqual(['preview', '--', '/home/me/lab/exp.prlab.json'])
    expect(electronViteArgs('dev', ['--watch', '/x/a.json', '--', '--inspect-only-for-app', 'b.json'], '/w')).toEqual(['dev', '--watch', '--', '/x/a.json', '--inspect-only-for-app', '/w/b.json'])
    const { deps, calls } = fakeDeps({ fetch: 'works', env: { INIT_CWD: '/home/me/lab' } })
    await launchDesktop('preview', ['exp.prlab.json'], deps)
    expect(calls.electronVite[0].args).toEqual(['preview', '--', '/home/me/lab/exp.prlab.json'])
  })

  it("the installer's reason is its error line, not its stack", () => {
    expect(fetchFailure('Downloading...\nRequestError: getaddrinfo ENOTFOUND github.com\n    at foo (x.js:1:2)\n')).toBe('RequestError: getaddrinfo ENOTFOUND github.com')
    expect(fetchFailure('HTTPError: Response code 404 (Not Found) for https://mirror/v45.5.0/electron.zip')).toMatch(/^HTTPError: Response code 404/)
    expect(fetchFailure('')).toBe('the installer gave no reason')
  })

  it('warns about the Ubuntu 24.04 sandbox restriction only where it applies', () => {
    const exe = '/project/node_modules/electron/dist/electron'
    expect(sandboxHint(exe, fakeDeps({ restricted: true }).deps)).toMatch(/AppArmor profile: see docs\/desktop\.md/)
    expect(sandboxHint(exe, fakeDeps({ restricted: true, helper: { mode: 0o104755, uid: 0 } }).deps)).toBeNull()
    expect(sandboxHint(exe, fakeDeps({ restricted: false }).deps)).toBeNull()
  })
})

describe('npm start on this machine (no download reachable)', () => {
  const cache = mkdtempSync(join(tmpdir(), 'prlab-electron-cache-'))
  afterAll(() => rmSync(cache, { recursive: true, force: true }))
  // Where Electron is installed (a developer machine), this would open the app: skip there.
  const installed = electronExecutable(nodeDeps()) !== null

  it.skipIf(installed)('prints the reason and browser mode, exits 1, no stack trace', async () => {
    // an unreachable mirror and an empty cache keep the result the same wherever the test runs
    const env = { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: cache }
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'start_desktop.ts'), 'preview'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(1)
    expect(output).toMatch(/The desktop app needs the Electron binary, and it could not be fetched: /)
    expect(output).toMatch(/from http:\/\/127\.0\.0\.1:9\//)
    expect(output).toMatch(/npm run web/)
    expect(output).not.toMatch(STACK_LINE)
    expect(output).not.toMatch(/Electron uninstall/)
  })
})
