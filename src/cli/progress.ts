// A one-line progress bar on stderr, drawn only on a terminal and at most 10 times a second.
import { escapeControl, writeRaw } from './terminal'

export interface ProgressBar {
  update(fraction: number, detail: string): void
  done(): void
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar | null {
  if (!stream.isTTY) return null
  let last = 0
  const width = 30
  const shown = escapeControl(label)
  return {
    update(fraction, detail) {
      const now = Date.now()
      if (now - last < 100 && fraction < 1) return
      last = now
      const f = Math.max(0, Math.min(1, fraction))
      const filled = Math.round(f * width)
      writeRaw(stream, `\r${shown} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${escapeControl(detail)}\x1b[K`)
    },
    done() {
      writeRaw(stream, '\n')
    },
  }
}
