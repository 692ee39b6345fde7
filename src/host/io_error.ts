// File-system errors in words people act on: "the disk is full" rather than ENOSPC.

export class FileWriteError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    /** The errno code (ENOSPC, EROFS, ...), as node:fs errors carry it. */
    readonly code?: string,
  ) {
    super(`cannot write ${path}: ${reason}`)
    this.name = 'FileWriteError'
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'a file of that name exists',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'read-only file system',
  EIO: 'input/output error (the disk failed)',
  EFBIG: 'the file is too large for the file system',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EINVAL: 'the file system refused it (invalid argument)',
  EXDEV: 'the temp file and the target are on different file systems',
}

/** The errno code of an error from node:fs, if it has one. */
export const errnoOf = (e: unknown): string | undefined => {
  const code = (e as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Why a file operation failed, in a few words. */
export function ioReason(e: unknown): string {
  const code = errnoOf(e)
  if (e instanceof FileWriteError) return e.reason
  if (code !== undefined && Object.hasOwn(REASONS, code)) return REASONS[code]
  return e instanceof Error ? e.message : String(e)
}

/** True for errors of the machine (disk, permissions, paths), as opposed to bugs. */
export const isIoError = (e: unknown): boolean => (errnoOf(e) ?? '').startsWith('E') || e instanceof FileWriteError
