// A small stand-in for the `electron` module, enough to run src/main in plain Node: the unit
// tests mock `electron` with it (vi.mock), and the fake desktop (fake_electron_driver.ts) loads the
// built out/main/index.js against it. It follows Electron's documented behaviour where the shell
// depends on it (docs/api/app.md, browser-window.md, web-contents.md, menu.md, dialog.md):
// - app.quit(): `before-quit` (cancellable), then every window is closed (a page's beforeunload may
//   keep it open, which cancels the quit), then `will-quit` (cancellable), then `quit` and exit.
//   `window-all-closed` is not emitted while quitting.
// - closing a window: `close` (cancellable), then the page's beforeunload: a page that asks to stay
//   emits `will-prevent-unload` on its webContents, and only `event.preventDefault()` there lets
//   it unload; then `closed`. When the last window closes outside a quit, `window-all-closed` is
//   emitted, or the app quits when nobody listens.
// Everything the shell does to Electron is recorded for the tests to inspect.
import { EventEmitter } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export class FakeEvent {
  defaultPrevented = false
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true
  }
}

export interface FakeFrame {
  url: string
  parent: FakeFrame | null
}

export type SentMessage = { readonly channel: string; readonly data: unknown }
export type WindowOpenResult = { readonly action: 'allow' | 'deny' }

export class FakeWebContents extends EventEmitter {
  private static nextId = 1
  readonly id = FakeWebContents.nextId++
  readonly mainFrame: FakeFrame = { url: '', parent: null }
  readonly sent: SentMessage[] = []
  /** Called on every `send` (the fake desktop forwards the messages to the test). */
  onSend: ((message: SentMessage) => void) | null = null
  /** Whether the page's beforeunload handler asks to stay (unsaved changes). */
  pageBlocksUnload = false
  private windowOpenHandler: ((details: { url: string }) => WindowOpenResult) | null = null
  private destroyed = false

  send(channel: string, data: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    const message = { channel, data }
    this.sent.push(message)
    this.onSend?.(message)
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  destroy(): void {
    this.destroyed = true
  }

  getURL(): string {
    return this.mainFrame.url
  }

  async loadURL(url: string): Promise<void> {
    this.mainFrame.url = url
    await Promise.resolve()
    // the navigation commits (a new page), then the page loads
    this.emit('did-navigate', new FakeEvent(url), url, 200, 'OK')
    this.emit('did-finish-load')
  }

  /** Ctrl+R / View > Reload: the same URL, a new page. */
  reload(): Promise<void> {
    return this.loadURL(this.mainFrame.url)
  }

  /** The renderer process crashed or was killed. */
  crash(): void {
    this.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 139 })
  }

  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenResult): void {
    this.windowOpenHandler = handler
  }

  /** The page (or a frame in it) tries to navigate; true when the shell let it. */
  navigate(url: string, frame: FakeFrame = this.mainFrame): boolean {
    const framed = new FakeEvent(url)
    this.emit('will-frame-navigate', Object.assign(framed, { isMainFrame: frame === this.mainFrame, frame }))
    if (frame !== this.mainFrame) return !framed.defaultPrevented
    const main = new FakeEvent(url)
    this.emit('will-navigate', main, url)
    return !framed.defaultPrevented && !main.defaultPrevented
  }

  /** A server redirect during a navigation; true when the shell let it. */
  redirect(url: string): boolean {
    const event = new FakeEvent(url)
    this.emit('will-redirect', event, url)
    return !event.defaultPrevented
  }

  /** window.open(url) or a target=_blank link. */
  openWindow(url: string): WindowOpenResult {
    return this.windowOpenHandler ? this.windowOpenHandler({ url }) : { action: 'allow' }
  }

  /** A page embeds a <webview>; true when the shell let it. */
  attachWebview(): boolean {
    const event = new FakeEvent()
    this.emit('will-attach-webview', event, {}, {})
    return !event.defaultPrevented
  }

  /** The page's beforeunload: true when the page may unload. */
  unload(): boolean {
    if (!this.pageBlocksUnload) return true
    const event = new FakeEvent()
    this.emit('will-prevent-unload', event)
    return event.defaultPrevented
  }
}

type MenuTemplate = Record<string, unknown>

export class FakeMenuItem {
  readonly label: string
  readonly role: string | undefined
  readonly accelerator: string | undefined
  readonly type: string
  readonly enabled: boolean
  readonly submenu: FakeMenu | null
  private readonly onClick: (() => void) | null

  constructor(
    template: MenuTemplate,
    private readonly electron: FakeElectron,
  ) {
    this.label = typeof template.label === 'string' ? template.label : ''
    this.role = typeof template.role === 'string' ? template.role : undefined
    this.accelerator = typeof template.accelerator === 'string' ? template.accelerator : undefined
    this.type = typeof template.type === 'string' ? template.type : 'normal'
    this.enabled = template.enabled !== false
    this.submenu = Array.isArray(template.submenu) ? new FakeMenu(template.submenu as MenuTemplate[], electron) : null
    this.onClick = typeof template.click === 'function' ? (template.click as () => void) : null
  }

  /** A click (or its accelerator): the item's handler, or what its role does in Electron. */
  click(): void {
    if (!this.enabled) throw new Error(`menu item ${this.label || this.role} is disabled`)
    if (this.onClick) return this.onClick()
    if (this.role === 'quit') return this.electron.app.quit()
    if (this.role === 'close') return this.electron.focusedWindow()?.close()
    throw new Error(`menu item ${this.label || this.role} does nothing in the fake`)
  }
}

export class FakeMenu {
  readonly items: FakeMenuItem[]
  constructor(template: MenuTemplate[], electron: FakeElectron) {
    this.items = template.map((t) => new FakeMenuItem(t, electron))
  }

  /** The item at a path of labels (or roles), e.g. ['File', 'Open Recent', '/x.prlab.json']. */
  find(path: readonly string[]): FakeMenuItem | null {
    const [first, ...rest] = path
    const item = this.items.find((i) => i.label === first || i.role === first)
    if (!item) return null
    if (rest.length === 0) return item
    return item.submenu ? item.submenu.find(rest) : null
  }

  /** Labels (or roles) of the items, nested. */
  outline(): unknown[] {
    return this.items.map((i) => (i.submenu ? { [i.label || (i.role ?? '')]: i.submenu.outline() } : i.type === 'separator' ? '-' : i.label || `(${i.role})`))
  }
}

export interface DialogCall {
  readonly kind: 'open' | 'save' | 'message' | 'error'
  readonly windowId: number | null
  readonly options: Record<string, unknown>
}

export interface FakeWindowOptions {
  readonly show?: boolean
  readonly webPreferences?: Record<string, unknown>
  readonly [key: string]: unknown
}

export interface FakeBrowserWindowClass {
  new (options?: FakeWindowOptions): FakeBrowserWindow
  getAllWindows(): FakeBrowserWindow[]
  getFocusedWindow(): FakeBrowserWindow | null
}

export class FakeElectron {
  readonly log: string[] = []
  readonly app: FakeApp
  /** Called for each window the shell creates (the fake desktop forwards its IPC to the test). */
  onWindowCreated: ((window: FakeBrowserWindow) => void) | null = null
  readonly ipcMain = new EventEmitter()
  readonly windows: FakeBrowserWindow[] = []
  readonly BrowserWindow: FakeBrowserWindowClass
  readonly Menu: {
    buildFromTemplate(template: MenuTemplate[]): FakeMenu
    setApplicationMenu(menu: FakeMenu | null): void
    getApplicationMenu(): FakeMenu | null
  }
  applicationMenu: FakeMenu | null = null
  /** Answers the dialogs give, in order; an empty queue answers "cancelled". */
  readonly answers = { open: [] as string[][], save: [] as string[], message: [] as number[] }
  readonly dialogCalls: DialogCall[] = []
  readonly dialog = {
    showOpenDialog: async (...args: unknown[]) => {
      const path = this.answers.open.shift()
      this.dialogCalls.push(this.dialogCall('open', args))
      return path ? { canceled: false, filePaths: path } : { canceled: true, filePaths: [] }
    },
    showSaveDialog: async (...args: unknown[]) => {
      const path = this.answers.save.shift()
      this.dialogCalls.push(this.dialogCall('save', args))
      return path ? { canceled: false, filePath: path } : { canceled: true, filePath: '' }
    },
    showMessageBoxSync: (...args: unknown[]): number => {
      const call = this.dialogCall('message', args)
      this.dialogCalls.push(call)
      const answer = this.answers.message.shift()
      return answer ?? (typeof call.options.cancelId === 'number' ? call.options.cancelId : 0)
    },
    showErrorBox: (title: string, content: string): void => {
      this.dialogCalls.push({ kind: 'error', windowId: null, options: { title, content } })
    },
  }
  readonly openedExternally: string[] = []
  readonly shell = {
    openExternal: async (url: string): Promise<void> => {
      this.openedExternally.push(url)
    },
  }
  readonly privilegedSchemes: unknown[] = []
  readonly protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>()
  readonly protocol = {
    registerSchemesAsPrivileged: (schemes: unknown[]): void => {
      if (this.app.isReady()) throw new Error('registerSchemesAsPrivileged must be called before app ready')
      this.privilegedSchemes.push(...schemes)
    },
    handle: (scheme: string, handler: (request: Request) => Promise<Response> | Response): void => {
      this.protocolHandlers.set(scheme, handler)
    },
  }
  /** net.fetch for file: URLs, as the protocol handler uses it. */
  readonly net = {
    fetch: async (url: string): Promise<Response> => {
      const path = fileURLToPath(url)
      const body = await readFile(path).catch(() => {
        throw new Error(`net::ERR_FILE_NOT_FOUND ${url}`)
      })
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' }
      return new Response(body, { status: 200, headers: { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' } })
    },
  }
  readonly permissions = { request: null as unknown, check: null as unknown }
  readonly session = {
    defaultSession: {
      setPermissionRequestHandler: (handler: unknown): void => void (this.permissions.request = handler),
      setPermissionCheckHandler: (handler: unknown): void => void (this.permissions.check = handler),
    },
  }

  constructor(options: { userData?: string; packaged?: boolean; singleInstance?: boolean } = {}) {
    this.app = new FakeApp(this, options)
    this.Menu = {
      buildFromTemplate: (template) => new FakeMenu(template, this),
      setApplicationMenu: (menu) => {
        this.applicationMenu = menu
        this.log.push('menu set')
      },
      getApplicationMenu: () => this.applicationMenu,
    }
    // BrowserWindow is a class the shell constructs; this subclass binds it to this fake.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const electron = this
    this.BrowserWindow = class extends FakeBrowserWindow {
      constructor(options: FakeWindowOptions = {}) {
        super(electron, options)
      }
      static getAllWindows(): FakeBrowserWindow[] {
        return [...electron.windows]
      }
      static getFocusedWindow(): FakeBrowserWindow | null {
        return electron.focusedWindow()
      }
    }
  }

  focusedWindow(): FakeBrowserWindow | null {
    return this.windows.find((w) => w.focused) ?? null
  }

  /** A message from a page to the main process (ipcRenderer.send), from `frame` (default: the top frame). */
  sendFromPage(window: FakeBrowserWindow, channel: string, message: unknown, frame: FakeFrame = window.webContents.mainFrame): void {
    this.ipcMain.emit(channel, { sender: window.webContents, senderFrame: frame }, message)
  }

  menuItem(...path: string[]): FakeMenuItem {
    const item = this.applicationMenu?.find(path) ?? null
    if (!item) throw new Error(`no menu item ${path.join(' > ')}; the menu is ${JSON.stringify(this.applicationMenu?.outline() ?? null)}`)
    return item
  }

  /** The `electron` module's exports. */
  get module(): Record<string, unknown> {
    return {
      app: this.app,
      BrowserWindow: this.BrowserWindow,
      Menu: this.Menu,
      dialog: this.dialog,
      ipcMain: this.ipcMain,
      net: this.net,
      protocol: this.protocol,
      session: this.session,
      shell: this.shell,
    }
  }

  private dialogCall(kind: DialogCall['kind'], args: unknown[]): DialogCall {
    const window = args[0] instanceof FakeBrowserWindow ? args[0] : null
    const options = (window ? args[1] : args[0]) as Record<string, unknown>
    return { kind, windowId: window?.id ?? null, options }
  }
}

export class FakeApp extends EventEmitter {
  private started = false
  isPackaged: boolean
  quitting = false
  exitCode: number | null = null
  readonly recentDocuments: string[] = []
  singleInstance: boolean
  private readonly userData: string
  private readonly ready: Promise<void>
  private resolveReady: () => void = () => undefined
  /** Called once the app exits (the fake desktop ends its process there). */
  onExit: ((code: number) => void) | null = null

  constructor(
    private readonly electron: FakeElectron,
    options: { userData?: string; packaged?: boolean; singleInstance?: boolean },
  ) {
    super()
    this.isPackaged = options.packaged ?? false
    this.singleInstance = options.singleInstance ?? true
    this.userData = options.userData ?? mkdtempSync(join(tmpdir(), 'prlab-fake-userdata-'))
    this.ready = new Promise((resolve) => (this.resolveReady = resolve))
  }

  /** The test's "Electron has started". */
  emitReady(): void {
    this.started = true
    this.emit('ready', new FakeEvent(), {})
    this.resolveReady()
  }

  isReady(): boolean {
    return this.started
  }

  whenReady(): Promise<void> {
    return this.ready
  }

  getVersion(): string {
    return '0.0.0-fake'
  }

  getName(): string {
    return 'page-reporting-lab'
  }

  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`the fake has no path ${name}`)
    return this.userData
  }

  enableSandbox(): void {
    if (this.started) throw new Error('enableSandbox must be called before app ready')
    this.electron.log.push('sandbox enabled')
  }

  requestSingleInstanceLock(): boolean {
    this.electron.log.push('single-instance lock requested')
    return this.singleInstance
  }

  addRecentDocument(path: string): void {
    this.recentDocuments.push(path)
  }

  focus(): void {
    this.electron.log.push('app focused')
  }

  quit(): void {
    if (this.exitCode !== null) return
    this.electron.log.push('app.quit')
    const beforeQuit = new FakeEvent()
    this.emit('before-quit', beforeQuit)
    if (beforeQuit.defaultPrevented) {
      this.electron.log.push('quit cancelled at before-quit')
      return
    }
    this.quitting = true
    for (const window of [...this.electron.windows]) {
      window.close()
      if (!window.isDestroyed()) {
        this.quitting = false
        this.electron.log.push('quit cancelled by a window')
        return
      }
    }
    const willQuit = new FakeEvent()
    this.emit('will-quit', willQuit)
    this.quitting = false
    if (willQuit.defaultPrevented) {
      this.electron.log.push('quit deferred at will-quit')
      return
    }
    this.emit('quit', new FakeEvent(), 0)
    this.exit(0)
  }

  exit(code = 0): void {
    if (this.exitCode !== null) return
    this.exitCode = code
    this.electron.log.push(`exit ${code}`)
    for (const window of [...this.electron.windows]) window.destroy()
    this.onExit?.(code)
  }

  /** Called by a window that closed. */
  windowClosed(): void {
    if (this.electron.windows.length > 0 || this.quitting || this.exitCode !== null) return
    if (this.listenerCount('window-all-closed') > 0) this.emit('window-all-closed', new FakeEvent())
    else this.quit()
  }
}

export class FakeBrowserWindow extends EventEmitter {
  private static nextId = 1
  readonly id = FakeBrowserWindow.nextId++
  readonly webContents = new FakeWebContents()
  visible = false
  focused = false
  minimized = false
  readonly progress: number[] = []
  private destroyed = false

  constructor(
    private readonly electron: FakeElectron,
    readonly options: FakeWindowOptions,
  ) {
    super()
    if (!electron.app.isReady()) throw new Error('Cannot create BrowserWindow before app is ready')
    electron.windows.push(this)
    electron.log.push(`window ${this.id} created`)
    electron.onWindowCreated?.(this)
    electron.app.emit('web-contents-created', new FakeEvent(), this.webContents)
    if (options.show !== false) this.show()
    this.webContents.on('did-finish-load', () => this.emit('ready-to-show'))
  }

  async loadURL(url: string): Promise<void> {
    await this.webContents.loadURL(url)
  }

  show(): void {
    this.visible = true
    this.focus()
  }

  focus(): void {
    for (const w of this.electron.windows) w.focused = false
    this.focused = true
    this.emit('focus')
  }

  isVisible(): boolean {
    return this.visible
  }

  isMinimized(): boolean {
    return this.minimized
  }

  minimize(): void {
    this.minimized = true
    this.focused = false
  }

  restore(): void {
    this.minimized = false
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  setProgressBar(progress: number): void {
    this.progress.push(progress)
  }

  /** The close button (or Ctrl+W): may be cancelled by the shell or by the page. */
  close(): void {
    if (this.destroyed) return
    const close = new FakeEvent()
    this.emit('close', close)
    if (close.defaultPrevented) {
      this.electron.log.push(`window ${this.id} close prevented`)
      return
    }
    if (!this.webContents.unload()) {
      this.electron.log.push(`window ${this.id} kept open by the page`)
      return
    }
    this.destroy()
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.visible = false
    this.focused = false
    this.webContents.destroy()
    this.electron.windows.splice(this.electron.windows.indexOf(this), 1)
    this.electron.log.push(`window ${this.id} closed`)
    this.emit('closed')
    this.electron.app.windowClosed()
  }
}
