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

  it('the schema is draft 2020-12, has our $id, and is one of two closed shapes: a guest experiment needing only format, version, guest.memoryMiB, a host experiment needing machine.memoryMiB and guests', () => {
    interface Shape {
      title: string
      required: string[]
      additionalProperties: boolean
      properties: Record<string, { required?: string[]; additionalProperties?: boolean; items?: { additionalProperties: boolean } }>
    }
    const schema = JSON.parse(readFileSync(join(root, 'schema/experiment-v2.schema.json'), 'utf8')) as { $schema: string; $id: string; oneOf: Shape[] }
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.$id).toBe(EXPERIMENT_SCHEMA_URL)
    const [guest, host] = schema.oneOf
    expect(guest.title).toBe('Guest experiment')
    expect(guest.required).toEqual(['format', 'version', 'guest'])
    expect(guest.properties.guest.required).toEqual(['memoryMiB'])
    expect(guest.additionalProperties).toBe(false)
    expect(guest.properties.guest.additionalProperties).toBe(false)
    expect(host.title).toBe('Host experiment')
    expect(host.required).toEqual(['format', 'version', 'machine', 'guests'])
    expect(host.properties.machine.required).toEqual(['memoryMiB'])
    expect(host.additionalProperties).toBe(false)
    expect(host.properties.guests.items?.additionalProperties).toBe(false)
  })

  it('the version 1 schema stays as it was for editors of version 1 files', () => {
    const v1 = JSON.parse(readFileSync(join(root, 'schema/experiment-v1.schema.json'), 'utf8')) as { $id: string; properties: { version: { const: number } } }
    expect(v1.$id).toBe('https://page-reporting-lab.dev/schema/experiment-v1.json')
    expect(v1.properties.version.const).toBe(1)
  })
})
