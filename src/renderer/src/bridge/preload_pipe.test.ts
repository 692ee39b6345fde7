// The desktop transport stays connected when the page's unsaved-changes prompt keeps it
// (a cancelled beforeunload), and closes only when the page really goes (issue 9).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { connectElectron, type PreloadPipe } from './preload_pipe'

afterEach(() => void vi.unstubAllGlobals())

describe('the preload pipe transport', () => {
  it('a cancelled beforeunload leaves it connected; pagehide closes it', async () => {
    const page = new EventTarget()
    vi.stubGlobal('window', page)
    const sent: unknown[] = []
    const pipe: PreloadPipe = { send: (m) => void sent.push(m), onMessage: () => () => undefined }
    const client = await connectElectron(pipe)
    let reason: string | null = null
    void client.closed.then((r) => (reason = r))

    // The page's own handler asks to stay (unsaved changes) and the user keeps the page.
    page.addEventListener('beforeunload', (e) => e.preventDefault())
    page.dispatchEvent(new Event('beforeunload', { cancelable: true }))
    await new Promise((r) => setTimeout(r, 10))
    expect(reason).toBeNull()
    void client.capabilities().catch(() => undefined)
    expect(sent).toHaveLength(1)

    page.dispatchEvent(new Event('pagehide'))
    await vi.waitFor(() => expect(reason).toBe('window closing'))
  })
})
