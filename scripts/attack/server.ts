// The scripted attack on browser mode (issue 9): starts a live lab server (`npm run web`'s
// src/server/main.ts) as its own process, sends each hostile case of test/hostile/server_cases.ts
// once over real sockets (raw TCP for malformed HTTP and WebSocket framing), and after each checks
// that the process lives, the page loads, a new client's call is answered and a client connected
// all along still works. Then the limits: a run past the cap, runs freed when their page leaves,
// the default port taken. Prints one line per input and the counts:
//   attack server: N inputs, N survived, 0 crashes, 0 hangs
// Exit 0 when every input survived with the expected answer, 1 otherwise.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SERVER_CASES } from '../../test/hostile/server_cases'
import { describeOutcome, exchange, upgradeRequest, type Outcome, type ServerTarget } from '../../test/hostile/raw_client'
import { LabProbe, stillServes } from '../../test/hostile/lab_probe'

const ROOT = join(import.meta.dirname, '..', '..')
/** Longer than the server's headers timeout (10 s), so the slow-loris case gets its 408. */
const ANSWER_TIMEOUT_MS = 15_000

interface Live extends ServerTarget {
  readonly child: ChildProcess
  exited: boolean
  stderr: string
}

const staticDir = mkdtempSync(join(tmpdir(), 'prlab-attack-static-'))
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>lab</title>')

/** Starts `src/server/main.ts` and resolves once it printed its URL (or rejects with what it printed). */
function startServer(args: string[] = ['--port', '0']): Promise<Live & { stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--static', staticDir, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let stdout = ''
    const live = { child, exited: false, stderr: '', port: 0, token: '' }
    child.stderr.on('data', (d: Buffer) => (live.stderr += d.toString()))
    child.on('exit', (code, signal) => {
      live.exited = true
      reject(new Error(`the server exited (${signal ?? code}) before it listened:\n${stdout}${live.stderr}`))
    })
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      const m = /Open: (http:\/\/\S+)/.exec(stdout)
      if (m && live.port === 0) {
        const url = new URL(m[1])
        live.port = Number(url.port)
        live.token = url.searchParams.get('token') ?? ''
        resolve(Object.assign(live, { stdout }))
      }
    })
  })
}

async function stop(live: Live): Promise<void> {
  if (live.exited) return
  const exited = new Promise((r) => live.child.once('exit', r))
  live.child.kill('SIGTERM')
  await exited
}

type Verdict = 'survived' | 'crash' | 'hang'
const counts = { inputs: 0, survived: 0, crashes: 0, hangs: 0, unexpected: 0 }

function record(name: string, verdict: Verdict, answer: string, expected: boolean, note = ''): void {
  counts.inputs++
  if (verdict === 'survived') counts.survived++
  else if (verdict === 'crash') counts.crashes++
  else counts.hangs++
  if (!expected) counts.unexpected++
  const mark = verdict !== 'survived' ? verdict.toUpperCase() : expected ? 'ok' : 'UNEXPECTED'
  console.log(`  ${mark.padEnd(10)} ${name} -> ${answer}${note ? `; ${note}` : ''}`)
}

let live = await startServer()
let bystander = await LabProbe.open(live)
console.log(`attacking the lab server on 127.0.0.1:${live.port} (pid ${live.child.pid})`)

/** After an input: crash if the process died, hang if it no longer answers a legitimate client. */
async function judge(outcome: Outcome): Promise<{ verdict: Verdict; note: string }> {
  await new Promise((r) => setTimeout(r, 50))
  if (live.exited) return { verdict: 'crash', note: live.stderr.trim().split('\n').slice(-3).join(' | ') }
  const problem = await stillServes(live)
  if (problem !== null) return { verdict: 'hang', note: `a new client: ${problem}` }
  try {
    await bystander.call('capabilities', [], ANSWER_TIMEOUT_MS)
  } catch (e) {
    return { verdict: 'hang', note: `the client connected all along: ${e instanceof Error ? e.message : String(e)}` }
  }
  if (outcome.kind === 'hang') return { verdict: 'hang', note: `no answer in ${ANSWER_TIMEOUT_MS} ms` }
  return { verdict: 'survived', note: '' }
}

/** Crashed or hung: start a fresh server so the remaining inputs still test something. */
async function recover(): Promise<void> {
  bystander.close()
  await stop(live)
  live = await startServer()
  bystander = await LabProbe.open(live)
}

console.log('malformed HTTP and WebSocket input:')
for (const c of SERVER_CASES) {
  const bytes = c.bytes(live)
  const outcome =
    c.via === 'http' ? await exchange(live, { request: bytes }, ANSWER_TIMEOUT_MS) : await exchange(live, { request: upgradeRequest(live), frames: bytes }, ANSWER_TIMEOUT_MS)
  const answer = describeOutcome(outcome)
  const expected = new RegExp(`^${c.via === 'http' ? 'HTTP' : 'close'} ${c.expect}\\b`).test(answer)
  const { verdict, note } = await judge(outcome)
  record(c.name, verdict, answer, expected, expected ? note : `expected ${c.via === 'http' ? 'HTTP' : 'close'} ${c.expect}${note ? `; ${note}` : ''}`)
  if (verdict !== 'survived') await recover()
}

console.log('limits:')
{
  const doc = { format: 'page-reporting-lab/experiment', version: 1, durationMs: 3_600_000, guest: { memoryMiB: 128 } }
  type Started = { ok: boolean; value?: { runId: string }; error?: { code: string; message: string } }
  const page = await LabProbe.open(live)
  const runs: Started[] = []
  for (let i = 0; i < 5; i++) runs.push((await page.call('startRun', [doc, 0.001])) as Started)
  const fifth = runs[4]
  const refused = runs.slice(0, 4).every((r) => r.ok) && !fifth.ok && fifth.error?.code === 'limit'
  const capJudged = await judge({ kind: 'status', status: 200 })
  record('a fifth concurrent run (cap 4)', capJudged.verdict, fifth.ok ? 'started' : `refused: ${fifth.error?.message}`, refused, capJudged.note)

  page.close()
  const other = await LabProbe.open(live)
  const freed = async (): Promise<boolean> => {
    for (let i = 0; i < 50; i++) {
      const answers = (await Promise.all(runs.slice(0, 4).map((r) => other.call('control', [r.value?.runId, 'pause'])))) as Started[]
      if (answers.every((a) => !a.ok && a.error?.code === 'not-found')) return true
      await new Promise((r) => setTimeout(r, 100))
    }
    return false
  }
  const wasFreed = await freed()
  const again = (await other.call('startRun', [doc, 0.001])) as Started
  other.close()
  const freeJudged = await judge({ kind: 'status', status: 200 })
  record('the page that started 4 runs closes its WebSocket', freeJudged.verdict, wasFreed ? `its runs are gone; a new run ${again.ok ? 'starts' : 'is refused'}` : 'its runs are still there', wasFreed && again.ok, freeJudged.note)
}
{
  // Another program on the default port: the second lab takes the next free one and says so.
  const holder = createServer()
  await new Promise<void>((resolve) => holder.once('error', () => resolve()).listen(5317, '127.0.0.1', () => resolve()))
  try {
    const second = await startServer([])
    const moved = second.stdout.includes('Port 5317 is in use, trying another one…') && second.port !== 5317
    record('port 5317 taken when `npm run web` starts', 'survived', `listening on ${second.port}`, moved)
    await stop(second)
  } catch (e) {
    counts.inputs++
    counts.crashes++
    console.log(`  CRASH      port 5317 taken -> ${e instanceof Error ? e.message : String(e)}`)
  }
  holder.close()
  // The live server's own port, pinned: exit 2 with one line, not a stack trace.
  const pinned = await startServer(['--port', String(live.port)]).then(
    () => 'listened',
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  )
  // Exit 2 with the one-line message is the answer; any other exit (a stack trace, exit 1) is a crash.
  const clean = /exited \(2\)[\s\S]*is in use \(another program, or another lab\)/.test(pinned) && !/\n\s+at /.test(pinned)
  record(`--port ${live.port} while that port is taken`, clean ? 'survived' : 'crash', clean ? 'exit 2: port in use, pick another' : pinned, clean)
}

bystander.close()
await stop(live)
rmSync(staticDir, { recursive: true, force: true })
console.log(`attack server: ${counts.inputs} inputs, ${counts.survived} survived, ${counts.crashes} crashes, ${counts.hangs} hangs`)
if (counts.unexpected > 0) console.log(`(${counts.unexpected} answered otherwise than expected: see above)`)
process.exit(counts.survived === counts.inputs && counts.unexpected === 0 ? 0 : 1)
