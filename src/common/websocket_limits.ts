// Browser mode's WebSocket carries the lab API: calls from the page as JSON text, the host's
// answers and pushes back. Both ends share these limits, so the page can refuse a message before
// sending it rather than have the server close the connection over it.

/**
 * Largest message the page may send: the biggest call is an upload (an experiment file, a trace
 * or an RSS CSV sent as text; JSON escaping adds a little). Larger files go through `prlab
 * import` or the desktop app. The server's `maxPayload` is this value.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024 * 1024

/** Deepest JSON nesting of a call: an experiment document is at most 32 levels, the call adds 3. */
export const MAX_CLIENT_MESSAGE_DEPTH = 64

/** A call the transport refused to send because it is larger than MAX_CLIENT_MESSAGE_BYTES. */
export class MessageTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`sent as text this is ${mib(bytes)}, more than browser mode takes in one message (${mib(MAX_CLIENT_MESSAGE_BYTES)}): open a file this large in the desktop app, or import it with \`prlab import\``)
  }
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** The bytes of `text` as UTF-8 when they are more than MAX_CLIENT_MESSAGE_BYTES, else null (cheap for small messages: a UTF-16 unit is at most 3 bytes). */
export function oversizeMessageBytes(text: string): number | null {
  if (text.length * 3 <= MAX_CLIENT_MESSAGE_BYTES) return null
  const bytes = utf8Length(text)
  return bytes > MAX_CLIENT_MESSAGE_BYTES ? bytes : null
}

/** UTF-8 length of a string without encoding it (the WebSocket counts bytes, JS strings count UTF-16 units). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
