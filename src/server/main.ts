// `npm run web`: browser mode. Serves out/web (built by `npm run build:web`) on 127.0.0.1 and
// prints the URL with this launch's secret token.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DEFAULT_MAX_RUNS, LabHost } from '../host/lab_host'
import { defaultExamplesDir } from '../host/examples'
import { BIND_ADDRESS, startLabServer } from './lab_server'
import { isPortInUse } from './listen'
import { installTempFileCleanup } from '../host/temp_files'
import { RunLibrary } from '../host/run_library'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** Taken when free; otherwise the next free port, unless --port pins one. */
const DEFAULT_PORT = 5317

const usage = (message: string): never => {
  console.error(message)
  process.exit(2)
}

const { values } = (() => {
  try {
    return parseArgs({ options: { port: { type: 'string' }, static: { type: 'string' }, 'max-runs': { type: 'string' }, data: { type: 'string' } } })
  } catch (e) {
    return usage(`${e instanceof Error ? e.message : String(e)}\nusage: npm run web -- [--port N] [--max-runs N] [--data DIR] [--static DIR]`)
  }
})()

const integerOption = (name: string, text: string, min: number, max: number): number => {
  const value = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) usage(`--${name}: expected an integer ${min}..${max}, got ${JSON.stringify(text)}`)
  return value
}

const pinnedPort = values.port === undefined ? null : integerOption('port', values.port, 0, 65535)
const maxRuns = values['max-runs'] === undefined ? DEFAULT_MAX_RUNS : integerOption('max-runs', values['max-runs'], 1, 64)
const staticDir = values.static ?? fileURLToPath(new URL('../../out/web', import.meta.url))
if (!existsSync(`${staticDir}/index.html`)) {
  usage(`${staticDir}/index.html is missing: build the renderer first with \`npm run build:web\` (npm run web does both).`)
}
// spill folders and temp files: a dead run's are removed now, this one's at exit
installTempFileCleanup()
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
// the run library lives in the server's data folder: $XDG_DATA_HOME/page-reporting-lab (or ~/.local/share/…), or --data
const dataDir = resolve(values.data ?? join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'page-reporting-lab'))
const host = new LabHost({
  mode: 'browser',
  version: pkg.version,
  examplesDir: defaultExamplesDir(),
  workerEntry: new URL('../host/engine_worker.ts', import.meta.url),
  hostWorkerEntry: new URL('../host/host_run_worker.ts', import.meta.url),
  maxRuns,
  library: new RunLibrary(join(dataDir, 'runs')),
})
const server = await startLabServer({
  host,
  staticDir,
  port: pinnedPort ?? DEFAULT_PORT,
  strictPort: pinnedPort !== null,
  onPortInUse: (port) => console.log(`Port ${port} is in use, trying another one…`),
}).catch((e: unknown) => {
  host.dispose()
  if (isPortInUse(e)) return usage(`Port ${pinnedPort} on ${BIND_ADDRESS} is in use (another program, or another lab). Pick another with --port, or leave --port out to take a free one.`)
  return usage(`cannot listen on ${BIND_ADDRESS}: ${e instanceof Error ? e.message : String(e)}`)
})
console.log(`Page Reporting Lab (browser mode) is listening on ${BIND_ADDRESS}:${server.port} only.`)
console.log(`Open: ${server.url}`)
console.log(`The token in that URL is this launch's secret: without it the lab refuses the connection.`)
console.log(`At most ${maxRuns} runs go at once (--max-runs). Finished runs are kept in ${join(dataDir, 'runs')} (--data).`)

const shutdown = async (): Promise<void> => {
  host.dispose()
  await server.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())
