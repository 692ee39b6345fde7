// The hostile inputs of issue 9 for the CLI, each with the answer `prlab` must give: exit 2 with
// a message naming the file or field (exit 0 where the input is fine), no stack trace, in time.
// Used by the regression tests (test/cli_hostile.test.ts) and by the scripted attack on the real
// prlab (scripts/attack/cli.ts). Cases that need root (mounting a tmpfs) report themselves
// unavailable elsewhere instead of passing silently.
import { execFileSync, execSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync, openSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { prlab, type Outcome } from '../prlab_process'

export interface CliCase {
  readonly name: string
  /** Runs the case once; resolves with what happened and whether it is the expected answer. */
  readonly run: (w: Workspace) => Promise<CaseResult>
}

export interface CaseResult {
  readonly outcome: Outcome
  /** null when the answer is the expected one; else what is wrong. */
  readonly wrong: string | null
}

/** A scratch folder with the fixtures the cases name, and the mounts they need (root only). */
export class Workspace {
  readonly dir: string
  private readonly mounts: string[] = []

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'prlab-hostile-cli-'))
  }

  path(name: string): string {
    return join(this.dir, name)
  }

  /** Writes an experiment file (a valid base with `over` merged in) and returns its path. */
  experiment(name: string, over: Record<string, unknown> = {}, guest: Record<string, unknown> = {}): string {
    const path = this.path(name)
    this.writeWhole(path, JSON.stringify({ format: 'page-reporting-lab/experiment', version: 1, durationMs: 2000, ...over, guest: { memoryMiB: 256, ...guest } }))
    return path
  }

  private temps = 0

  /**
   * Writes a fixture by rename: cases run two at a time and rewrite the same fixtures (ok.prlab.json),
   * and a plain writeFileSync truncates first, so another case's prlab could read an empty file.
   */
  writeWhole(path: string, text: string): void {
    const temp = `${path}.${process.pid}-${this.temps++}.tmp`
    writeFileSync(temp, text)
    renameSync(temp, path)
  }

  fifo(name: string): string {
    const path = this.path(name)
    if (!existsSync(path)) execFileSync('mkfifo', [path])
    return path
  }

  /** A tmpfs of `size` (root only); null where it cannot be mounted. */
  tmpfs(name: string, size: string, readOnly = false): string | null {
    if (process.getuid?.() !== 0) return null
    const at = this.path(name)
    mkdirSync(at, { recursive: true })
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', at], { stdio: 'ignore' })
    } catch {
      return null
    }
    this.mounts.push(at)
    return at
  }

  dispose(): void {
    for (const at of this.mounts.splice(0)) execFileSync('umount', ['-l', at], { stdio: 'ignore' })
    rmSync(this.dir, { recursive: true, force: true })
  }
}

const STACK = /\n\s+at .+:\d+:\d+/

/** Exit `code`, the message matching `said`, no stack trace and no internal error. */
function judge(outcome: Outcome, code: number, said?: RegExp): string | null {
  if (outcome.hung) return `no answer within ${Math.round(outcome.ms)} ms (hang)`
  if (outcome.signal !== null) return `killed by ${outcome.signal}`
  if (STACK.test(outcome.stderr) || /: internal error: /.test(outcome.stderr)) return `crashed: ${outcome.stderr.slice(0, 400)}`
  if (outcome.code !== code) return `exit ${outcome.code}, expected ${code}: ${outcome.stderr.slice(0, 400)}`
  if (said !== undefined && !said.test(outcome.stderr + outcome.stdout)) return `the message does not match ${said}: ${outcome.stderr.slice(0, 400)}`
  return null
}

const refused = (name: string, args: (w: Workspace) => readonly string[] | null, said?: RegExp, code = 2): CliCase => ({
  name,
  run: async (w) => {
    const a = args(w)
    if (a === null) throw new Unavailable(name)
    const outcome = await prlab(a, { cwd: w.dir })
    return { outcome, wrong: judge(outcome, code, said) }
  },
})

/** A case this machine cannot set up (no root for a tmpfs): counted apart, never as survived. */
export class Unavailable extends Error {
  constructor(name: string) {
    super(`${name}: needs root to mount a tmpfs`)
  }
}

const NOT_REGULAR = /not a regular file/
/** One line on stderr, no usage text, no trace. */
const oneLine = (said: RegExp): RegExp => new RegExp(`^(?:(?!\\n.).)*${said.source}[^\\n]*\\n?$`, 's')

const replayOf = (file: string) => ({ workload: { phases: [{ op: 'replay', file }] } })

export const CLI_CASES: readonly CliCase[] = [
  // cross-field rules: a file validate accepts never crashes run
  refused('validate: guest.reservedMiB larger than the guest', (w) => ['validate', w.experiment('reserved.prlab.json', {}, { reservedMiB: 100000 })], /guest\.reservedMiB: 100000 MiB cannot be reserved/),
  refused('run: guest.reservedMiB larger than the guest', (w) => ['run', w.experiment('reserved.prlab.json', {}, { reservedMiB: 100000 }), '--quiet'], /guest\.reservedMiB/),
  refused('run: guest.reservedMiB equal to the RAM above the DMA zone', (w) => ['run', w.experiment('reserved-edge.prlab.json', {}, { memoryMiB: 64, reservedMiB: 48 }), '--quiet'], /guest\.reservedMiB/),
  refused('run: guest.lowMemMiB past 4 GiB (overlapping RAM ranges)', (w) => ['run', w.experiment('lowmem.prlab.json', {}, { memoryMiB: 8192, lowMemMiB: 6000 }), '--quiet'], /guest\.lowMemMiB/),
  refused('run: --set guest.reservedMiB=1e9', (w) => ['run', w.experiment('ok.prlab.json'), '--set', 'guest.reservedMiB=1e9', '--quiet'], /guest\.reservedMiB/),
  refused('run: --set durationMs=1e400 (Infinity)', (w) => ['run', w.experiment('ok.prlab.json'), '--set', 'durationMs=1e400', '--quiet'], /durationMs/),
  refused('run: --set durationMs=NaN', (w) => ['run', w.experiment('ok.prlab.json'), '--set', 'durationMs=NaN', '--quiet'], /durationMs/),
  // inputs that are not regular files: refused at once, never read
  refused('validate: a FIFO as the experiment', (w) => ['validate', w.fifo('exp.fifo')], NOT_REGULAR),
  refused('run: a FIFO as the experiment', (w) => ['run', w.fifo('exp.fifo'), '--quiet'], NOT_REGULAR),
  refused('run: /dev/zero as the experiment', () => ['run', '/dev/zero', '--quiet'], NOT_REGULAR),
  refused('run: /dev/urandom as the experiment', () => ['run', '/dev/urandom', '--quiet'], NOT_REGULAR),
  refused('validate: /proc/self/status as the experiment', () => ['validate', '/proc/self/status'], NOT_REGULAR),
  refused('validate: a directory as the experiment', (w) => ['validate', w.dir], NOT_REGULAR),
  refused('sweep: a FIFO as the experiment', (w) => ['sweep', w.fifo('exp.fifo'), '--grid', 'seed=1,2', '--out', w.path('sweep-out')], NOT_REGULAR),
  refused('sweep: a FIFO as the sweep.json of the --out folder', (w) => {
    mkdirSync(w.path('sweep-fifo'), { recursive: true })
    w.fifo('sweep-fifo/sweep.json')
    return ['sweep', w.experiment('ok.prlab.json'), '--grid', 'seed=1,2', '--out', w.path('sweep-fifo'), '--quiet']
  }, /sweep\.json: not a regular file \(a FIFO\)/),
  refused('sweep --merge: a FIFO as a shard CSV', (w) => {
    mkdirSync(w.path('merge-fifo'), { recursive: true })
    writeFileSync(w.path('merge-fifo/sweep.json'), JSON.stringify({ format: 'page-reporting-lab/sweep', version: 1, experiment: 'x', points: 2, grid: [{ path: 'seed', values: [1, 2] }] }))
    w.fifo('merge-fifo/sweep.shard-0-of-1.csv')
    return ['sweep', '--merge', w.path('merge-fifo')]
  }, /cannot read sweep\.shard-0-of-1\.csv: not a regular file \(a FIFO\)/),
  refused('run: a FIFO as a replay trace', (w) => ['run', w.experiment('replay-fifo.prlab.json', replayOf(w.fifo('trace.fifo'))), '--quiet'], /workload\.phases\[0\]\.file: .*not a regular file/),
  refused('run: /dev/zero as a replay trace', (w) => ['run', w.experiment('replay-zero.prlab.json', replayOf('/dev/zero')), '--quiet'], /workload\.phases\[0\]\.file: .*not a regular file/),
  refused('run: a directory as a replay trace', (w) => ['run', w.experiment('replay-dir.prlab.json', replayOf(w.dir)), '--quiet'], /not a regular file/),
  refused('run: a FIFO as the initial free state', (w) => ['run', w.experiment('initial-fifo.prlab.json', {}, { initialFreeState: { file: w.fifo('buddy.fifo') } }), '--quiet'], /guest\.initialFreeState\.file: .*not a regular file/),
  refused('run: /proc/buddyinfo as the initial free state', (w) => ['run', w.experiment('initial-proc.prlab.json', {}, { initialFreeState: { file: '/proc/buddyinfo' } }), '--quiet'], /guest\.initialFreeState\.file: .*not a regular file \(a \/proc file/),
  refused('import buddyinfo: /proc/buddyinfo', () => ['import', 'buddyinfo', '/proc/buddyinfo'], /not a regular file \(a \/proc file.*cat \/proc\/buddyinfo > /),
  refused('import pagetypeinfo: a FIFO', (w) => ['import', 'pagetypeinfo', w.fifo('pti.fifo')], NOT_REGULAR),
  refused('import ftrace: /dev/zero', () => ['import', 'ftrace', '/dev/zero'], NOT_REGULAR),
  refused('import rss: a directory', (w) => ['import', 'rss', w.dir], NOT_REGULAR),
  refused('import rss: /sys/kernel/mm/transparent_hugepage/enabled', () => (existsSync('/sys/kernel/mm/transparent_hugepage/enabled') ? ['import', 'rss', '/sys/kernel/mm/transparent_hugepage/enabled'] : ['import', 'rss', '/proc/self/stat']), NOT_REGULAR),
  // --out where nothing can be written: one line, exit 2, before the run
  refused('run: --out under /proc', (w) => ['run', w.experiment('ok.prlab.json'), '--out', '/proc/prlab-out', '--quiet'], oneLine(/--out \/proc\/prlab-out: /)),
  refused('run: --out /dev/full', (w) => ['run', w.experiment('ok.prlab.json'), '--out', '/dev/full', '--quiet'], oneLine(/--out \/dev\/full: not a directory/)),
  refused('run: --out inside /dev/null', (w) => ['run', w.experiment('ok.prlab.json'), '--out', '/dev/null/x', '--quiet'], oneLine(/--out \/dev\/null\/x: not a directory/)),
  refused('sweep: --out /dev/full', (w) => ['sweep', w.experiment('ok.prlab.json'), '--grid', 'seed=1,2', '--out', '/dev/full', '--quiet'], oneLine(/--out \/dev\/full: not a directory/)),
  refused(
    'run: --out on a read-only file system (tmpfs, ro)',
    (w) => {
      const ro = w.tmpfs('ro', '1m', true)
      return ro === null ? null : ['run', w.experiment('ok.prlab.json'), '--out', join(ro, 'out'), '--quiet']
    },
    oneLine(/read-only file system/),
  ),
  refused(
    'run: --out on a full file system (tmpfs, filled)',
    (w) => {
      const full = w.tmpfs('full', '256k')
      if (full === null) return null
      fill(full)
      return ['run', w.experiment('ok.prlab.json'), '--out', join(full, 'out'), '--quiet']
    },
    oneLine(/the disk is full/),
  ),
  {
    name: 'run: the temp folder full ("what fits" says to free space, never Infinity)',
    run: async (w) => {
      const full = w.tmpfs('fulltmp', '256k')
      if (full === null) throw new Unavailable('fulltmp')
      fill(full)
      const outcome = await prlab(['run', w.experiment('ok.prlab.json'), '--quiet'], { env: { ...process.env, TMPDIR: full } })
      return { outcome, wrong: judge(outcome, 2, /^(?!.*Infinity).*free space there/s) }
    },
  },
  // numeric options
  refused('import: --interval-ms 1e400', (w) => ['import', 'buddyinfo', buddyinfo(w), '--interval-ms', '1e400'], /--interval-ms 1e400: expected a number/),
  refused('import: --interval-ms NaN', (w) => ['import', 'buddyinfo', buddyinfo(w), '--interval-ms', 'NaN'], /--interval-ms NaN/),
  refused('import: --interval-ms Infinity', (w) => ['import', 'buddyinfo', buddyinfo(w), '--interval-ms', 'Infinity'], /--interval-ms Infinity/),
  refused('import: --interval-ms -5', (w) => ['import', 'buddyinfo', buddyinfo(w), '--interval-ms=-5'], /--interval-ms -5/),
  refused('import: --interval-ms "" (empty)', (w) => ['import', 'buddyinfo', buddyinfo(w), '--interval-ms='], /--interval-ms/),
  refused('sweep: --jobs 1e400', (w) => ['sweep', w.experiment('ok.prlab.json'), '--grid', 'seed=1,2', '--out', w.path('s1'), '--jobs', '1e400'], /--jobs 1e400/),
  refused('sweep: --grid durationMs=1e400', (w) => ['sweep', w.experiment('ok.prlab.json'), '--grid', 'durationMs=1,1e400', '--out', w.path('s2')], /durationMs/),
  refused('sweep: --shard NaN/Infinity', (w) => ['sweep', w.experiment('ok.prlab.json'), '--grid', 'seed=1,2', '--out', w.path('s3'), '--shard', 'NaN/Infinity'], /--shard/),
  // names and labels printed safely
  refused('validate: a file name with an escape sequence', (w) => ['validate', w.experiment('evil\u001b]0;owned\u0007\u001b[2J.prlab.json', {}, { memoryMiB: 1 })], /evil\\x1b\]0;owned\\x07\\x1b\[2J\.prlab\.json/),
  refused('run: a phase label with control characters next to a bad field', (w) => ['run', w.experiment('label.prlab.json', { workload: { phases: [{ op: 'idle', ms: -1, label: '\u001b[31mred\u009b' }] } }), '--quiet'], /workload\.phases\[0\]\.ms/),
  refused('import rss: a header with escape sequences', (w) => ['import', 'rss', write(w, 'evil.csv', 'a\u001b[2J,b\u202e\n1,2\n')], /a\\x1b\[2J,b\\u\{202e\}/),
  refused('unknown command with an escape sequence', () => ['\u001b[2Jrm'], /unknown command "\\x1b\[2Jrm"/),
  refused('run: an unknown option with an escape sequence', (w) => ['run', w.experiment('ok.prlab.json'), '--\u001b[2J'], /\\x1b\[2J/),
  // a 10-million-row RSS CSV in flat memory: a 64 MiB heap suffices
  {
    name: 'import rss: a 10-million-row CSV in a 64 MiB heap',
    run: async (w) => {
      const file = w.path('rss-10m.csv')
      execSync(`awk 'BEGIN{print "time,rss,small,huge,cached,total"; for(i=0;i<10000000;i++) printf "%.3f,%d,%d,%d,%d,%d\\n", i*1.7, 1073741824+(i%1000)*4096, i%7, i%11, i%13, i}' > '${file}'`)
      const outcome = await prlab(['import', 'rss', file], { nodeArgs: ['--max-old-space-size=64'], timeoutMs: 180_000 })
      rmSync(file, { force: true })
      return { outcome, wrong: judge(outcome, 0, /10000000 samples, time \/ rss \(bytes\), 16999998\.30 s, RSS 1024\.\.1028 MiB/) }
    },
  },
  // Ctrl-C and SIGTERM: the run stops, nothing is left behind
  signalCase('SIGINT', 130),
  signalCase('SIGTERM', 143),
  {
    name: 'kill -9 leftovers (a dead pid\'s spill folder and temp file) removed at the next start; a live one kept',
    run: async (w) => {
      const dead = Number(execSync(`${JSON.stringify(process.execPath)} -e "console.log(process.pid)"`).toString().trim())
      const userFile = write(w, 'user.prlab.json', '{}')
      const temp = join(w.dir, `.user.prlab.json.prlab-${dead}-0123456789ab.tmp`)
      writeFileSync(temp, 'half a file')
      // Built aside, then renamed into the temp folder whole: any prlab starting meanwhile (the
      // other case running, other test files) sweeps it too, and one that found the folder before
      // its journal was written would remove it and leave the temp file behind.
      const staged = w.path('stale-runtime')
      mkdirSync(join(staged, 'prlab-recorder-x'), { recursive: true })
      writeFileSync(join(staged, 'temp-files'), `${temp}\n${userFile}\n`)
      const stale = join(tmpdir(), `prlab-${dead}-deadbeef`)
      renameSync(staged, stale)
      const live = join(tmpdir(), `prlab-${process.pid}-feedface`)
      mkdirSync(live, { recursive: true })
      const outcome = await prlab(['validate', w.experiment('ok.prlab.json')])
      const left = [existsSync(stale) && 'the dead pid\'s folder', existsSync(temp) && 'its temp file', !existsSync(userFile) && 'the user\'s file is gone', !existsSync(live) && 'a live pid\'s folder was removed'].filter(Boolean)
      rmSync(live, { recursive: true, force: true })
      rmSync(stale, { recursive: true, force: true })
      return { outcome, wrong: judge(outcome, 0) ?? (left.length > 0 ? `after the start: ${left.join(', ')}` : null) }
    },
  },
  {
    name: 'run: the spill fills the temp file system mid-run: "the disk is full; N rows kept", rows written out, spill removed',
    run: async (w) => {
      const spill = w.tmpfs('spill', '256m')
      if (spill === null) throw new Unavailable('spill')
      const out = w.path('out-spill')
      // about 100 MB of rows: within the limits' estimate when the run starts; the disk fills meanwhile
      const file = w.experiment('long.prlab.json', { durationMs: 1_300_000, recorder: { sampleIntervalMs: 10, events: false } }, { memoryMiB: 128 })
      let filler: NodeJS.Timeout | null = null
      const outcome = await prlab(['run', file, '--out', out, '--quiet'], {
        env: { ...process.env, TMPDIR: spill },
        timeoutMs: 120_000,
        onSpawn: () => {
          // once the recorder starts spilling, something else fills the disk
          filler = setInterval(() => {
            if (readdirSync(spill).some((n) => n.startsWith('prlab-')) && filler !== null) {
              clearInterval(filler)
              filler = null
              fill(spill)
            }
          }, 10)
        },
      })
      if (filler !== null) clearInterval(filler)
      const m = /the disk is full; (\d+) rows kept/.exec(outcome.stderr)
      const rows = m === null ? -1 : readdirSync(out).includes('samples.csv') ? execSync(`wc -l < '${join(out, 'samples.csv')}'`).toString().trim() : 'none'
      const leftovers = readdirSync(spill).filter((n) => n.startsWith('prlab-'))
      const wrong = judge(outcome, 2, /the run failed at [\d.]+ s simulated: the disk is full; \d+ rows kept/) ?? (m !== null && Number(rows) !== Number(m[1]) + 1 ? `samples.csv has ${rows} lines for ${m[1]} rows kept` : null) ?? (leftovers.length > 0 ? `left in the temp folder: ${leftovers.join(', ')}` : null)
      return { outcome, wrong }
    },
  },
]

function signalCase(signal: NodeJS.Signals, code: number): CliCase {
  return {
    name: `run: ${signal} mid-run stops it (exit ${code}), nothing written, spill folder and temp files removed`,
    run: async (w) => {
      const out = w.path(`out-${signal}`)
      const file = w.experiment(`long-${signal}.prlab.json`, { durationMs: 3_600_000, recorder: { sampleIntervalMs: 10 } }, { memoryMiB: 128 })
      let pid = 0
      let sent = false
      const outcome = await prlab(['run', file, '--out', out, '--quiet'], {
        timeoutMs: 90_000,
        onSpawn: (child) => {
          pid = child.pid ?? 0
          // once the recorder spills (its folder exists), the signal comes
          const poll = setInterval(() => {
            const runtime = readdirSync(tmpdir()).find((n) => n.startsWith(`prlab-${pid}-`))
            if (runtime === undefined || !readdirSync(join(tmpdir(), runtime)).some((n) => n.startsWith('prlab-recorder-'))) return
            clearInterval(poll)
            sent = child.kill(signal)
          }, 20)
          child.once('exit', () => clearInterval(poll))
        },
      })
      const runtime = readdirSync(tmpdir()).filter((n) => n.startsWith(`prlab-${pid}-`))
      const written = existsSync(out) ? readdirSync(out) : []
      const wrong = (sent ? null : 'the recorder never spilled, so no signal was sent') ?? judge(outcome, code, /interrupted \(SIG(INT|TERM)\) at [\d.]+ of 3600\.0 s simulated; nothing written/) ?? (runtime.length > 0 ? `left ${runtime.join(', ')}` : null) ?? (written.length > 0 ? `wrote ${written.join(', ')}` : null)
      return { outcome, wrong }
    },
  }
}

function write(w: Workspace, name: string, text: string): string {
  const path = w.path(name)
  w.writeWhole(path, text)
  return path
}

function buddyinfo(w: Workspace): string {
  return write(w, 'buddyinfo.txt', 'Node 0, zone      DMA      1      1      1      1      1      1      1      1      1      1      3\n')
}

/** Fills a file system to the last byte. */
function fill(dir: string): void {
  const fd = openSync(join(dir, `filler-${Date.now()}`), 'w')
  const block = Buffer.alloc(1 << 16)
  try {
    for (;;) writeSync(fd, block)
  } catch {
    // ENOSPC: full
  }
  try {
    for (;;) writeSync(fd, block, 0, 512)
  } catch {
    // and the last partial block
  }
  closeSync(fd)
}

