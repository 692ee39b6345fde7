// Argument tuples of the HostApi calls (src/common/host_api.ts), in the shape of api_schema.ts's
// LAB_API_ARGS: every call is validated at the host edge. Documents stay `unknown` here:
// experiment_io validates them with the file schema so errors name the field.
import { z } from 'zod'
import { MAX_HOST_UPLOAD_FILES, type HostApi } from '../common/host_api'
import { MAX_HOST_GUESTS } from '../common/host_experiment'

const id = z.string().min(1).max(64)
const fileId = z.string().min(1).max(64).nullable()
const exampleName = z.string().max(200).nullable()
const ms = z.number().int().min(0).max(30 * 86_400_000)

export const HOST_API_ARGS = {
  openHostExample: z.tuple([z.string().max(200)]),
  parseHostExperiment: z.tuple([z.string().max(1024), z.string().max(64 * 1024 * 1024)]),
  openHostFiles: z.tuple([z.array(z.strictObject({ name: z.string().min(1).max(1024), text: z.string().max(64 * 1024 * 1024) })).min(1).max(MAX_HOST_UPLOAD_FILES)]),
  openLabFile: z.union([z.tuple([]), z.tuple([z.string().min(1).max(64).optional()])]),
  allowHostGuestFile: z.tuple([]),
  startHostRun: z.tuple([z.unknown(), fileId, exampleName]),
  hostRun: z.tuple([id]),
  startFit: z.tuple([
    z.strictObject({ host: z.unknown(), guest: z.unknown(), slo: z.string().max(2000), startMs: ms, staggerMs: ms, max: z.number().int().min(1).max(MAX_HOST_GUESTS) }),
    fileId,
    exampleName,
  ]),
  fitStatus: z.tuple([id]),
} satisfies Record<keyof HostApi, z.ZodType>
