// What prlab prints is safe to show on a terminal: names, labels, paths and file contents can
// hold control characters (an ESC starts a sequence that can rewrite the screen or the window
// title; bidi overrides reorder what is read). Messages escape them as \xHH or \u{HHHH}.
// stderr carries only messages, so it is always guarded; stdout only when it is a terminal,
// so data piped on (--json, --csv, sweep --list, schema) stays byte for byte what it is.

// C0 but tab and newline, DEL, C1, the line/paragraph separators and the bidi embeddings,
// overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

type Write = NodeJS.WriteStream['write']
const originals = new Map<NodeJS.WriteStream, Write>()

/** Writes `text` as is, past the guard (the progress bar's own \r and erase-line sequence). */
export function writeRaw(stream: NodeJS.WriteStream, text: string): void {
  ;(originals.get(stream) ?? stream.write).call(stream, text)
}

function guard(stream: NodeJS.WriteStream): void {
  if (originals.has(stream)) return
  const write = stream.write
  originals.set(stream, write)
  stream.write = function (chunk: unknown, ...rest: unknown[]): boolean {
    return (write as (c: unknown, ...r: unknown[]) => boolean).call(stream, typeof chunk === 'string' ? escapeControl(chunk) : chunk, ...rest)
  } as Write
}

/** Guards stderr, and stdout when it is a terminal; returns the function that lifts the guard. */
export function guardTerminal(): () => void {
  guard(process.stderr)
  if (process.stdout.isTTY) guard(process.stdout)
  return () => {
    for (const [stream, write] of originals) stream.write = write
    originals.clear()
  }
}
