// Binding the server's port on loopback. A port the user pinned (--port) is that port or an
// error; the default port, when taken, gives way to the next free one, as Vite's dev server does.
import type { Server } from 'node:http'

/** Ports tried after the default one before asking the OS for any free port. */
const FALLBACK_TRIES = 20

export interface ListenOptions {
  readonly address: string
  readonly port: number
  /** The user asked for this port: do not take another. */
  readonly strict: boolean
  /** Told when the wanted port is taken and another is tried. */
  readonly onPortInUse?: (port: number) => void
}

const errorCode = (e: unknown): string | undefined => (e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined)

function listenOnce(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      server.off('listening', onListening)
      reject(e)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, address)
  })
}

/** Listens and returns the port bound. Rejects with the listen error (EADDRINUSE for a strict port in use). */
export async function listenOnLoopback(server: Server, options: ListenOptions): Promise<number> {
  let port = options.port
  for (let attempt = 0; ; attempt++) {
    try {
      await listenOnce(server, port, options.address)
      break
    } catch (e) {
      if (options.strict || port === 0 || errorCode(e) !== 'EADDRINUSE') throw e
      options.onPortInUse?.(port)
      port = attempt + 1 >= FALLBACK_TRIES || port >= 65535 ? 0 : port + 1
    }
  }
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address')
  return address.port
}

export function isPortInUse(e: unknown): boolean {
  return errorCode(e) === 'EADDRINUSE'
}
