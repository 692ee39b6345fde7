// UI state: theme (following the system unless the user picks one), the active view, notices
// and the confirm dialog. Nothing here talks to the lab.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Capabilities, LabError, RecentFile } from '../../../common/api'
import type { Theme } from '../model/memory_map_palette'

export type ThemeMode = 'system' | Theme
export type View = 'charts' | 'memory' | 'snapshot' | 'compare' | 'data' | 'sweep'

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

export const useUiStore = defineStore('ui', () => {
  const connection = ref<Connection>('connecting')
  const connectionError = ref<string | null>(null)
  const capabilities = shallowRef<Capabilities | null>(null)
  const recent = ref<RecentFile[]>([])
  const themeMode = ref<ThemeMode>('system')
  const systemDark = ref(false)
  const view = ref<View>('charts')
  const editorOpen = ref(true)
  const notices = ref<Notice[]>([])
  const confirmRequest = shallowRef<ConfirmRequest | null>(null)
  let nextId = 1

  const theme = computed<Theme>(() => (themeMode.value === 'system' ? (systemDark.value ? 'dark' : 'light') : themeMode.value))

  function notify(kind: Notice['kind'], title: string, detail?: string, lines?: readonly string[]): void {
    const notice: Notice = { id: nextId++, kind, title, detail, lines }
    notices.value = [...notices.value.slice(-4), notice]
    if (kind === 'info') setTimeout(() => dismiss(notice.id), 4000)
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

  function cycleTheme(): void {
    const order: ThemeMode[] = ['system', 'light', 'dark']
    themeMode.value = order[(order.indexOf(themeMode.value) + 1) % order.length]
  }

  return { connection, connectionError, capabilities, recent, themeMode, systemDark, view, editorOpen, notices, confirmRequest, theme, notify, notifyError, dismiss, confirm, cycleTheme }
})
