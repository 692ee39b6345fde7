// The ValidationApi of the lab host: the scenarios of one validation/ folder (the source tree's,
// or the copy the desktop app ships in its resources), opened for the UI, and their checks
// computed once per session in a worker thread (they are deterministic).
import { fail, ok, type Result } from '../../common/api'
import type { ValidationApi, ValidationReport, ValidationScenario, ValidationScenarioInfo } from '../../common/validation_api'
import { spawnWorker } from '../spawn_worker'
import { isScenarioName, listScenarioInfos, openScenario } from './scenario_open'
import { validationScenarios } from './validate'

type FromValidationWorker = { ok: true; report: ValidationReport } | { ok: false; message: string }

export class LabValidation implements ValidationApi {
  private readonly reports = new Map<string, Promise<Result<ValidationReport>>>()

  constructor(
    readonly dir: string,
    private readonly workerEntry: string | URL,
  ) {}

  async listValidationScenarios(): Promise<ValidationScenarioInfo[]> {
    return listScenarioInfos(this.dir)
  }

  openValidationScenario(name: string): Promise<Result<ValidationScenario>> {
    return openScenario(this.dir, name)
  }

  validationChecks(name: string): Promise<Result<ValidationReport>> {
    if (!isScenarioName(name) || !validationScenarios(this.dir).includes(name)) {
      return Promise.resolve(fail({ code: 'not-found', message: `no validation scenario named ${JSON.stringify(name)}` }))
    }
    let report = this.reports.get(name)
    if (report === undefined) {
      report = this.runWorker(name)
      this.reports.set(name, report)
      // a failure is not kept: the next ask tries again
      void report.then((r) => {
        if (!r.ok) this.reports.delete(name)
      })
    }
    return report
  }

  private runWorker(name: string): Promise<Result<ValidationReport>> {
    return new Promise((resolve) => {
      const worker = spawnWorker(this.workerEntry, { dir: this.dir, name })
      let settled = false
      const settle = (result: Result<ValidationReport>): void => {
        if (settled) return
        settled = true
        void worker.terminate()
        resolve(result)
      }
      worker.once('message', (m: FromValidationWorker) => settle(m.ok ? ok(m.report) : fail({ code: 'invalid', file: `${name}/`, message: m.message })))
      worker.once('error', (e) => settle(fail({ code: 'internal', message: `validation of ${name}: ${e.message}` })))
      worker.once('exit', (code) => settle(fail({ code: 'internal', message: `validation of ${name}: the worker exited (${code}) without an answer` })))
    })
  }
}
