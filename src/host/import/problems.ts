// Bad-line bookkeeping shared by the importers, and the refusal rule for garbage: a file with no
// line of the expected kind, or with more than MAX_BAD_FRACTION of its content lines bad, is
// refused with an error naming the file and its first bad lines.
import { MAX_IMPORT_PROBLEMS, type ImportProblem } from '../../common/imports'

export const MAX_BAD_FRACTION = 0.1
/** Stop reading once this many lines were bad and none good: the file is not of this kind. */
export const EARLY_REFUSAL_LINES = 1000
const LINES_IN_MESSAGE = 3

export class ImportError extends Error {
  constructor(
    readonly fileName: string,
    readonly reason: string,
    readonly problems: readonly ImportProblem[],
  ) {
    const first = problems.slice(0, LINES_IN_MESSAGE).map((p) => `line ${p.line}: ${p.message}`)
    super(`${fileName}: ${reason}${first.length > 0 ? `; first bad lines: ${first.join('; ')}` : ''}`)
    this.name = 'ImportError'
  }
}

export class ProblemLog {
  readonly problems: ImportProblem[] = []
  problemCount = 0
  /** Content lines of the expected kind, and lines that should have been and were not. */
  goodLines = 0
  badLines = 0

  constructor(
    readonly fileName: string,
    /** What a good line is, for messages: "/proc/buddyinfo line". */
    readonly what: string,
  ) {}

  /** A problem that does not make the line bad (e.g. a snapshot dropped as incomplete). */
  note(line: number, message: string): void {
    this.problemCount++
    if (this.problems.length < MAX_IMPORT_PROBLEMS) this.problems.push({ line, message })
  }

  /** A line that is not what the file should hold. Throws once the file is clearly of another kind. */
  bad(line: number, message: string): void {
    this.badLines++
    this.note(line, message)
    if (this.goodLines === 0 && this.badLines >= EARLY_REFUSAL_LINES) {
      throw new ImportError(this.fileName, `the first ${this.badLines} lines hold no ${this.what}`, this.problems)
    }
  }

  good(): void {
    this.goodLines++
  }

  /** Applies the refusal rule once the whole file was read. */
  finish(): void {
    if (this.goodLines === 0) {
      const reason = this.badLines === 0 ? `empty: no ${this.what} found` : `no ${this.what} found`
      throw new ImportError(this.fileName, reason, this.problems)
    }
    const total = this.goodLines + this.badLines
    if (this.badLines > MAX_BAD_FRACTION * total) {
      throw new ImportError(
        this.fileName,
        `${this.badLines} of ${total} lines are not a valid ${this.what} (more than ${MAX_BAD_FRACTION * 100}%)`,
        this.problems,
      )
    }
  }
}

/** Lines no importer should accept: binary data. */
export const looksBinary = (text: string): boolean => text.includes('\u0000')

/**
 * A timestamp line between snapshots: `date +%s.%N` / `date +%s` (Unix seconds) or an ISO 8601
 * date (`date -Ins`, `date --rfc-3339=ns`). Returns Unix ms, or null if the line is not one.
 */
export function parseTimestampLine(text: string): number | null {
  const t = text.trim()
  if (/^\d{9,11}(\.\d+)?$/.test(t)) return Number(t) * 1000
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    const iso = t.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1').replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
    const ms = Date.parse(iso)
    return Number.isFinite(ms) ? ms : null
  }
  return null
}
