// Temporary files and folders of this process, marked with its pid so that what a kill -9 leaves
// behind is found and removed at the next start, and nothing of another live process ever is.
//
// Each process (each thread that asks) has a runtime folder `<tmpdir>/prlab-<pid>-<random>`: the
// recorder's spill folders live in it, and its `temp-files` journal lists every temp file the
// process created next to a user's file (`.<name>.prlab-<pid>-<random>.tmp`, before the rename
// that publishes it). On exit and on Ctrl-C/SIGTERM the process removes its own; at start,
// sweepStaleTempFiles() removes those of processes that no longer run.
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'

const RUNTIME_PREFIX = 'prlab-'
const JOURNAL = 'temp-files'
const RUNTIME_DIR = /^prlab-(\d+)-[0-9a-f]+$/
const TEMP_FILE = /^\..+\.prlab-(\d+)-[0-9a-f]+\.tmp$/

let runtime: string | null = null

/** True while a process with this pid exists (EPERM: it exists but is not ours to signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** This process's runtime folder, created on first use. */
export function runtimeDir(): string {
  if (runtime === null) {
    const dir = join(tmpdir(), `${RUNTIME_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`)
    // not `recursive`: the temp folder exists, and Node's recursive mkdir can spin on odd paths
    mkdirSync(dir, { mode: 0o700 })
    runtime = dir
  }
  return runtime
}

/**
 * A temp file name next to `target` for writing it atomically, journaled before it is created so
 * a kill -9 at any point leaves nothing the next start cannot find.
 */
export function tempPathFor(target: string): string {
  const path = join(dirname(target), `.${basename(target)}.prlab-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
  appendFileSync(join(runtimeDir(), JOURNAL), `${path}\n`)
  return path
}

/** Removes the journaled temp files that still exist and the runtime folder `dir`. Never throws. */
function removeRuntimeDir(dir: string, pid: number): number {
  let files = 0
  let journal = ''
  try {
    journal = readFileSync(join(dir, JOURNAL), 'utf8')
  } catch {
    // no temp files were made
  }
  for (const path of journal.split('\n')) {
    // only names of this very shape and pid: a corrupted journal cannot make us delete a user's file
    const m = TEMP_FILE.exec(basename(path))
    if (m === null || Number(m[1]) !== pid) continue
    try {
      unlinkSync(path)
      files++
    } catch {
      // published (renamed) or already removed
    }
  }
  rmSync(dir, { recursive: true, force: true })
  return files
}

/** What a start found and removed of processes that no longer run. */
export interface StaleSweep {
  readonly folders: number
  readonly tempFiles: number
}

/** The runtime folder names in `root` (none if it cannot be read). */
function runtimeDirs(root: string): string[] {
  try {
    return readdirSync(root).filter((name) => RUNTIME_DIR.test(name))
  } catch {
    return []
  }
}

/** Removes the runtime folders (spill folders, journaled temp files) of processes that no longer run. */
export function sweepStaleTempFiles(root: string = tmpdir()): StaleSweep {
  let folders = 0
  let tempFiles = 0
  for (const name of runtimeDirs(root)) {
    const pid = Number((RUNTIME_DIR.exec(name) as RegExpExecArray)[1])
    if (pid === process.pid || isAlive(pid)) continue
    tempFiles += removeRuntimeDir(join(root, name), pid)
    folders++
  }
  return { folders, tempFiles }
}

/** Removes every runtime folder of this process (all its threads): at exit, when nothing of it runs on. */
export function removeOwnTempFiles(root: string = tmpdir()): void {
  for (const name of runtimeDirs(root)) {
    if (Number((RUNTIME_DIR.exec(name) as RegExpExecArray)[1]) === process.pid) removeRuntimeDir(join(root, name), process.pid)
  }
  runtime = null
}

let installed = false

/**
 * For a process entry (CLI, browser-mode server, desktop main): sweeps what dead processes left,
 * and removes this process's temp files at exit. With `onSignal`, that runs at the first Ctrl-C
 * or SIGTERM (stop gracefully) and a second one exits at once, still removing the temp files;
 * without it the entry handles signals itself and exits through process.exit.
 */
export function installTempFileCleanup(onSignal?: (signal: NodeJS.Signals) => void): StaleSweep {
  const swept = sweepStaleTempFiles()
  if (installed) return swept
  installed = true
  process.on('exit', () => removeOwnTempFiles())
  if (onSignal === undefined) return swept
  let signalled = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (signalled) process.exit(signal === 'SIGINT' ? 130 : 143)
      signalled = true
      onSignal(signal)
    })
  }
  return swept
}
