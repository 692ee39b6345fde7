// Hotkeys as written in the UI ("Ctrl+Shift+Z", "Space", "?") and matched against key events.
// "Ctrl" is Ctrl or ⌘. Symbol keys ("?", "+") match whatever Shift it took to type them; letters,
// digits and named keys match their modifiers exactly.

export interface Chord {
  readonly key: string
  readonly ctrl: boolean
  readonly shift: boolean
  readonly alt: boolean
}

const SYMBOLS = new Set(['?', '+', '-', '=', '[', ']', '.', ','])
const NAMED: Readonly<Record<string, string>> = { Space: ' ', Esc: 'Escape', '←': 'ArrowLeft', '→': 'ArrowRight' }

export function parseHotkey(text: string): Chord {
  const parts = text.split('+')
  // "Ctrl++" and "+" name the plus key
  const last = text.endsWith('++') || text === '+' ? '+' : parts[parts.length - 1]
  const mods = new Set(text === '+' ? [] : parts.slice(0, text.endsWith('++') ? -2 : -1))
  const key = NAMED[last] ?? (last.length === 1 ? last.toUpperCase() : last)
  return { key, ctrl: mods.has('Ctrl'), shift: mods.has('Shift'), alt: mods.has('Alt') }
}

/** The event's key as chords name it: letters upper-case, '=' (unshifted plus) as '+'. */
function eventKey(e: KeyboardEvent): string {
  if (e.key === '=') return '+'
  return e.key.length === 1 ? e.key.toUpperCase() : e.key
}

/** Digits by their physical key: with Shift or Alt held, some layouts type another character. */
function digitOf(e: KeyboardEvent): string | null {
  const m = /^Digit(\d)$/.exec(e.code)
  return m ? m[1] : null
}

export function matches(chord: Chord, e: KeyboardEvent): boolean {
  const ctrl = e.ctrlKey || e.metaKey
  if (chord.ctrl !== ctrl || chord.alt !== e.altKey) return false
  const key = /^\d$/.test(chord.key) ? (digitOf(e) ?? eventKey(e)) : eventKey(e)
  if (key !== chord.key) return false
  return SYMBOLS.has(chord.key) || chord.shift === e.shiftKey
}

/** A chord that is a plain key (no Ctrl, no Alt): it must not fire while the user types in a field. */
export const isPlain = (chord: Chord): boolean => !chord.ctrl && !chord.alt && !/^F\d+$/.test(chord.key)
