// An upload larger than browser mode's WebSocket takes fails as that file's error (shown like any
// other), instead of the server closing the lab's connection over it.
import { describe, expect, it } from 'vitest'
import { MAX_CLIENT_MESSAGE_BYTES, MessageTooLargeError, oversizeMessageBytes } from '../../../common/websocket_limits'
import { createClientCore } from './client_core'

/** A transport that, like websocket.ts, refuses messages over the limit before sending them. */
function core(sent: string[]) {
  return createClientCore(
    {
      post: (data: string) => {
        const bytes = oversizeMessageBytes(data)
        if (bytes !== null) throw new MessageTooLargeError(bytes)
        sent.push(data)
      },
      on: () => undefined,
      serialize: (v: unknown) => JSON.stringify(v),
      deserialize: (v: string) => JSON.parse(v) as unknown,
    },
    new Promise(() => undefined),
  ).client
}

describe('client core, uploads too large for the transport', () => {
  const huge = 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES)

  it('importData, parseExperiment and parseSweep answer a limit error naming the file; nothing is sent', async () => {
    const sent: string[] = []
    const client = core(sent)
    const expected = { ok: false, error: { code: 'limit', file: 'big.csv', message: expect.stringMatching(/^big\.csv: sent as text this is 64\.0 MiB, more than browser mode takes in one message \(64\.0 MiB\): open a file this large in the desktop app, or import it with `prlab import`$/) } }
    expect(await client.importData('rss', 'big.csv', huge)).toMatchObject(expected)
    expect(await client.parseSweep('big.csv', huge)).toMatchObject(expected)
    expect(await client.parseExperiment('big.csv', huge)).toMatchObject(expected)
    expect(sent).toEqual([])
  })

  it('other failures of a call still reject', async () => {
    const client = createClientCore(
      {
        post: () => {
          throw new Error('socket gone')
        },
        on: () => undefined,
      },
      new Promise(() => undefined),
    ).client
    await expect(client.importData('rss', 'a.csv', 'x')).rejects.toThrow('socket gone')
  })
})
