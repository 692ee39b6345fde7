// Every LabApi call is validated here before it reaches the host, whatever the transport.
// Experiment documents stay `unknown` at this edge: experiment_io validates them with the file
// schema so errors name the field.
import { z } from 'zod'
import { MAX_UI_SWEEP_POINTS, RUN_ROWS_PER_CALL, type LabApi } from '../common/api'
import { IMPORT_API_ARGS } from './import/index'
import { HOST_API_ARGS } from './host_api_args'

const runId = z.string().min(1).max(64)
const speed = z.number().positive().max(1e9).nullable()
/** An opaque file id the host handed out (file_grants.ts); never a path. */
const fileId = z.string().min(1).max(64)
const document = z.unknown()
/** `path=values` arguments of a grid (sweep.ts parses them). */
const gridArgs = z.array(z.string().min(1).max(10_000)).min(1).max(8)

/** Argument tuples, one per LabApi method. */
export const LAB_API_ARGS = {
  capabilities: z.tuple([]),
  listExamples: z.tuple([]),
  openExample: z.tuple([z.string().max(200)]),
  parseExperiment: z.tuple([z.string().max(1024), z.string().max(64 * 1024 * 1024)]),
  openExperimentFile: z.union([z.tuple([]), z.tuple([fileId.optional()])]),
  recentFiles: z.tuple([]),
  saveExperiment: z.tuple([document, fileId.nullable(), z.boolean()]),
  validateExperiment: z.tuple([document]),
  startRun: z.union([z.tuple([document, speed]), z.tuple([document, speed, fileId.nullable().optional()])]),
  control: z.tuple([runId, z.enum(['pause', 'resume', 'step', 'stop'])]),
  setSpeed: z.tuple([runId, speed]),
  summary: z.tuple([runId]),
  exportRun: z.tuple([runId, z.enum(['samples-csv', 'events-csv', 'perfetto', 'buddyinfo', 'pagetypeinfo', 'summary']), z.number().min(0).finite().nullable()]),
  cancelTask: z.tuple([z.string().min(1).max(64)]),
  snapshot: z.tuple([runId, z.number().min(0).finite().nullable()]),
  memoryMap: z.tuple([
    z.strictObject({
      runId,
      startPfn: z.number().int().min(0),
      endPfn: z.number().int().min(1),
      cells: z.number().int().min(1).max(16 * 1024 * 1024),
    }),
  ]),
  pageInfo: z.tuple([runId, z.number().int().min(0)]),
  stateAt: z.tuple([
    runId,
    z.number().min(0).finite().nullable(),
    z.strictObject({
      tables: z.boolean().optional(),
      map: z.strictObject({ startPfn: z.number().int().min(0), endPfn: z.number().int().min(1), cells: z.number().int().min(1).max(16 * 1024 * 1024) }).optional(),
      pfn: z.number().int().min(0).optional(),
    }),
  ]),
  listRuns: z.tuple([]),
  openRun: z.tuple([runId]),
  runRows: z.tuple([runId, z.number().int().min(0), z.number().int().min(1).max(RUN_ROWS_PER_CALL)]),
  renameRun: z.tuple([runId, z.string().trim().min(1).max(200)]),
  deleteRun: z.tuple([runId]),
  importRunFolder: z.tuple([z.array(z.strictObject({ name: z.string().min(1).max(1024), text: z.string() })).min(1).max(16).nullable()]),
  startSweep: z.union([z.tuple([document, gridArgs]), z.tuple([document, gridArgs, fileId.nullable().optional()])]),
  sweepStatus: z.tuple([runId]),
  openSweepPoint: z.tuple([runId, z.number().int().min(0).max(MAX_UI_SWEEP_POINTS)]),
  listValidationScenarios: z.tuple([]),
  openValidationScenario: z.tuple([z.string().min(1).max(200)]),
  validationChecks: z.tuple([z.string().min(1).max(200)]),
  ...IMPORT_API_ARGS,
  ...HOST_API_ARGS,
} satisfies Record<keyof LabApi, z.ZodType>

export type LabMethod = keyof LabApi
export const LAB_METHODS = Object.keys(LAB_API_ARGS) as LabMethod[]

export const isLabMethod = (name: string): name is LabMethod => Object.hasOwn(LAB_API_ARGS, name)

export class InvalidCallError extends Error {}

export type ValidatedApi = Record<LabMethod, (...args: unknown[]) => Promise<unknown>>

/**
 * The host's methods behind argument validation, in a null-prototype object so a remote caller
 * can reach nothing but the API (no `constructor`, no `__proto__`).
 */
export function validatedApi(host: LabApi): ValidatedApi {
  const api = Object.create(null) as ValidatedApi
  for (const method of LAB_METHODS) {
    api[method] = async (...args: unknown[]) => {
      const parsed = LAB_API_ARGS[method].safeParse(args)
      if (!parsed.success) {
        const first = parsed.error.issues[0]
        throw new InvalidCallError(`${method}: invalid argument ${first.path.join('.')}: ${first.message}`)
      }
      const fn = host[method] as (...a: unknown[]) => Promise<unknown>
      return fn.apply(host, parsed.data as unknown[])
    }
  }
  return api
}
