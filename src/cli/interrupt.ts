// Ctrl-C and SIGTERM for the commands: the first one aborts this signal (a run stops between
// slices, its temp files and spill folder are removed, nothing half-written is left); a second
// one exits at once (temp_files.ts).
const controller = new AbortController()

export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal})`)
    this.name = 'Interrupted'
  }
}

export const interruptSignal: AbortSignal = controller.signal

export function interrupt(signal: NodeJS.Signals): void {
  controller.abort(new Interrupted(signal))
}

/** The exit code of a command stopped by `signal`: 128 + its number, as shells report it. */
export const interruptedExitCode = (signal: NodeJS.Signals): number => (signal === 'SIGINT' ? 130 : 143)
