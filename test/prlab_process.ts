// The real `prlab` as a child process, for tests and the scripted attack: its exit code, its
// output, whether it had to be killed (a hang), and the signal that ended it.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..')
export const PRLAB = join(ROOT, 'bin', 'prlab.mjs')

export interface Outcome {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** Killed after the time limit: a hang. */
  readonly hung: boolean
  readonly ms: number
}

export interface PrlabOptions {
  /** A hang is a failure: the command gets this long, then is killed (default 20 s). */
  readonly timeoutMs?: number
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** Node options before the script (e.g. --max-old-space-size=96). */
  readonly nodeArgs?: readonly string[]
  /** Called once the child runs (to signal it). */
  readonly onSpawn?: (child: ChildProcess) => void
}

export function prlab(args: readonly string[], options: PrlabOptions = {}): Promise<Outcome> {
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), PRLAB, ...args], {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let hung = false
    const timer = setTimeout(() => {
      hung = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 20_000)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, hung, ms: performance.now() - t0 })
    })
    options.onSpawn?.(child)
  })
}

/** Runs `tasks` with at most `limit` at a time (the CI machine has 2 cores). */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++
        results[i] = await tasks[i]()
      }
    }),
  )
  return results
}
