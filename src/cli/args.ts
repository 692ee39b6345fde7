// Argument parsing shared by the prlab commands: node:util parseArgs, and on bad usage a message
// naming the command and its usage line (the caller exits 2).
import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>

/** Parses argv; null (after printing why) when the usage is wrong or the positional count is not `positionals`. */
export function parseCommandArgs<O extends Options>(command: string, usage: string, argv: string[], options: O, positionals: number | null): Parsed<O> | null {
  let parsed: Parsed<O>
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true })
  } catch (e) {
    console.error(`prlab ${command}: ${e instanceof Error ? e.message : String(e)}\n${usage}`)
    return null
  }
  if (positionals !== null && parsed.positionals.length !== positionals) {
    console.error(`prlab ${command}: expected ${positionals === 1 ? 'one experiment file' : `${positionals} arguments`}, got ${parsed.positionals.length}\n${usage}`)
    return null
  }
  return parsed
}
