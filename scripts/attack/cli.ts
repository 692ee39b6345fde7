// The scripted attack on the CLI (issue 9): runs each hostile case of test/hostile/cli_cases.ts
// once against the real `prlab` (bin/prlab.mjs, a process per case) and prints one line per
// input and the counts:
//   attack cli: N inputs, N survived, 0 crashes, 0 hangs
// A crash is an exit 1, a signal or a stack trace; a hang is no answer within the case's time
// limit; an input answered otherwise than expected (wrong exit code or message) is neither but
// did not survive. Cases that need root (a tmpfs) are listed as not run where that is missing.
// Exit 0 when every input that ran survived, 1 otherwise.
import { CLI_CASES, Unavailable, Workspace } from '../../test/hostile/cli_cases'

const workspace = new Workspace()
let survived = 0
let crashes = 0
let hangs = 0
let notRun = 0
try {
  for (const c of CLI_CASES) {
    try {
      const { outcome, wrong } = await c.run(workspace)
      const crash = outcome.signal !== null || outcome.code === 1 || /\n\s+at .+:\d+:\d+/.test(outcome.stderr)
      if (outcome.hung) hangs++
      else if (crash) crashes++
      if (wrong === null) survived++
      const verdict = wrong === null ? 'ok  ' : outcome.hung ? 'HANG' : crash ? 'CRASH' : 'WRONG'
      console.log(`${verdict} ${c.name} (exit ${outcome.code ?? outcome.signal}, ${Math.round(outcome.ms)} ms)${wrong === null ? '' : `\n     ${wrong}`}`)
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e
      notRun++
      console.log(`skip ${c.name}: ${e.message}`)
    }
  }
} finally {
  workspace.dispose()
}
const tried = CLI_CASES.length - notRun
console.log(`attack cli: ${tried} inputs, ${survived} survived, ${crashes} crashes, ${hangs} hangs${notRun > 0 ? ` (${notRun} not run: no root for a tmpfs)` : ''}`)
process.exitCode = survived === tried ? 0 : 1
