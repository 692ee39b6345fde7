// UI state: theme (following the system unless the user picks one), the active view, notices
// and the confirm dialog. Nothing here talks to the lab.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { Capabilities, LabError, RecentFile } from '../../../common/api'
import type { Theme } from '../model/memory_map_palette'

export type ThemeMode = 'system' | Theme
export type View = 'charts' | 'memory' | 'snapshot' | 'runs' | 'compare' | 'data' | 'sweep' | 'host'

/** The views in tab order (their keys are 1..8, or Alt+1..8 on the desktop). */
export const VIEWS: readonly { readonly id: View; readonly label: string }[] = [
  { id: 'charts', label: 'Charts' },
  { id: 'memory', label: 'Memory map' },
  { id: 'snapshot', label: '/proc' },
  { id: 'runs', label: 'Runs' },
  { id: 'compare', label: 'Compare' },
  { id: 'data', label: 'Data' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'host', label: 'Host' },
]

/** Default width of the experiment editor, px; it can be dragged between the bounds. */
export const EDITOR_WIDTH = { default: 340, min: 260, max: 640 } as const
/** Info notices leave after this long; errors stay until closed. */
export const NOTICE_MS = 6000
const MAX_NOTICES = 5

export interface Notice {
  readonly id: number
  readonly kind: 'error' | 'info'
  readonly title: string
  readonly detail?: string
  readonly lines?: readonly string[]
}

export interface ConfirmRequest {
  readonly title: string
  readonly message: string
  readonly confirm: string
  readonly alternative?: string
  resolve(answer: 'confirm' | 'alternative' | 'cancel'): void
}

export type Connection = 'connecting' | 'connected' | 'closed'

/** A layout preference kept in this browser (localStorage), or the default when none or unreadable. */
function stored<T extends number | boolean>(key: string, fallback: T): T {
  try {
    const text = globalThis.localStorage?.getItem(key)
    if (text === null || text === undefined) return fallback
    const value: unknown = JSON.parse(text)
    return typeof value === typeof fallback ? (value as T) : fallback
  } catch {
    return fallback
  }
}

function remember(key: string, value: number | boolean): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value))
  } catch {
    // private mode or a full quota: the preference lasts this session only
  }
}

export const useUiStore = defineStore('ui', () => {
  const connection = ref<Connection>('connecting')
  const connectionError = ref<string | null>(null)
  const capabilities = shallowRef<Capabilities | null>(null)
  const recent = ref<RecentFile[]>([])
  const themeMode = ref<ThemeMode>('system')
  const systemDark = ref(false)
  const view = ref<View>('charts')
  const editorOpen = ref<boolean>(stored<boolean>('prlab.editorOpen', true))
  const editorWidth = ref<number>(stored<number>('prlab.editorWidth', EDITOR_WIDTH.default))
  const helpOpen = ref(false)
  const notices = ref<Notice[]>([])
  const confirmRequest = shallowRef<ConfirmRequest | null>(null)
  let nextId = 1

  const theme = computed<Theme>(() => (themeMode.value === 'system' ? (systemDark.value ? 'dark' : 'light') : themeMode.value))

  function notify(kind: Notice['kind'], title: string, detail?: string, lines?: readonly string[]): void {
    const notice: Notice = { id: nextId++, kind, title, detail, lines }
    // the oldest info notice makes room first; errors stay until closed
    let kept = notices.value
    while (kept.length >= MAX_NOTICES) {
      const drop = kept.find((n) => n.kind === 'info') ?? kept[0]
      kept = kept.filter((n) => n !== drop)
    }
    notices.value = [...kept, notice]
    if (kind === 'info') setTimeout(() => dismiss(notice.id), NOTICE_MS)
  }

  /** Show a lab error with its file and issues, so a failed command is never silent. */
  function notifyError(title: string, error: LabError): void {
    const lines = (error.issues ?? []).map((i) => `${i.path || '(file)'}${i.line !== undefined ? ` (line ${i.line})` : ''}: ${i.message}`)
    notify('error', title, error.file ? `${error.file}: ${error.message}` : error.message, lines)
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  function confirm(title: string, message: string, confirmLabel: string, alternative?: string): Promise<'confirm' | 'alternative' | 'cancel'> {
    return new Promise((resolve) => {
      confirmRequest.value = {
        title,
        message,
        confirm: confirmLabel,
        alternative,
        resolve: (answer) => {
          confirmRequest.value = null
          resolve(answer)
        },
      }
    })
  }

  function setEditorWidth(px: number): void {
    editorWidth.value = Math.round(Math.min(EDITOR_WIDTH.max, Math.max(EDITOR_WIDTH.min, px)))
  }

  watch(editorOpen, (open) => remember('prlab.editorOpen', open))
  watch(editorWidth, (px) => remember('prlab.editorWidth', px))

  function cycleTheme(): void {
    const order: ThemeMode[] = ['system', 'light', 'dark']
    themeMode.value = order[(order.indexOf(themeMode.value) + 1) % order.length]
  }

  return { connection, connectionError, capabilities, recent, themeMode, systemDark, view, editorOpen, editorWidth, helpOpen, notices, confirmRequest, theme, notify, notifyError, dismiss, confirm, cycleTheme, setEditorWidth }
})
