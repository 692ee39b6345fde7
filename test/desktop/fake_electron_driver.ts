// The child side of a fake desktop run (fake_desktop.ts is the test's side): builds the fake
// electron from PRLAB_FAKE_ELECTRON, forwards every IPC message the shell sends a page and the
// app's exit to the test, and carries out the test's requests (events, clicks, page messages).
import type { FakeBrowserWindow, FakeFrame } from './fake_electron'
import { FakeElectron, FakeEvent } from './fake_electron'

export interface FakeDesktopOptions {
  readonly userData: string
  readonly packaged: boolean
  readonly singleInstance: boolean
  readonly platform?: NodeJS.Platform
  readonly resourcesPath?: string
}

export type DriverRequest =
  | { readonly op: 'ready' }
  | { readonly op: 'state' }
  | { readonly op: 'click'; readonly path: readonly string[] }
  | { readonly op: 'app-event'; readonly event: string; readonly args: readonly unknown[] }
  | { readonly op: 'quit' }
  | { readonly op: 'close-window'; readonly windowId: number }
  | { readonly op: 'minimize'; readonly windowId: number }
  | { readonly op: 'page-blocks-unload'; readonly windowId: number; readonly blocks: boolean }
  | { readonly op: 'page'; readonly windowId: number; readonly channel: string; readonly message: unknown; readonly frame?: FakeFrame }
  | { readonly op: 'answer'; readonly kind: 'open'; readonly value: string[] }
  | { readonly op: 'answer'; readonly kind: 'save'; readonly value: string }
  | { readonly op: 'answer'; readonly kind: 'message'; readonly value: number }
  | { readonly op: 'protocol'; readonly url: string }
  | { readonly op: 'navigate'; readonly windowId: number; readonly url: string; readonly subframe: boolean }
  | { readonly op: 'open-window'; readonly windowId: number; readonly url: string }

export interface WindowState {
  readonly id: number
  readonly url: string
  readonly visible: boolean
  readonly focused: boolean
  readonly minimized: boolean
  readonly lastProgress: number | null
  readonly webPreferences: Readonly<Record<string, unknown>>
}

export interface DesktopState {
  readonly windows: readonly WindowState[]
  readonly menu: unknown
  readonly log: readonly string[]
  readonly dialogs: readonly { readonly kind: string; readonly windowId: number | null; readonly message?: unknown; readonly buttons?: unknown }[]
  readonly recentDocuments: readonly string[]
  readonly openedExternally: readonly string[]
}

export type FromDriver =
  | { readonly type: 'reply'; readonly id: number; readonly value?: unknown; readonly error?: string }
  | { readonly type: 'sent'; readonly windowId: number; readonly channel: string; readonly data: unknown }
  | { readonly type: 'exit'; readonly code: number; readonly state: DesktopState }
  | { readonly type: 'crash'; readonly message: string }

export function startDriver(): { module: Record<string, unknown>; mainLoaded: () => void } {
  const options = JSON.parse(process.env.PRLAB_FAKE_ELECTRON ?? '{}') as FakeDesktopOptions
  if (options.platform) Object.defineProperty(process, 'platform', { value: options.platform })
  if (options.resourcesPath) Object.assign(process, { resourcesPath: options.resourcesPath })
  // A packaged app's argv has no script: [executable, ...arguments].
  if (options.packaged) process.argv.splice(1, 1)
  // The built shell (out/main/index.js) is loaded by fake_electron_main.mjs.
  const send = (message: FromDriver): void => void process.send?.(message)
  const fake = new FakeElectron({ userData: options.userData, packaged: options.packaged, singleInstance: options.singleInstance })
  fake.onWindowCreated = (window) => {
    window.webContents.onSend = ({ channel, data }) => send({ type: 'sent', windowId: window.id, channel, data })
  }
  fake.app.onExit = (code) => {
    send({ type: 'exit', code, state: state() })
    // let the message go out, as Electron's process would end
    setTimeout(() => process.exit(code), 50)
  }
  process.on('uncaughtException', (error) => {
    send({ type: 'crash', message: error.stack ?? String(error) })
    setTimeout(() => process.exit(70), 50)
  })
  process.on('unhandledRejection', (reason) => {
    send({ type: 'crash', message: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) })
    setTimeout(() => process.exit(70), 50)
  })

  const window = (id: number): FakeBrowserWindow => {
    const found = fake.windows.find((w) => w.id === id)
    if (!found) throw new Error(`no window ${id}`)
    return found
  }
  const state = (): DesktopState => ({
    windows: fake.windows.map((w) => ({ id: w.id, url: w.webContents.getURL(), visible: w.visible, focused: w.focused, minimized: w.minimized, lastProgress: w.progress.at(-1) ?? null, webPreferences: w.options.webPreferences ?? {} })),
    menu: fake.applicationMenu?.outline() ?? null,
    log: fake.log,
    dialogs: fake.dialogCalls.map((c) => ({ kind: c.kind, windowId: c.windowId, message: c.options.message, buttons: c.options.buttons })),
    recentDocuments: fake.app.recentDocuments,
    openedExternally: fake.openedExternally,
  })
  const handle = async (request: DriverRequest): Promise<unknown> => {
    switch (request.op) {
      case 'ready':
        return fake.app.emitReady()
      case 'state':
        return state()
      case 'click':
        return fake.menuItem(...request.path).click()
      case 'app-event': {
        const event = new FakeEvent()
        fake.app.emit(request.event, event, ...request.args)
        return event.defaultPrevented
      }
      case 'quit':
        return fake.app.quit()
      case 'close-window':
        return window(request.windowId).close()
      case 'minimize':
        return window(request.windowId).minimize()
      case 'page-blocks-unload':
        window(request.windowId).webContents.pageBlocksUnload = request.blocks
        return undefined
      case 'page':
        return fake.sendFromPage(window(request.windowId), request.channel, request.message, request.frame)
      case 'answer':
        if (request.kind === 'open') fake.answers.open.push(request.value)
        else if (request.kind === 'save') fake.answers.save.push(request.value)
        else fake.answers.message.push(request.value)
        return undefined
      case 'navigate': {
        const contents = window(request.windowId).webContents
        return contents.navigate(request.url, request.subframe ? { url: contents.getURL(), parent: contents.mainFrame } : contents.mainFrame)
      }
      case 'open-window':
        return window(request.windowId).webContents.openWindow(request.url)
      case 'protocol': {
        const handler = fake.protocolHandlers.get(new URL(request.url).protocol.slice(0, -1))
        if (!handler) throw new Error(`no handler for ${request.url}`)
        const response = await handler({ url: request.url, method: 'GET' } as Request)
        return { status: response.status, text: await response.text() }
      }
    }
  }
  let mainLoaded: () => void = () => undefined
  const loaded = new Promise<void>((resolve) => (mainLoaded = resolve))
  process.on('message', (message: { id: number; request: DriverRequest }) => {
    loaded.then(() => handle(message.request)).then(
      (value) => send({ type: 'reply', id: message.id, value }),
      (error: unknown) => send({ type: 'reply', id: message.id, error: error instanceof Error ? error.message : String(error) }),
    )
  })
  return { module: fake.module, mainLoaded }
}
