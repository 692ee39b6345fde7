// What both transports share: a birpc client for the LabApi calls and a registry of handlers
// for the host's pushes.
import { createBirpc, type ChannelOptions } from 'birpc'
import { fail, type LabApi, type LabEvents, type Result, type RunInfo } from '../../../common/api'
import { MessageTooLargeError } from '../../../common/websocket_limits'
import type { LabClient, LabEventName } from './lab_client'

type Handlers = { [E in LabEventName]: Set<LabEvents[E]> }

export interface ClientCore {
  readonly client: LabClient
  /** Delivers a push to the subscribers (used by transports that carry frames outside birpc). */
  emit<E extends LabEventName>(event: E, ...args: Parameters<LabEvents[E]>): void
}

/** An upload the transport cannot carry is the file's failure, shown like any other. */
function uploaded<T>(fileName: string, call: Promise<Result<T>>): Promise<Result<T>> {
  return call.catch((e: unknown) => {
    if (e instanceof MessageTooLargeError) return fail({ code: 'limit', file: fileName, message: `${fileName}: ${e.message}` })
    throw e
  })
}

export function createClientCore(channel: Pick<ChannelOptions, 'post' | 'on' | 'serialize' | 'deserialize'>, closed: Promise<string>): ClientCore {
  const handlers: Handlers = { frame: new Set(), status: new Set(), events: new Set(), menu: new Set(), task: new Set(), library: new Set(), stateProgress: new Set() }
  const emit = <E extends LabEventName>(event: E, ...args: Parameters<LabEvents[E]>): void => {
    for (const h of handlers[event]) (h as (...a: Parameters<LabEvents[E]>) => void)(...args)
  }
  const local: LabEvents = {
    frame: (...a) => emit('frame', ...a),
    status: (...a) => emit('status', ...a),
    events: (...a) => emit('events', ...a),
    menu: (...a) => emit('menu', ...a),
    task: (...a) => emit('task', ...a),
    library: (...a) => emit('library', ...a),
    stateProgress: (...a) => emit('stateProgress', ...a),
  }
  const rpc = createBirpc<LabApi, LabEvents>(local, { ...channel, timeout: 10 * 60_000 })
  const on = <E extends LabEventName>(event: E, handler: LabEvents[E]): (() => void) => {
    handlers[event].add(handler)
    return () => void handlers[event].delete(handler)
  }
  const client: LabClient = {
    capabilities: () => rpc.capabilities(),
    listExamples: () => rpc.listExamples(),
    openExample: (name) => rpc.openExample(name),
    parseExperiment: (fileName, text) => uploaded(fileName, rpc.parseExperiment(fileName, text)),
    openExperimentFile: (fileId) => (fileId === undefined ? rpc.openExperimentFile() : rpc.openExperimentFile(fileId)),
    recentFiles: () => rpc.recentFiles(),
    saveExperiment: (document, fileId, saveAs) => rpc.saveExperiment(document, fileId, saveAs),
    validateExperiment: (document) => rpc.validateExperiment(document),
    startRun: (document, speed, experimentFileId) => (experimentFileId === undefined ? rpc.startRun(document, speed) : rpc.startRun(document, speed, experimentFileId)),
    control: (runId, command) => rpc.control(runId, command),
    setSpeed: (runId, speed) => rpc.setSpeed(runId, speed),
    summary: (runId) => rpc.summary(runId),
    exportRun: (runId, kind, atMs) => rpc.exportRun(runId, kind, atMs),
    cancelTask: (taskId) => rpc.cancelTask(taskId),
    snapshot: (runId, atMs) => rpc.snapshot(runId, atMs),
    memoryMap: (request) => rpc.memoryMap(request),
    pageInfo: (runId, pfn) => rpc.pageInfo(runId, pfn),
    importData: (kind, fileName, text, options) => uploaded(fileName, options === undefined ? rpc.importData(kind, fileName, text) : rpc.importData(kind, fileName, text, options)),
    openImportFile: (kind, options) => (options === undefined ? rpc.openImportFile(kind) : rpc.openImportFile(kind, options)),
    parseSweep: (fileName, text) => uploaded(fileName, rpc.parseSweep(fileName, text)),
    openSweep: () => rpc.openSweep(),
    stateAt: (runId, t_ms, parts) => rpc.stateAt(runId, t_ms, parts),
    listRuns: () => rpc.listRuns(),
    openRun: (id) => rpc.openRun(id),
    runRows: (id, firstRow, rows) => rpc.runRows(id, firstRow, rows),
    renameRun: (id, name) => rpc.renameRun(id, name),
    deleteRun: (id) => rpc.deleteRun(id),
    importRunFolder: (files) => (files === null ? rpc.importRunFolder(null) : uploaded('the run folder', rpc.importRunFolder(files) as Promise<Result<RunInfo>>)),
    startSweep: (document, grid, experimentFileId) => (experimentFileId === undefined ? rpc.startSweep(document, grid) : rpc.startSweep(document, grid, experimentFileId)),
    sweepStatus: (sweepId) => rpc.sweepStatus(sweepId),
    openSweepPoint: (sweepId, k) => rpc.openSweepPoint(sweepId, k),
    listValidationScenarios: () => rpc.listValidationScenarios(),
    openValidationScenario: (name) => rpc.openValidationScenario(name),
    validationChecks: (name) => rpc.validationChecks(name),
    openHostExample: (name) => rpc.openHostExample(name),
    parseHostExperiment: (fileName, text) => uploaded(fileName, rpc.parseHostExperiment(fileName, text)),
    openHostFiles: (files) => uploaded(files[0]?.name ?? 'the host files', rpc.openHostFiles(files)),
    openLabFile: (fileId) => (fileId === undefined ? rpc.openLabFile() : rpc.openLabFile(fileId)),
    allowHostGuestFile: () => rpc.allowHostGuestFile(),
    startHostRun: (document, hostFileId, exampleName) => rpc.startHostRun(document, hostFileId, exampleName),
    hostRun: (id) => rpc.hostRun(id),
    startFit: (request, hostFileId, exampleName) => rpc.startFit(request, hostFileId, exampleName),
    fitStatus: (id) => rpc.fitStatus(id),
    on,
    closed,
  }
  return { client, emit }
}
