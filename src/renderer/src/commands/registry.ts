// Every command of the window in one registry (Perfetto's command manager): its name, the keys
// that run it, whether it can run now, and what it does. The window's key handler, the toolbar
// and File menu, the desktop menu's pushes, button titles and the help overlay all read it, so a
// key shown is a key that works.
//
// Two key sets. The desktop app owns its keys (F5 runs, the native menu's Ctrl+S saves). In
// browser mode the page must not take the browser's own keys (F5 and Ctrl+R reload, Ctrl+S saves
// the page, Alt+digits and Ctrl+digits switch tabs, F6 and F10 move the focus), so it uses plain
// keys, which act when no text field has the focus, and Ctrl+Enter, Ctrl+Z, Ctrl+Shift+Z and
// Ctrl+Y, which no browser takes from a page.
import type { MenuCommand } from '../../../common/api'
import { exportRun, newDocument, openFile, openKnownFile, openRunFolder, save, saveAs } from './file_commands'
import { useExperimentStore } from '../stores/experiment'
import { useRunStore } from '../stores/run'
import { useTimelineStore } from '../stores/timeline'
import { useUiStore, VIEWS, type View } from '../stores/ui'
import { isPlain, matches, parseHotkey } from './keys'

export type KeySet = 'desktop' | 'browser'
export type CommandGroup = 'File' | 'Edit' | 'Run' | 'View' | 'Time' | 'Help'

export interface Command {
  readonly id: string
  readonly group: CommandGroup
  readonly title: string
  /** Keys per set; `menu`: the desktop's native menu takes the key and pushes the command. */
  readonly keys: { readonly desktop?: readonly string[]; readonly browser?: readonly string[]; readonly menu?: boolean }
  readonly enabled: () => boolean
  readonly run: () => unknown
}

export const keySet = (): KeySet => (useUiStore().capabilities?.mode === 'electron' ? 'desktop' : 'browser')

/** The time scope the keys zoom: Compare's own window there, the run's elsewhere. */
const scope = (): 'run' | 'compare' => (useUiStore().view === 'compare' ? 'compare' : 'run')

function zoomBy(ratio: number): void {
  const t = useTimelineStore()
  const w = t.windowOf(scope())
  t.zoom(scope(), ratio, (w.t0_ms + w.t1_ms) / 2)
}

function panBy(fraction: number): void {
  const t = useTimelineStore()
  const w = t.windowOf(scope())
  t.pan(scope(), fraction * (w.t1_ms - w.t0_ms))
}

const always = (): boolean => true as boolean
const hasRun = (): boolean => useRunStore().status !== null

const VIEW_COMMANDS: Command[] = VIEWS.map((v, i) => ({
  id: `view-${v.id}`,
  group: 'View' as const,
  title: `${v.label} view`,
  keys: { desktop: [`Alt+${i + 1}`], browser: [String(i + 1)] },
  enabled: always,
  run: () => (useUiStore().view = v.id as View),
}))

export const COMMANDS: readonly Command[] = [
  { id: 'new', group: 'File', title: 'New experiment', keys: { desktop: ['Ctrl+N'], menu: true }, enabled: always, run: newDocument },
  { id: 'open', group: 'File', title: 'Open an experiment…', keys: { desktop: ['Ctrl+O'], browser: ['O'], menu: true }, enabled: always, run: openFile },
  { id: 'save', group: 'File', title: 'Save the experiment', keys: { desktop: ['Ctrl+S'], browser: ['S'], menu: true }, enabled: always, run: save },
  { id: 'save-as', group: 'File', title: 'Save As…', keys: { desktop: ['Ctrl+Shift+S'], browser: ['Shift+S'], menu: true }, enabled: always, run: saveAs },
  { id: 'export-csv', group: 'File', title: 'Export samples.csv of the current run', keys: { desktop: ['Ctrl+E'], browser: ['E'], menu: true }, enabled: hasRun, run: () => exportRun('samples-csv') },
  { id: 'export-perfetto', group: 'File', title: 'Export a Perfetto trace of the current run', keys: { desktop: ['Ctrl+Shift+E'], menu: true }, enabled: hasRun, run: () => exportRun('perfetto') },
  { id: 'open-run-folder', group: 'File', title: 'Open a run folder (prlab run --out)…', keys: {}, enabled: always, run: openRunFolder },
  { id: 'undo', group: 'Edit', title: 'Undo the last edit', keys: { desktop: ['Ctrl+Z'], browser: ['Ctrl+Z'], menu: true }, enabled: () => useExperimentStore().canUndo, run: () => useExperimentStore().undo() },
  { id: 'redo', group: 'Edit', title: 'Redo', keys: { desktop: ['Ctrl+Shift+Z'], browser: ['Ctrl+Shift+Z', 'Ctrl+Y'], menu: true }, enabled: () => useExperimentStore().canRedo, run: () => useExperimentStore().redo() },
  {
    id: 'run',
    group: 'Run',
    title: 'Run the experiment, or resume the paused run',
    keys: { desktop: ['F5', 'Ctrl+Enter'], browser: ['Ctrl+Enter'] },
    enabled: () => useRunStore().canResume || useRunStore().canStart,
    run: () => (useRunStore().canResume ? useRunStore().control('resume') : useRunStore().start()),
  },
  {
    id: 'pause',
    group: 'Run',
    title: 'Pause or resume',
    keys: { desktop: ['Space', 'F6'], browser: ['Space'] },
    enabled: () => useRunStore().canPause || useRunStore().canResume,
    run: () => useRunStore().control(useRunStore().canPause ? 'pause' : 'resume'),
  },
  { id: 'step', group: 'Run', title: 'Step to the end of the next reporting pass', keys: { desktop: ['F10'], browser: ['N'] }, enabled: () => useRunStore().canStep, run: () => useRunStore().control('step') },
  { id: 'stop', group: 'Run', title: 'Stop the run', keys: { desktop: ['Shift+F5'], browser: ['Shift+X'] }, enabled: () => useRunStore().canStop, run: () => useRunStore().control('stop') },
  ...VIEW_COMMANDS,
  { id: 'toggle-editor', group: 'View', title: 'Show or hide the experiment editor', keys: { desktop: ['Ctrl+B'], browser: ['B'] }, enabled: always, run: () => (useUiStore().editorOpen = !useUiStore().editorOpen) },
  { id: 'theme', group: 'View', title: 'Theme: system, light, dark', keys: { desktop: ['T'], browser: ['T'] }, enabled: always, run: () => useUiStore().cycleTheme() },
  { id: 'zoom-in', group: 'Time', title: 'Zoom in on the time axis', keys: { desktop: ['+'], browser: ['+'] }, enabled: always, run: () => zoomBy(0.5) },
  { id: 'zoom-out', group: 'Time', title: 'Zoom out', keys: { desktop: ['-'], browser: ['-'] }, enabled: always, run: () => zoomBy(2) },
  { id: 'zoom-reset', group: 'Time', title: 'Show the whole run', keys: { desktop: ['0'], browser: ['0'] }, enabled: () => useTimelineStore().zoomed(scope()), run: () => useTimelineStore().reset(scope()) },
  { id: 'pan-left', group: 'Time', title: 'Pan earlier', keys: { desktop: ['←'], browser: ['←'] }, enabled: always, run: () => panBy(-0.25) },
  { id: 'pan-right', group: 'Time', title: 'Pan later', keys: { desktop: ['→'], browser: ['→'] }, enabled: always, run: () => panBy(0.25) },
  { id: 'clear-cursor', group: 'Time', title: 'Clear the time cursor (the views show the latest state)', keys: { desktop: ['Esc'], browser: ['Esc'] }, enabled: () => useTimelineStore().cursor_ms !== null, run: () => (useTimelineStore().cursor_ms = null) },
  { id: 'help', group: 'Help', title: 'Keys and mouse gestures', keys: { desktop: ['?', 'F1'], browser: ['?'] }, enabled: always, run: () => (useUiStore().helpOpen = !useUiStore().helpOpen) },
]

/** The mouse gestures of the time charts and the memory map, for the help overlay. */
export const GESTURES: readonly { readonly gesture: string; readonly action: string }[] = [
  { gesture: 'Wheel', action: 'scroll the page (charts do not take it)' },
  { gesture: 'Ctrl/⌘ + wheel on a chart', action: 'zoom the time axis about the pointer' },
  { gesture: 'Drag across a chart', action: 'zoom to the range selected' },
  { gesture: 'Shift + drag, or a sideways swipe', action: 'pan the time axis' },
  { gesture: 'Double click on a chart', action: 'zoom out 2×' },
  { gesture: 'Click on a chart', action: 'set the time cursor: the memory map and /proc views show that time' },
  { gesture: 'Drag the window in the overview bar', action: 'pan; drag its edges to resize; click elsewhere to go there' },
  { gesture: 'Click a phase in the phase band', action: 'zoom to that phase' },
  { gesture: 'Click a legend entry', action: 'hide or show that line; the axes refit' },
  { gesture: 'Wheel on the memory map', action: 'zoom the frame range; drag pans' },
]

export const commandById = (id: string): Command | undefined => COMMANDS.find((c) => c.id === id)

/** The keys of a command in the active set. */
export function keysOf(command: Command, set: KeySet = keySet()): readonly string[] {
  return command.keys[set] ?? []
}

/** The first key of a command in the active set, or ''. */
export function keyOf(id: string): string {
  const c = commandById(id)
  return c ? (keysOf(c)[0] ?? '') : ''
}

/** "Run (F5)": a button title with the active key. */
export function titleWithKey(id: string): string {
  const c = commandById(id)
  if (!c) return id
  const keys = keysOf(c)
  return keys.length > 0 ? `${c.title} (${keys[0]})` : c.title
}

function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA' || target.isContentEditable)
}

/** The window's key handler: runs the command a key names in the active set. Returns whether it took the key. */
export function handleKey(e: KeyboardEvent): boolean {
  const set = keySet()
  for (const c of COMMANDS) {
    // on the desktop the native menu owns its accelerators (it pushes the command)
    if (set === 'desktop' && c.keys.menu) continue
    for (const text of keysOf(c, set)) {
      const chord = parseHotkey(text)
      if (!matches(chord, e)) continue
      if (isPlain(chord) && (typingIn(e.target) || (chord.key === ' ' && e.target instanceof HTMLButtonElement))) return false
      e.preventDefault()
      if (c.enabled()) void c.run()
      return true
    }
  }
  return false
}

/** A command the desktop menu pushed: Open Recent's files by id, the rest through the registry. */
export function runMenuCommand(command: MenuCommand): Promise<unknown> {
  if (command.startsWith('open-file:')) return openKnownFile(command.slice('open-file:'.length))
  const c = commandById(command)
  return Promise.resolve(c && c.enabled() ? c.run() : undefined)
}
