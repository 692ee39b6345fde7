import { describe, expect, it, beforeAll, afterAll } from 'vitest'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EXPERIMENT_SCHEMA_URL } from '../common/experiment'
import type { ExperimentInput } from '../common/experiment'
import { formatLabError, loadExperimentFile, parseExperimentText, saveExperimentFile, validateDocument, experimentToText } from './experiment_io'
import { FIXTURE_CASES, FIXTURE_DIR, writeGeneratedCases } from '../../test/malformed_corpus'

const EXAMPLE = join(import.meta.dirname, '..', '..', 'resources', 'examples', 'quick-drain-2g.prlab.json')
const V0 = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'experiments', 'v0-prototype.prlab.json')

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prlab-io-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const minimal: ExperimentInput = { format: 'page-reporting-lab/experiment', version: 2, guest: { memoryMiB: 1024 } }

describe('malformed corpus (in process)', () => {
  for (const c of FIXTURE_CASES) {
    it(c.file, async () => {
      const path = join(FIXTURE_DIR, c.file)
      const result = await loadExperimentFile(path)
      expect(result.ok).toBe(false)
      if (result.ok) return
      const text = formatLabError(result.error)
      expect(text).toContain(path)
      expect(text).toContain(c.names)
      if (c.line !== undefined) expect(result.error.issues?.some((i) => i.line === c.line)).toBe(true)
    })
  }
  it('generated cases: 50 MB, binary garbage, latin-1, UTF-16, empty', async () => {
    for (const c of writeGeneratedCases(dir)) {
      const result = await loadExperimentFile(c.file)
      expect(result.ok, c.file).toBe(false)
      if (!result.ok) expect(formatLabError(result.error)).toContain(c.names)
    }
  })
})

describe('parseExperimentText', () => {
  it('fills in the kernel and QEMU defaults and keeps the document as written', () => {
    const r = parseExperimentText('/some/dir/x.prlab.json', JSON.stringify(minimal))
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.fileName).toBe('x.prlab.json')
    expect(r.value.experiment.reporting.delayMs).toBe(2000) // PAGE_REPORTING_DELAY = 2*HZ
    expect(r.value.experiment.reporting.capacity).toBe(32) // PAGE_REPORTING_CAPACITY
    expect(r.value.experiment.device.queueSize).toBe(32) // QEMU reporting vq size
    expect(r.value.document).toEqual(minimal)
    expect(r.value.migratedFrom).toBeUndefined()
  })

  it('accepts a UTF-8 BOM and counts lines and columns after it', () => {
    const text = '\ufeff{\n  "format": "page-reporting-lab/experiment", "version": 1,\n  "guest": { "memoryMiB": 1024 }\n}\n'
    expect(parseExperimentText('bom.json', text).ok).toBe(true)
    const bad = parseExperimentText('bom.json', text.replace('1024', '"x"'))
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.issues?.[0]).toMatchObject({ path: 'guest.memoryMiB', line: 3, column: 27 })
  })

  it('lists every problem in file order with its line', () => {
    const text = ['{', '"format": "page-reporting-lab/experiment", "version": 1,', '"seed": -1,', '"guest": { "memoryMiB": 10 },', '"host": { "backing": "thp" }', '}'].join('\n')
    const r = parseExperimentText('f.json', text)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.issues?.map((i) => [i.path, i.line])).toEqual([
      ['seed', 3],
      ['guest.memoryMiB', 4],
      ['host.backing', 5],
    ])
    expect(r.error.issues?.[2].message).toContain('did you mean "anon-thp"?')
    expect(r.error.message).toContain('seed')
  })

  it('refuses text over the size limit without parsing it', () => {
    const r = parseExperimentText('big.json', ' '.repeat(9 * 1024 * 1024))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatchObject({ code: 'limit', file: 'big.json' })
  })
})

describe('migration', () => {
  it('loads a version 0 file as the current version with the renamed fields', async () => {
    const r = await loadExperimentFile(V0)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.migratedFrom).toBe(0)
    expect(r.value.document.version).toBe(2)
    expect(r.value.experiment.reporting.order).toBe(5)
    expect(r.value.experiment.host.backing).toBe('hugetlb-2m')
    expect(r.value.experiment.recorder.sampleIntervalMs).toBe(50)
    expect(r.value.document.reporting).toEqual({ device: 'virtio-balloon', order: 5, delayMs: 500 })
    // Saving writes the current version, and it loads without migration.
    const out = join(dir, 'migrated.prlab.json')
    expect((await saveExperimentFile(out, r.value.document, { overwrite: false })).ok).toBe(true)
    const again = await loadExperimentFile(out)
    expect(again.ok && again.value.migratedFrom).toBe(undefined)
    expect(again.ok && again.value.experiment).toEqual({ ...r.value.experiment, $schema: EXPERIMENT_SCHEMA_URL })
  })
})

describe('validateDocument', () => {
  it('refuses what structured clone can carry and JSON cannot', () => {
    const withNaN = { ...minimal, seed: Number.NaN }
    const r1 = validateDocument(withNaN, 'ui')
    expect(!r1.ok && r1.error.issues?.[0]).toMatchObject({ path: 'seed', message: 'expected a finite number, got NaN' })
    const proto = JSON.parse('{"format":"page-reporting-lab/experiment","version":1,"guest":{"memoryMiB":1024,"__proto__":{"x":1}}}') as unknown
    const r2 = validateDocument(proto)
    expect(!r2.ok && r2.error.issues?.[0].path).toBe('guest.__proto__')
    const r3 = validateDocument({ ...minimal, name: new Date() })
    expect(!r3.ok && r3.error.issues?.[0].path).toBe('name')
  })
  it('accepts the shipped example', () => {
    const document = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as unknown
    expect(validateDocument(document).ok).toBe(true)
  })
})

describe('saveExperimentFile', () => {
  it('round trip: save then load gives the same experiment and document', async () => {
    const loaded = await loadExperimentFile(EXAMPLE)
    expect(loaded.ok).toBe(true)
    if (!loaded.ok) return
    const out = join(dir, 'roundtrip.prlab.json')
    const saved = await saveExperimentFile(out, loaded.value.document, { overwrite: false })
    expect(saved).toEqual({ ok: true, value: { fileName: 'roundtrip.prlab.json', path: out } })
    const back = await loadExperimentFile(out)
    expect(back.ok && back.value.experiment).toEqual(loaded.value.experiment)
    expect(back.ok && back.value.document).toEqual(loaded.value.document)
  })

  it('writes $schema, format and version first', async () => {
    const out = join(dir, 'order.prlab.json')
    const doc = { guest: { memoryMiB: 2048 }, name: 'n', version: 1, format: 'page-reporting-lab/experiment' } as ExperimentInput
    expect((await saveExperimentFile(out, doc, { overwrite: false })).ok).toBe(true)
    const text = readFileSync(out, 'utf8')
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['$schema', 'format', 'version', 'guest', 'name'])
    expect(text.startsWith(`{\n  "$schema": "${EXPERIMENT_SCHEMA_URL}",`)).toBe(true)
    expect(text.endsWith('}\n')).toBe(true)
  })

  it('never replaces an existing file unless told to', async () => {
    const out = join(dir, 'exists.prlab.json')
    writeFileSync(out, 'precious')
    const r = await saveExperimentFile(out, minimal, { overwrite: false })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatchObject({ code: 'io', file: out })
    expect(readFileSync(out, 'utf8')).toBe('precious')
    expect(readdirSync(dir).filter((f) => f.includes('exists') && f !== 'exists.prlab.json')).toEqual([])
    expect((await saveExperimentFile(out, minimal, { overwrite: true })).ok).toBe(true)
    expect(readFileSync(out, 'utf8')).toBe(experimentToText(minimal))
  })

  it('refuses to save an invalid document and writes nothing', async () => {
    const out = join(dir, 'invalid.prlab.json')
    const r = await saveExperimentFile(out, { ...minimal, guest: { memoryMiB: 1 } }, { overwrite: true })
    expect(!r.ok && r.error.issues?.[0].path).toBe('guest.memoryMiB')
    expect(existsSync(out)).toBe(false)
  })

  it('names the file when the directory does not exist', async () => {
    const out = join(dir, 'no', 'such', 'dir.prlab.json')
    const r = await saveExperimentFile(out, minimal, { overwrite: false })
    expect(!r.ok && r.error.file).toBe(out)
  })

  it('a save killed mid-write leaves the old file or the new one, never a mix', async () => {
    // A child saves two large documents alternately, as fast as it can; we kill it at random
    // points. After each kill the file must parse and be exactly one of the two documents.
    const target = join(dir, 'killed.prlab.json')
    const big = (label: string): ExperimentInput => ({ ...minimal, workload: { phases: Array.from({ length: 4000 }, () => ({ op: 'idle' as const, ms: 1, label })) } })
    const texts = new Set([experimentToText(big('a'.repeat(150))), experimentToText(big('b'.repeat(150)))])
    writeFileSync(target, experimentToText(big('a'.repeat(150))))
    const script = join(dir, 'saver.mts')
    writeFileSync(
      script,
      `import { saveExperimentFile } from ${JSON.stringify(join(import.meta.dirname, 'experiment_io.ts'))}
const big = (label) => ({ format: 'page-reporting-lab/experiment', version: 1, guest: { memoryMiB: 1024 }, workload: { phases: Array.from({ length: 4000 }, () => ({ op: 'idle', ms: 1, label })) } })
const docs = [big('a'.repeat(150)), big('b'.repeat(150))]
process.stdout.write('ready\\n')
for (let i = 0; ; i++) await saveExperimentFile(${JSON.stringify(target)}, docs[i % 2], { overwrite: true })
`,
    )
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const started = await new Promise<boolean>((resolve) => {
        child.stdout.once('data', () => resolve(true))
        child.once('exit', () => resolve(false))
      })
      expect(started, stderr).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 150 + round * 97))
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
      expect(texts.has(readFileSync(target, 'utf8'))).toBe(true)
    }
  })
})
