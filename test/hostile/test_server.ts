// A real browser-mode server in the test process: a LabHost with its engine worker, a static
// folder holding a stand-in index.html, and the server on a free loopback port.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LabHost } from '../../src/host/lab_host'
import { defaultExamplesDir } from '../../src/host/examples'
import { startLabServer, type LabServer, type LabServerOptions } from '../../src/server/lab_server'

export interface TestServer {
  readonly server: LabServer
  readonly host: LabHost
  close(): Promise<void>
}

export async function startTestServer(options: Omit<Partial<LabServerOptions>, 'host' | 'staticDir'> = {}): Promise<TestServer> {
  const staticDir = mkdtempSync(join(tmpdir(), 'prlab-static-'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>lab</title>')
  const host = new LabHost({ mode: 'browser', version: 'test', examplesDir: defaultExamplesDir(), workerEntry: new URL('../../src/host/engine_worker.ts', import.meta.url) })
  const server = await startLabServer({ host, staticDir, ...options })
  return {
    server,
    host,
    close: async () => {
      await server.close()
      host.dispose()
      rmSync(staticDir, { recursive: true, force: true })
    },
  }
}
