// prlab: headless runs, validation, sweeps. Each command lives in commands/<name>.ts and returns
// its exit code: 0 ok, 2 invalid input, 1 internal error (DESIGN.md).
import { guardTerminal } from './terminal'
import { interrupt } from './interrupt'
import { installTempFileCleanup } from '../host/temp_files'

const COMMANDS = {
  run: () => import('./commands/run'),
  validate: () => import('./commands/validate'),
  schema: () => import('./commands/schema'),
  sweep: () => import('./commands/sweep'),
  fit: () => import('./commands/fit'),
  import: () => import('./commands/import'),
  'record-guest': () => import('./commands/record_guest'),
} as const

type CommandName = keyof typeof COMMANDS

const USAGE = `Page Reporting Lab — prlab <command>

  prlab run <experiment> [--out DIR] [--set path=value ...] [--check]
        simulate; writes samples.csv, events.csv, summary.json, buddyinfo.txt into DIR
        (without --out, prints summary.json on stdout)
  prlab validate <experiment> [--json]
  prlab schema                     print the JSON Schema of experiment files
  prlab sweep <experiment> --grid 'path=v1,v2' [--grid ...] --out DIR [--shard i/N] [--jobs N]
  prlab sweep --merge DIR          join the sweep.csv files of all shards
  prlab run <host-experiment> [--out DIR]
        a host and its guests: host_samples.csv, host_events.csv, summary.json, guest-<n>/
  prlab fit <host> --guest <guest> --slo 'swapin_ms_per_s<5' [--stagger-ms N] [--out DIR] [--jobs N]
        the largest number of copies of the guest the host runs while the objective holds
        (--counts a..b --shard i/N --out DIR runs a list of counts; prlab fit --merge DIR joins the shards)
  prlab import <buddyinfo|pagetypeinfo|ftrace|rss> <file> [--json|--csv]
  prlab record-guest <scenario.conf | --script '...'> --kernel <deb|dir|vmlinuz> --out DIR
        boot a real guest under QEMU, run the script, record host RSS, buddyinfo, per-CPU
        lists and every report call, and write the lab experiment that mirrors it

Exit codes: 0 ok, 2 invalid input (or a file that cannot be read or written), 1 internal error.
--debug (or PRLAB_DEBUG=1) shows the stack trace of an internal error.`

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name)

const HOW_TO_REPORT = 'This is a bug in prlab. Please report it with the command line and the files it names; run it again with --debug (or PRLAB_DEBUG=1) to see the stack trace.'

/** The error's first line, or its stack trace with --debug / PRLAB_DEBUG=1. */
export function internalError(command: string, e: unknown, debug: boolean): string {
  const text = e instanceof Error ? (debug ? (e.stack ?? e.message) : e.message) : String(e)
  const shown = debug ? text : (text.split('\n', 1)[0] ?? '')
  return `prlab${command ? ` ${command}` : ''}: internal error: ${shown}${debug ? '' : `\n${HOW_TO_REPORT}`}`
}

/** `--debug` may stand anywhere before a `--`; it is taken out of the command's arguments. */
function takeDebugFlag(argv: readonly string[]): { argv: string[]; debug: boolean } {
  const end = argv.indexOf('--')
  const head = end < 0 ? argv : argv.slice(0, end)
  const rest = end < 0 ? [] : argv.slice(end)
  return { argv: [...head.filter((a) => a !== '--debug'), ...rest], debug: head.includes('--debug') }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const taken = takeDebugFlag(argv)
  const debug = taken.debug || env.PRLAB_DEBUG === '1'
  const unguard = guardTerminal()
  try {
    return await dispatch(taken.argv, debug)
  } finally {
    unguard()
  }
}

async function dispatch(argv: string[], debug: boolean): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE)
    return name === undefined ? 2 : 0
  }
  if (!isCommand(name)) {
    console.error(`prlab: unknown command "${name}"\n\n${USAGE}`)
    return 2
  }
  try {
    const command = await COMMANDS[name]()
    return await command.main(rest)
  } catch (e) {
    console.error(internalError(name, e, debug))
    return 1
  }
}

/**
 * The process entry (bin/prlab.mjs): main() plus the last line of defence, an error thrown outside
 * the command's promise (an event handler), reported as an internal error instead of a raw trace.
 */
export async function cli(argv: string[]): Promise<number> {
  const debug = takeDebugFlag(argv).debug || process.env.PRLAB_DEBUG === '1'
  const crash = (e: unknown): void => {
    process.stderr.write(`${internalError('', e, debug)}\n`)
    process.exit(1)
  }
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)
  // `prlab import rss big.csv --csv | head`: a closed pipe ends the output, it is no error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(0) : crash(e)))
  installTempFileCleanup(interrupt)
  return main(argv)
}
