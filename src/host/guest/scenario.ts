// The phase-script language of the real-guest recordings (shared/reference/real-guest/README.md),
// which guest/prlab-guest.c runs inside the guest. Parsed here too, with the same rules, so a bad
// script is refused before a guest boots (an error naming the command and what was expected).

export type GuestCommand =
  | { cmd: 'idle' | 'hold'; ms: number }
  | { cmd: 'alloc'; bytes: number }
  | { cmd: 'touch' }
  | { cmd: 'free' }
  | { cmd: 'freestripe'; bytes: number }
  | { cmd: 'churn'; ms: number; wsBytes: number; chunkBytes: number; pauseMs: number }
  | { cmd: 'nohuge' }

export class ScriptError extends Error {}

const PAGE_BYTES = 4096
const MAX_CHURN_SLOTS = 4000 // prlab-guest.c keeps one pointer per slot
const MAX_MAPPINGS = 4096

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }

/** "600M", "4K", "1G", "4096", "2MiB" -> bytes (as prlab-guest parse_size()). */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)(?:i?B)?$/.exec(text)
  if (!m) return null
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()])
  return bytes > 0 ? bytes : null
}

/** "20s", "5ms", "1.5s", "2m", "2min", "30" (seconds) -> ms (as prlab-guest parse_duration()). */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min)?$/.exec(text)
  if (!m) return null
  const scale = m[2] === 'ms' ? 1 : m[2] === 'm' || m[2] === 'min' ? 60_000 : 1000
  return Number(m[1]) * scale
}

function expect<T>(value: T | null, what: string, got: string, at: string): T {
  if (value === null) throw new ScriptError(`${at}: expected ${what}, got "${got}"`)
  return value
}

/** Parses `idle 20s; alloc 600M; touch; ...`. Throws ScriptError naming the command. */
export function parseScript(script: string): GuestCommand[] {
  const commands: GuestCommand[] = []
  const parts = script.split(';').map((s) => s.trim()).filter((s) => s !== '')
  if (parts.length === 0) throw new ScriptError('the script is empty')
  let mappings = 0
  parts.forEach((part, i) => {
    const at = `command ${i + 1} "${part}"`
    const [name, ...args] = part.split(/\s+/)
    const arity = (n: number, usage: string): void => {
      if (args.length !== n) throw new ScriptError(`${at}: expected ${usage}`)
    }
    switch (name) {
      case 'idle':
      case 'hold':
        arity(1, `${name} DURATION (e.g. 20s, 500ms)`)
        commands.push({ cmd: name, ms: expect(parseDuration(args[0]), 'a duration (e.g. 20s, 500ms)', args[0], at) })
        break
      case 'alloc':
        arity(1, 'alloc SIZE (e.g. 600M)')
        commands.push({ cmd: 'alloc', bytes: expect(parseSize(args[0]), 'a size (e.g. 600M, 4K, 1G)', args[0], at) })
        if (++mappings > MAX_MAPPINGS) throw new ScriptError(`${at}: more than ${MAX_MAPPINGS} allocations`)
        break
      case 'touch':
      case 'free':
      case 'nohuge':
        arity(0, `${name} without arguments`)
        commands.push({ cmd: name })
        break
      case 'freestripe': {
        arity(1, 'freestripe SIZE (a multiple of 4K)')
        const bytes = expect(parseSize(args[0]), 'a size (e.g. 4K, 256K)', args[0], at)
        if (bytes % PAGE_BYTES !== 0) throw new ScriptError(`${at}: the stripe must be a multiple of 4K, got ${bytes} bytes`)
        commands.push({ cmd: 'freestripe', bytes })
        break
      }
      case 'churn': {
        arity(4, 'churn DURATION WORKING_SET CHUNK PAUSE (e.g. churn 30s 400M 4M 5ms)')
        const ms = expect(parseDuration(args[0]), 'a duration', args[0], at)
        const wsBytes = expect(parseSize(args[1]), 'a working-set size', args[1], at)
        const chunkBytes = expect(parseSize(args[2]), 'a chunk size', args[2], at)
        const pauseMs = expect(parseDuration(args[3]), 'a pause (e.g. 5ms)', args[3], at)
        const slots = Math.floor(wsBytes / chunkBytes)
        if (slots < 1 || slots > MAX_CHURN_SLOTS) throw new ScriptError(`${at}: WORKING_SET / CHUNK must be 1..${MAX_CHURN_SLOTS} slots, got ${slots}`)
        commands.push({ cmd: 'churn', ms, wsBytes, chunkBytes, pauseMs })
        break
      }
      default:
        throw new ScriptError(`${at}: unknown command "${name}" (alloc, touch, hold, idle, free, freestripe, churn, nohuge)`)
    }
  })
  return commands
}

/** The time the script sleeps or churns, in ms: a lower bound of its run time in the guest. */
export function scriptSleepMs(commands: readonly GuestCommand[]): number {
  return commands.reduce((sum, c) => sum + (c.cmd === 'idle' || c.cmd === 'hold' || c.cmd === 'churn' ? c.ms : 0), 0)
}

/** Bytes the script touches at most (alloc; churn's whole working set): for the guest-memory check. */
export function scriptPeakBytes(commands: readonly GuestCommand[]): number {
  let mapped = 0
  let peak = 0
  for (const c of commands) {
    if (c.cmd === 'alloc') mapped += c.bytes
    else if (c.cmd === 'churn') mapped += c.wsBytes
    else if (c.cmd === 'free') mapped = 0
    peak = Math.max(peak, mapped)
  }
  return peak
}

export interface ScenarioFile {
  description: string
  script: string
  traceKmem: boolean
}

/** A scenario file as in real-guest/scenarios/*.conf: shell-style KEY="value" lines (DESC, SCRIPT, TRACE_KMEM). */
export function parseScenarioConf(text: string, file: string): ScenarioFile {
  const values = new Map<string, string>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = /^([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|'([^']*)'|(\S*))$/.exec(line)
    if (!m) throw new ScriptError(`${file}:${i + 1}: expected KEY="value", got "${line}"`)
    values.set(m[1], m[2] ?? m[3] ?? m[4])
  })
  const unknown = [...values.keys()].filter((k) => !['DESC', 'SCRIPT', 'TRACE_KMEM'].includes(k))
  if (unknown.length > 0) throw new ScriptError(`${file}: unknown key ${unknown.join(', ')} (DESC, SCRIPT, TRACE_KMEM)`)
  const script = values.get('SCRIPT')
  if (script === undefined) throw new ScriptError(`${file}: no SCRIPT="..." line`)
  const traceKmem = values.get('TRACE_KMEM') ?? '0'
  if (traceKmem !== '0' && traceKmem !== '1') throw new ScriptError(`${file}: TRACE_KMEM must be 0 or 1, got "${traceKmem}"`)
  return { description: values.get('DESC') ?? '', script, traceKmem: traceKmem === '1' }
}
