// docs/browser-mode.md states the limits and answers the code has: keep them from drifting.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_CLIENT_MESSAGE_BYTES, MAX_CLIENT_MESSAGE_DEPTH } from '../common/websocket_limits'
import { DEFAULT_MAX_RUNS } from '../host/lab_host'
import { MAX_HOST_UPLOAD_FILES } from '../common/host_api'
import { MAX_HOST_UPLOAD_BYTES, MAX_HOST_UPLOAD_DATA_CHARS } from '../host/host_upload_set'
import { MAX_SESSION_IMPORT_BYTES } from '../host/session_imports'
import { HEADERS_TIMEOUT_MS } from './lab_server'
import { SERVER_CASES } from '../../test/hostile/server_cases'

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'browser-mode.md'), 'utf8')
const limitRow = (name: string): string => doc.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? ''

describe('docs/browser-mode.md', () => {
  it('gives the limits the code enforces', () => {
    expect(limitRow('one message from the page')).toContain(`| ${MAX_CLIENT_MESSAGE_BYTES / 1024 / 1024} MiB |`)
    expect(limitRow('JSON nesting of a message')).toContain(`| ${MAX_CLIENT_MESSAGE_DEPTH} levels |`)
    expect(limitRow('runs going at once (starting, running or paused)')).toContain(`| ${DEFAULT_MAX_RUNS}, \`--max-runs\` |`)
    expect(limitRow('time to send the request headers')).toContain(`| ${HEADERS_TIMEOUT_MS / 1000} s |`)
    // a host upload's data files get what one message leaves
    expect(MAX_HOST_UPLOAD_DATA_CHARS).toBe(MAX_CLIENT_MESSAGE_BYTES)
    expect(limitRow('a host file with its guest and data files')).toContain(`| ${MAX_HOST_UPLOAD_FILES} files in one message; the experiment files (.json) ${MAX_HOST_UPLOAD_BYTES / 1024 / 1024} MiB together |`)
    expect(limitRow('data files kept from host uploads')).toContain(`${MAX_SESSION_IMPORT_BYTES / 1024 / 1024} MiB of imports |`)
  })

  it('lists every answer the hostile cases expect', () => {
    const answers = new Set(SERVER_CASES.map((c) => (c.via === 'http' ? `| ${c.expect} |` : `close ${c.expect}`)))
    for (const answer of answers) expect(doc, answer).toContain(answer)
  })
})
