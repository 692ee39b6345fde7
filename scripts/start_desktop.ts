// `npm start` (electron-vite preview) and `npm run dev` (electron-vite dev): fetch the Electron
// binary first, then launch through electron-vite with it.
//
// Electron >= 42 has no postinstall: its binary is fetched lazily by `require('electron')` or
// `npx install-electron`, both of which run node_modules/electron/install.js (@electron/get,
// honouring ELECTRON_MIRROR, electron_config_cache and ELECTRON_OVERRIDE_DIST_PATH), which writes
// node_modules/electron/path.txt. electron-vite 6 reads path.txt directly and throws "Electron
// uninstall" with a stack trace when it is missing, so right after `npm install` its commands
// fail. Here the fetch runs through Electron's own installer; where it cannot succeed (a machine
// without access to the download), the user gets a short reason and browser mode instead.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export type LaunchMode = 'preview' | 'dev'

export interface LaunchDeps {
  /** node_modules/electron */
  readonly electronDir: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly platform: NodeJS.Platform
  exists(path: string): boolean
  readText(path: string): string | null
  /** Mode bits and owner of a file, or null when it is missing. */
  fileMode(path: string): { mode: number; uid: number } | null
  /** Electron's installer (install.js); resolves its exit code and what it printed. */
  fetchElectron(): Promise<{ code: number; output: string }>
  /** electron-vite with these arguments and extra environment; resolves its exit code. */
  runElectronVite(args: readonly string[], env: Readonly<Record<string, string>>): Promise<number>
  log(line: string): void
}

/** The Electron executable as Electron's own index.js would find it, or null when not fetched yet. */
export function electronExecutable(deps: Pick<LaunchDeps, 'electronDir' | 'env' | 'exists' | 'readText'>): string | null {
  const fromEnv = deps.env.ELECTRON_EXEC_PATH
  if (fromEnv && deps.exists(fromEnv)) return fromEnv
  const name = deps.readText(join(deps.electronDir, 'path.txt'))?.trim() || null
  const override = deps.env.ELECTRON_OVERRIDE_DIST_PATH
  const exe = override ? join(override, name ?? 'electron') : name ? join(deps.electronDir, 'dist', name) : null
  return exe !== null && deps.exists(exe) ? exe : null
}

/** The installer's reason in one line: the error's first line, without the stack. */
export function fetchFailure(output: string): string {
  const lines = output.split('\n').map((l) => l.trim())
  const error = lines.find((l) => /^[A-Za-z]*Error\b|^Error:|failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT|HTTPError/.test(l) && !l.startsWith('at '))
  return error ?? (lines.find((l) => l.length > 0 && !l.startsWith('at ') && !/^Downloading/.test(l)) || 'the installer gave no reason')
}

/**
 * Ubuntu 24.04 and later forbid unprivileged user namespaces unless an AppArmor profile allows
 * them (kernel.apparmor_restrict_unprivileged_userns = 1); Chromium's sandbox then needs the
 * chrome-sandbox helper to be setuid root, and an unpackaged Electron aborts without it.
 */
export function sandboxHint(exe: string, deps: Pick<LaunchDeps, 'platform' | 'readText' | 'fileMode'>): string | null {
  if (deps.platform !== 'linux') return null
  if (deps.readText('/proc/sys/kernel/apparmor_restrict_unprivileged_userns')?.trim() !== '1') return null
  const helper = deps.fileMode(join(dirname(exe), 'chrome-sandbox'))
  if (helper !== null && helper.uid === 0 && (helper.mode & 0o4000) !== 0) return null
  return (
    'Note: this system restricts unprivileged user namespaces (Ubuntu 24.04 and later). If Electron aborts with ' +
    '"The SUID sandbox helper binary was found, but is not configured correctly", allow it with an AppArmor ' +
    'profile: see docs/desktop.md, "Ubuntu 24.04: the chrome-sandbox failure".'
  )
}

/**
 * electron-vite's arguments for `npm start -- <args>`: options (`-x`, `--flag=value`) are
 * electron-vite's; other arguments, and everything after `--`, are the app's (experiment files,
 * made absolute against the directory npm was started in, INIT_CWD).
 */
export function electronViteArgs(mode: LaunchMode, args: readonly string[], workingDirectory: string): string[] {
  const split = args.indexOf('--')
  const own = split < 0 ? args : args.slice(0, split)
  const forApp = [...own.filter((a) => !a.startsWith('-')), ...(split < 0 ? [] : args.slice(split + 1))]
  const files = forApp.map((a) => (a.startsWith('-') || isAbsolute(a) ? a : resolve(workingDirectory, a)))
  return [mode, ...own.filter((a) => a.startsWith('-')), ...(files.length > 0 ? ['--', ...files] : [])]
}

export async function launchDesktop(mode: LaunchMode, args: readonly string[], deps: LaunchDeps): Promise<number> {
  let exe = electronExecutable(deps)
  if (exe === null) {
    deps.log('Fetching the Electron binary (first launch after install)...')
    const fetched = await deps.fetchElectron()
    exe = fetched.code === 0 ? electronExecutable(deps) : null
    if (exe === null) {
      const reason = fetched.code === 0 ? 'the installer finished but left no executable' : fetchFailure(fetched.output)
      deps.log(
        [
          `The desktop app needs the Electron binary, and it could not be fetched: ${reason}.`,
          `(Electron downloads it on first use from ${deps.env.ELECTRON_MIRROR ?? 'github.com/electron/electron/releases'}; this machine cannot get it. Retry with \`npx install-electron\` once it can.)`,
          'Use browser mode instead, the same lab in your browser:  npm run web',
        ].join('\n'),
      )
      return 1
    }
  }
  const hint = sandboxHint(exe, deps)
  if (hint !== null) deps.log(hint)
  return deps.runElectronVite(electronViteArgs(mode, args, deps.env.INIT_CWD ?? process.cwd()), { ELECTRON_EXEC_PATH: exe })
}

/** The real dependencies: this project's node_modules, Electron's install.js, electron-vite's CLI. */
export function nodeDeps(): LaunchDeps {
  const require = createRequire(import.meta.url)
  const electronDir = dirname(require.resolve('electron/package.json'))
  const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js')
  const run = (args: readonly string[], env: NodeJS.ProcessEnv, capture: boolean): Promise<{ code: number; output: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, args, { env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' })
      let output = ''
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal)
      process.on('SIGINT', forward)
      process.on('SIGTERM', forward)
      child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}` }))
      child.on('close', (code, signal) => {
        process.off('SIGINT', forward)
        process.off('SIGTERM', forward)
        resolve({ code: code ?? (signal ? 128 : 1), output })
      })
    })
  return {
    electronDir,
    env: process.env,
    platform: process.platform,
    exists: existsSync,
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8')
      } catch {
        return null
      }
    },
    fileMode: (path) => {
      try {
        const s = statSync(path)
        return { mode: s.mode, uid: s.uid }
      } catch {
        return null
      }
    },
    fetchElectron: () => run([join(electronDir, 'install.js')], process.env, true),
    runElectronVite: async (args, env) => (await run([electronVite, ...args], { ...process.env, ...env }, false)).code,
    log: (line) => console.log(line),
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, ...rest] = process.argv.slice(2)
  if (mode !== 'preview' && mode !== 'dev') {
    console.error(`usage: ${fileURLToPath(import.meta.url)} preview|dev [electron-vite options]`)
    process.exitCode = 2
  } else {
    try {
      process.exitCode = await launchDesktop(mode, rest, nodeDeps())
    } catch (error) {
      // one line, as everywhere in the lab: no stack trace for a user
      console.error(`npm ${mode === 'preview' ? 'start' : 'run dev'}: ${error instanceof Error ? error.message : String(error)}`)
      process.exitCode = 1
    }
  }
}
