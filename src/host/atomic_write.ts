// Every file the lab writes appears whole or not at all: the data goes to a journaled temp file
// next to the target (temp_files.ts), is fsynced, then renamed over the target. A crash, a full
// disk or a kill -9 at any point leaves the old file or the new one, never a mix; the temp file
// is removed on failure, at exit, or at the next start.
import { promises as fs } from 'node:fs'
import { dirname } from 'node:path'
import { FileWriteError, errnoOf, ioReason } from './io_error'
import { tempPathFor } from './temp_files'

/** Creates the temp file for `target`, keeping the mode of a file it will replace. */
async function openTemp(target: string): Promise<{ temp: string; handle: fs.FileHandle }> {
  const mode = await fs.stat(target).then(
    (s) => (s.isFile() ? s.mode & 0o7777 : 0o666),
    () => 0o666,
  )
  const temp = tempPathFor(target)
  return { temp, handle: await fs.open(temp, 'wx', mode) }
}

/**
 * Writes a file through a temp file: `produce` writes its pieces with `write`. Publishes with
 * rename (replacing `target`) or, with `exclusive`, with link(2), which never replaces a file
 * (then resolves 'exists'). Errors are FileWriteErrors naming `target`.
 */
export async function writeThroughTemp(target: string, produce: (write: (data: string | Uint8Array) => Promise<void>) => Promise<void>, options: { exclusive?: boolean } = {}): Promise<'written' | 'exists'> {
  let temp: string | null = null
  let handle: fs.FileHandle | null = null
  try {
    ;({ temp, handle } = await openTemp(target))
    const h = handle
    await produce(async (data) => {
      await h.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    })
    await h.sync()
    await h.close()
    handle = null
    if (!options.exclusive) {
      await fs.rename(temp, target)
      temp = null
      return 'written'
    }
    try {
      await fs.link(temp, target)
      return 'written'
    } catch (error) {
      const code = errnoOf(error)
      if (code === 'EEXIST') return 'exists'
      // file systems without hard links: check, then rename (a race here is the best they allow)
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error
      if (await fs.access(target).then(() => true, () => false)) return 'exists'
      await fs.rename(temp, target)
      temp = null
      return 'written'
    }
  } catch (error) {
    if (error instanceof FileWriteError) throw error
    // abort reasons and the like pass through unchanged; file-system errors name the target
    if (errnoOf(error) === undefined) throw error
    throw new FileWriteError(target, ioReason(error), errnoOf(error))
  } finally {
    await handle?.close().catch(() => undefined)
    if (temp !== null) await fs.rm(temp, { force: true }).catch(() => undefined)
  }
}

/** writeFile, atomically (see writeThroughTemp). */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await writeThroughTemp(target, (write) => write(data))
}

/**
 * mkdir -p. Not fs.mkdir's `recursive`: on Node 20 it spins forever under /proc (/proc/x) and
 * reports ENOENT for EROFS; one level at a time, each error is the real one.
 */
export async function makeDirs(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir)
  } catch (e) {
    const code = errnoOf(e)
    if (code === 'EEXIST') {
      if (!(await fs.stat(dir)).isDirectory()) throw e
      return
    }
    const parent = dirname(dir)
    if (code !== 'ENOENT' || parent === dir) throw e
    await makeDirs(parent)
    await fs.mkdir(dir).catch((again: unknown) => {
      if (errnoOf(again) !== 'EEXIST') throw again
    })
  }
}

/**
 * Makes `dir` (and its parents) and proves a file can be written in it, before a long run
 * rather than after: a read-only or full file system, /proc or a device fail here, as a
 * FileWriteError naming the directory.
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await makeDirs(dir)
  } catch (e) {
    const code = errnoOf(e)
    throw new FileWriteError(dir, code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory' : ioReason(e), code)
  }
  const stat = await fs.stat(dir).catch(() => null)
  if (stat === null || !stat.isDirectory()) throw new FileWriteError(dir, 'not a directory', 'ENOTDIR')
  // a page of data: an empty file still fits on a full disk
  const probe = `${dir}/.prlab-write-test`
  try {
    await writeThroughTemp(probe, (write) => write(new Uint8Array(4096)), { exclusive: true })
  } catch (e) {
    throw new FileWriteError(dir, ioReason(e), errnoOf(e))
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined)
  }
}
