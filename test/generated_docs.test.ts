// The committed schema and reference pages must be what scripts/gen-docs.ts generates now.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generatedFiles } from '../scripts/gen-docs'
import { undocumentedColumns } from '../src/common/column_info'
import { EXPERIMENT_SCHEMA_URL } from '../src/common/experiment'

const root = join(import.meta.dirname, '..')

describe('generated files', () => {
  for (const [path, text] of Object.entries(generatedFiles())) {
    it(`${path} is up to date (run npm run docs)`, () => {
      expect(readFileSync(join(root, path), 'utf8') === text).toBe(true)
    })
  }

  it('every CSV column and event kind is documented', () => {
    expect(undocumentedColumns()).toEqual([])
  })

  it('the schema is draft 2020-12, has our $id, rejects unknown fields and needs only format, version, guest.memoryMiB', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/experiment-v1.schema.json'), 'utf8')) as {
      $schema: string
      $id: string
      required: string[]
      additionalProperties: boolean
      properties: { guest: { required: string[]; additionalProperties: boolean } }
    }
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.$id).toBe(EXPERIMENT_SCHEMA_URL)
    expect(schema.required).toEqual(['format', 'version', 'guest'])
    expect(schema.properties.guest.required).toEqual(['memoryMiB'])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties.guest.additionalProperties).toBe(false)
  })
})
