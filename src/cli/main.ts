// prlab: headless runs, validation, sweeps. Each command lives in commands/<name>.ts and returns
// its exit code: 0 ok, 2 invalid input, 1 internal error (DESIGN.md).
const COMMANDS = {
  run: () => import('./commands/run'),
  validate: () => import('./commands/validate'),
  schema: () => import('./commands/schema'),
  sweep: () => import('./commands/sweep'),
  import: () => import('./commands/import'),
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
  prlab import <buddyinfo|pagetypeinfo|ftrace|rss> <file> [--json|--csv]

Exit codes: 0 ok, 2 invalid input, 1 internal error.`

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name)

export async function main(argv: string[]): Promise<number> {
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
    console.error(`prlab ${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    return 1
  }
}
