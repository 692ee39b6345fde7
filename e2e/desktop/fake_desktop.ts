// The test's side of a fake desktop run: the BUILT shell (out/main/index.js) in a Node child
// process whose `electron` is the fake (test/desktop/fake_electron_register.mjs). The test plays
// Electron (app events, menu clicks, dialog answers, window closes) and the page (a birpc client
// of the lab API over the window's IPC), and reads back what the shell did.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createBirpc, type BirpcReturn } from 'birpc'
import type { LabApi, LabEvents, MenuCommand, RunStatus, TaskStatus } from '../../src/common/api'
import type { DesktopState, DriverRequest, FakeDesktopOptions, FromDriver } from '../../test/desktop/fake_electron_driver'
import type { FakeFrame } from '../../test/desktop/fake_electron'

const ROOT = join(import.meta.dirname, '..', '..')
export const BUILT_MAIN = join(ROOT, 'out', 'main', 'index.js')
const REGISTER = pathToFileURL(join(ROOT, 'test', 'desktop', 'fake_electron_register.mjs')).href
const ENTRY = join(ROOT, 'test', 'desktop', 'fake_electron_main.mjs')

export interface LaunchOptions extends Partial<Omit<FakeDesktopOptions, 'userData'>> {
  readonly args?: readonly string[]
  readonly cwd?: string
  /** Shared between launches to play a second instance or a restart. */
  readonly userData?: string
  readonly env?: Readonly<Record<string, string>>
}

export interface Page {
  readonly lab: BirpcReturn<LabApi, LabEvents>
  readonly menu: MenuCommand[]
  readonly statuses: RunStatus[]
  readonly tasks: TaskStatus[]
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }

export class FakeDesktop {
  readonly output: string[] = []
  readonly crashes: string[] = []
  /** The code the fake app exited with (app.quit / app.exit), once it has. */
  exitCode: number | null = null
  /** The shell's state as the app exited. */
  finalState: DesktopState | null = null
  readonly exited: Promise<number | null>
  readonly userData: string
  private readonly child: ChildProcess
  private readonly pending = new Map<number, Pending>()
  private readonly pageListeners = new Map<number, Set<(data: unknown) => void>>()
  /** Every page's lab client: their calls still waiting fail when the app exits. */
  private readonly labs: BirpcReturn<LabApi, LabEvents>[] = []
  private nextId = 1
  private readonly ownsUserData: boolean

  constructor(options: LaunchOptions = {}) {
    this.ownsUserData = options.userData === undefined
    this.userData = options.userData ?? mkdtempSync(join(tmpdir(), 'prlab-fake-desktop-'))
    const driver: FakeDesktopOptions = {
      userData: this.userData,
      packaged: options.packaged ?? false,
      singleInstance: options.singleInstance ?? true,
      ...(options.platform ? { platform: options.platform } : {}),
      ...(options.resourcesPath ? { resourcesPath: options.resourcesPath } : {}),
    }
    this.child = fork(ENTRY, [...(options.args ?? [])], {
      cwd: options.cwd ?? ROOT,
      execArgv: ['--import', REGISTER],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...options.env, PRLAB_FAKE_ELECTRON: JSON.stringify(driver), PRLAB_FAKE_MAIN: pathToFileURL(BUILT_MAIN).href },
    })
    this.child.stdout?.on('data', (d: Buffer) => this.output.push(d.toString()))
    this.child.stderr?.on('data', (d: Buffer) => this.output.push(d.toString()))
    this.child.on('message', (message: FromDriver) => this.onMessage(message))
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        for (const p of this.pending.values()) p.reject(new Error(`the fake desktop exited (${code}) before answering; output:\n${this.output.join('')}`))
        this.pending.clear()
        // a page's call the app never answered fails now, not at the client's 30 s timeout
        for (const lab of this.labs) lab.$close(new Error(`the fake desktop exited (${code}) before the page's call was answered`))
        resolve(code)
      }),
    )
  }

  request(request: DriverRequest): Promise<unknown> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ id, request })
    })
  }

  ready = (): Promise<unknown> => this.request({ op: 'ready' })
  state = (): Promise<DesktopState> => this.request({ op: 'state' }) as Promise<DesktopState>
  click = (...path: string[]): Promise<unknown> => this.request({ op: 'click', path })
  /** Emits an app event; resolves true when the shell called preventDefault(). */
  appEvent = (event: string, ...args: unknown[]): Promise<boolean> => this.request({ op: 'app-event', event, args }) as Promise<boolean>
  quit = (): Promise<unknown> => this.request({ op: 'quit' })
  closeWindow = (windowId: number): Promise<unknown> => this.request({ op: 'close-window', windowId })
  minimize = (windowId: number): Promise<unknown> => this.request({ op: 'minimize', windowId })
  pageBlocksUnload = (windowId: number, blocks: boolean): Promise<unknown> => this.request({ op: 'page-blocks-unload', windowId, blocks })
  answerOpen = (paths: string[]): Promise<unknown> => this.request({ op: 'answer', kind: 'open', value: paths })
  answerSave = (path: string): Promise<unknown> => this.request({ op: 'answer', kind: 'save', value: path })
  /** The button the next message box returns (its index). */
  answerMessage = (button: number): Promise<unknown> => this.request({ op: 'answer', kind: 'message', value: button })
  /** The page (or, with `subframe`, a frame in it) navigates; resolves true when the shell let it. */
  navigate = (windowId: number, url: string, subframe = false): Promise<boolean> => this.request({ op: 'navigate', windowId, url, subframe }) as Promise<boolean>
  openWindow = (windowId: number, url: string): Promise<{ action: string }> => this.request({ op: 'open-window', windowId, url }) as Promise<{ action: string }>
  fetchApp = (url: string): Promise<{ status: number; text: string }> => this.request({ op: 'protocol', url }) as Promise<{ status: number; text: string }>

  /** The page in window `windowId`: the lab API over its IPC, from `frame` (default: its top frame). */
  page(windowId: number, options: { frame?: FakeFrame; timeout_ms?: number } = {}): Page {
    const listeners = this.pageListeners.get(windowId) ?? new Set()
    this.pageListeners.set(windowId, listeners)
    const page: Page = { lab: null as unknown as Page['lab'], menu: [], statuses: [], tasks: [] }
    const events: LabEvents = {
      frame: () => undefined,
      events: () => undefined,
      status: (s) => void page.statuses.push(s),
      menu: (c) => void page.menu.push(c),
      library: () => undefined,
      stateProgress: () => undefined,
      task: (t) => void page.tasks.push(t),
    }
    const lab = createBirpc<LabApi, LabEvents>(events, {
      post: (message) => void this.request({ op: 'page', windowId, channel: 'prlab:rpc', message, ...(options.frame ? { frame: options.frame } : {}) }).catch(() => undefined),
      on: (fn) => void listeners.add(fn),
      timeout: options.timeout_ms ?? 30_000,
    })
    this.labs.push(lab)
    return Object.assign(page, { lab })
  }

  /** Waits until `check` holds for the shell's state (polling), and returns that state. */
  async waitFor(check: (state: DesktopState) => boolean, timeout_ms = 20_000): Promise<DesktopState> {
    const deadline = Date.now() + timeout_ms
    for (;;) {
      const state = await this.state()
      if (check(state)) return state
      if (Date.now() > deadline) throw new Error(`timed out; the shell's state: ${JSON.stringify({ ...state, menu: undefined }, null, 1)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Ends the child if it is still running, and removes its user data (unless shared). */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL')
      await this.exited
    }
    if (this.ownsUserData) rmSync(this.userData, { recursive: true, force: true })
  }

  get pid(): number {
    return this.child.pid as number
  }

  private onMessage(message: FromDriver): void {
    switch (message.type) {
      case 'reply': {
        const pending = this.pending.get(message.id)
        this.pending.delete(message.id)
        if (message.error !== undefined) pending?.reject(new Error(message.error))
        else pending?.resolve(message.value)
        return
      }
      case 'sent':
        if (message.channel === 'prlab:rpc') for (const fn of this.pageListeners.get(message.windowId) ?? []) fn(message.data)
        return
      case 'exit':
        this.exitCode = message.code
        this.finalState = message.state
        return
      case 'crash':
        this.crashes.push(message.message)
        return
    }
  }
}
