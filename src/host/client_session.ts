// One connected UI (a browser tab, a desktop window's page): the validated API it calls, and the
// runs it started. A UI that goes away (tab closed, page reloaded, connection lost) holds its runs
// no longer, so closing the session frees them: their engine workers and recorder spills.
import type { LabEvents } from '../common/api'
import { validatedApi, type ValidatedApi } from './api_schema'
import type { LabHost } from './lab_host'

export class ClientSession {
  readonly api: ValidatedApi
  private readonly runs = new Set<string>()
  private disconnect: (() => void) | null = null
  private closed = false

  constructor(private readonly host: LabHost) {
    const api = validatedApi(host)
    const startRun = api.startRun
    api.startRun = async (...args: unknown[]) => {
      const result = (await startRun(...args)) as Awaited<ReturnType<LabHost['startRun']>>
      if (result.ok) {
        // A UI that left while its run was starting never learns the run's id: free it at once.
        if (this.closed) host.disposeRun(result.value.runId)
        else this.runs.add(result.value.runId)
      }
      return result
    }
    this.api = api
  }

  /** Starts the host's pushes to this UI. */
  connect(client: LabEvents): void {
    this.disconnect = this.host.addClient(client)
  }

  /** The UI is gone: no more pushes, and the runs it started are disposed. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.disconnect?.()
    for (const runId of this.runs) this.host.disposeRun(runId)
    this.runs.clear()
  }
}
