// Opening an input file the user named (experiment, replay trace, initial free state, import,
// sweep table) without ever blocking on it: a FIFO opened for reading waits for a writer, a
// terminal or /dev/zero never ends, and /proc and /sys files report size 0 and may block or
// change under the reader. Only regular files on ordinary file systems are read; the rest are
// refused at once with "not a regular file".
import { promises as fs, constants } from 'node:fs'
import { statfs } from 'node:fs/promises'
import type { Stats } from 'node:fs'

/** Kernel pseudo file systems (statfs f_type, include/uapi/linux/magic.h). */
const PSEUDO_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, '/proc'],
  [0x62656572, '/sys'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
])

/** Thrown for a path that is not a regular file; `code` lets callers treat it as an I/O refusal. */
export class NotRegularFileError extends Error {
  readonly code = 'EFTYPE'
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`not a regular file (${kind})`)
    this.name = 'NotRegularFileError'
  }
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a FIFO'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isSocket()) return 'a socket'
  return 'not a file'
}

/**
 * Opens `path` for reading if it is a regular file on an ordinary file system; throws
 * NotRegularFileError otherwise, and node:fs errors (ENOENT, EACCES) as they come. O_NONBLOCK
 * makes opening a FIFO return at once; on a regular file it changes nothing.
 */
export async function openRegularFile(path: string): Promise<{ handle: fs.FileHandle; stat: Stats }> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (error) {
    // a socket cannot be opened at all (ENXIO): say what it is
    const stat = await fs.stat(path).catch(() => null)
    if (stat !== null && !stat.isFile()) throw new NotRegularFileError(path, kindOf(stat))
    throw error
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new NotRegularFileError(path, kindOf(stat))
    const fsType = await statfs(path).then(
      (s) => PSEUDO_FS.get(Number(s.type)),
      () => undefined,
    )
    if (fsType !== undefined) {
      const copy = fsType === '/proc' || fsType === '/sys' ? `; copy it to a file first, e.g. cat ${path} > snapshot.txt` : ''
      throw new NotRegularFileError(path, `a ${fsType} file, which changes as it is read${copy}`)
    }
    return { handle, stat }
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** The text of a regular file (openRegularFile's refusals apply). */
export async function readRegularFile(path: string): Promise<string> {
  const { handle } = await openRegularFile(path)
  try {
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}
