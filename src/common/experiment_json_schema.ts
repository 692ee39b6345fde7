// The JSON Schema of experiment files, generated from the zod schemas: what `prlab schema` prints,
// what schema/experiment-v2.schema.json holds and what editors use through `$schema`. A file is
// one of two closed shapes: a guest experiment (`guest`) or a host experiment (`machine` and
// `guests`); no document matches both, so the schema says `oneOf`.
import { z } from 'zod'
import { EXPERIMENT_SCHEMA_URL, ExperimentSchema } from './experiment'
import { HostExperimentSchema } from './host_experiment'

type Json = Record<string, unknown>

// io: 'input' — fields with a default are optional in the file.
const toJson = (schema: z.ZodType): Json => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json

/** The schema of one kind of experiment file, without the meta-schema line. */
export function guestExperimentJsonSchema(): Json {
  const { $schema: _, ...rest } = toJson(ExperimentSchema)
  return { title: 'Guest experiment', description: 'One guest, its reporting, device, host backing, workload and recorder.', ...rest }
}

export function hostExperimentJsonSchema(): Json {
  const { $schema: _, ...rest } = toJson(HostExperimentSchema)
  return { title: 'Host experiment', description: 'A host machine (RAM, swap, THP) and the guests it runs, each a guest experiment inline or by file.', ...rest }
}

export function experimentJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: EXPERIMENT_SCHEMA_URL,
    title: 'Page Reporting Lab experiment',
    description: 'An experiment file (.prlab.json) of Page Reporting Lab: a guest experiment or a host experiment. Reference: docs/experiment-file.md.',
    oneOf: [guestExperimentJsonSchema(), hostExperimentJsonSchema()],
  }
}

/** The schema as written to disk and stdout: 2-space JSON with a final newline. */
export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`
}
