// The JSON Schema of experiment files, generated from the zod schema: what `prlab schema` prints,
// what schema/experiment-v1.schema.json holds and what editors use through `$schema`.
import { z } from 'zod'
import { EXPERIMENT_SCHEMA_URL, ExperimentSchema } from './experiment'

export function experimentJsonSchema(): Record<string, unknown> {
  // io: 'input' — fields with a default are optional in the file.
  const schema = z.toJSONSchema(ExperimentSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' })
  const { $schema, ...rest } = schema
  return {
    $schema,
    $id: EXPERIMENT_SCHEMA_URL,
    title: 'Page Reporting Lab experiment',
    description: 'An experiment file (.prlab.json) of Page Reporting Lab. Reference: docs/experiment-file.md.',
    ...rest,
  }
}

/** The schema as written to disk and stdout: 2-space JSON with a final newline. */
export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`
}
