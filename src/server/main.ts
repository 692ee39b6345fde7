// `npm run web`: browser mode. Serves out/web (built by `npm run build:web`) on 127.0.0.1 and
// prints the URL with this launch's secret token.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { LabHost } from '../host/lab_host'
import { defaultExamplesDir } from '../host/examples'
import { startLabServer } from './lab_server'
import { installTempFileCleanup } from '../host/temp_files'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5317' },
    static: { type: 'string' },
  },
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer 0..65535, got ${JSON.stringify(values.port)}`)
  process.exit(2)
}
const staticDir = values.static ?? fileURLToPath(new URL('../../out/web', import.meta.url))
if (!existsSync(`${staticDir}/index.html`)) {
  console.error(`${staticDir}/index.html is missing: build the renderer first with \`npm run build:web\` (npm run web does both).`)
  process.exit(2)
}
// spill folders and temp files: a dead run's are removed now, this one's at exit
installTempFileCleanup()
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
const host = new LabHost({
  mode: 'browser',
  version: pkg.version,
  examplesDir: defaultExamplesDir(),
  workerEntry: new URL('../host/engine_worker.ts', import.meta.url),
})
const server = await startLabServer({ host, staticDir, port })
console.log(`Page Reporting Lab (browser mode) is listening on 127.0.0.1 only.`)
console.log(`Open: ${server.url}`)
console.log(`The token in that URL is this launch's secret: without it the lab refuses the connection.`)

const shutdown = async (): Promise<void> => {
  host.dispose()
  await server.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())
