// --out DIR of prlab run, sweep and fit: a read-only or full disk, /proc or a device is refused
// before anything runs, not after it, with the command and the reason named.
import { ensureWritableDir } from '../host/atomic_write'
import { FileWriteError } from '../host/io_error'

/** True when `out` is (made) a writable folder; else says why on stderr. */
export async function writableOut(command: string, out: string): Promise<boolean> {
  try {
    await ensureWritableDir(out)
    return true
  } catch (e) {
    if (!(e instanceof FileWriteError)) throw e
    process.stderr.write(`prlab ${command}: --out ${e.path}: ${e.reason}\n`)
    return false
  }
}
