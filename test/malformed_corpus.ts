// The malformed-file corpus of issue 5: each file must be refused (exit code 2 from `prlab validate`
// and `prlab run`) with a message naming the file and the field (or the line). Small files live in
// test/fixtures/malformed; the big and binary ones are generated into a temp dir at test time.
import { writeFileSync, openSync, ftruncateSync, closeSync } from 'node:fs'
import { join } from 'node:path'

export interface MalformedCase {
  readonly file: string
  /** Text the error must contain: the field path, or what is wrong. */
  readonly names: string
  /** 1-based line the error must point at, when the problem has one. */
  readonly line?: number
}

export const FIXTURE_DIR = join(import.meta.dirname, 'fixtures', 'malformed')

export const FIXTURE_CASES: readonly MalformedCase[] = [
  { file: 'wrong-type-string-size.prlab.json', names: 'guest.memoryMiB: expected a number, got the string "2048"', line: 3 },
  { file: 'wrong-type-boolean-cpus.prlab.json', names: 'guest.cpus: expected a number, got true', line: 3 },
  { file: 'wrong-type-phases-object.prlab.json', names: 'workload.phases: expected a list', line: 4 },
  { file: 'missing-guest.prlab.json', names: 'guest: required field is missing' },
  { file: 'missing-version.prlab.json', names: 'version: required field is missing' },
  { file: 'missing-phase-mib.prlab.json', names: 'workload.phases[0].mib: required field is missing', line: 4 },
  { file: 'nan-number.prlab.json', names: 'seed: NaN is not a JSON number', line: 4 },
  { file: 'nan-string.prlab.json', names: 'durationMs: expected a number, got the string "NaN"', line: 4 },
  { file: 'infinity-number.prlab.json', names: 'durationMs: Infinity is not a JSON number', line: 4 },
  { file: 'infinity-string.prlab.json', names: 'reporting.delayMs: expected a number, got the string "Infinity"', line: 4 },
  { file: 'overflow-number.prlab.json', names: 'host.reportLatencyUs: the number -1e999 is out of range', line: 4 },
  { file: 'negative-size.prlab.json', names: 'guest.memoryMiB: expected a number >= 64, got -512', line: 3 },
  { file: 'absurd-size.prlab.json', names: 'guest.memoryMiB: expected a number <= 1048576, got 1000000000000', line: 3 },
  { file: 'absurd-phase-size.prlab.json', names: 'workload.phases[0].mib: expected a number <= 1048576', line: 4 },
  { file: 'proto-key.prlab.json', names: '__proto__: the key "__proto__" is not allowed', line: 4 },
  { file: 'constructor-key.prlab.json', names: 'guest.constructor: the key "constructor" is not allowed', line: 3 },
  { file: 'truncated.prlab.json', names: 'the file ends too early', line: 4 },
  { file: 'bom-utf8-bad-kernel.prlab.json', names: 'guest.kernel: expected one of "5.10", "5.14", "6.1", "6.6", got the string "6.9"', line: 3 },
  { file: 'duplicate-key.prlab.json', names: 'guest.cpus: duplicate key "cpus"', line: 3 },
  { file: 'unknown-field.prlab.json', names: 'guest.memoryMib: unknown field (did you mean "memoryMiB"?)', line: 3 },
  { file: 'newer-version.prlab.json', names: 'version: this file is version 7, newer than this Page Reporting Lab understands (2)', line: 2 },
  { file: 'free-both-mib-and-fraction.prlab.json', names: 'workload.phases[0].mib: give exactly one of mib or fraction', line: 4 },
  { file: 'deep-nesting.prlab.json', names: 'nesting deeper than 32 levels', line: 4 },
  { file: 'trailing-comma.prlab.json', names: 'trailing comma', line: 3 },
]

/** Writes the generated cases into `dir` and returns them. */
export function writeGeneratedCases(dir: string): MalformedCase[] {
  // 50 MB: a sparse file, so the test costs no disk; the loader must refuse it from stat alone.
  const huge = join(dir, 'huge-50mb.prlab.json')
  const fd = openSync(huge, 'w')
  ftruncateSync(fd, 50 * 1000 * 1000)
  closeSync(fd)
  // Binary garbage: a deterministic byte soup with NULs and invalid UTF-8.
  const garbage = Buffer.alloc(4096)
  let x = 0x2545f491
  for (let i = 0; i < garbage.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    garbage[i] = x & 0xff
  }
  writeFileSync(join(dir, 'binary-garbage.prlab.json'), garbage)
  // Invalid UTF-8 without NULs (latin-1 text).
  writeFileSync(join(dir, 'latin1.prlab.json'), Buffer.from('{ "name": "caf\xe9" }', 'latin1'))
  // UTF-16 with its byte order mark (Notepad's "Unicode").
  writeFileSync(join(dir, 'utf16-bom.prlab.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{ "version": 1 }', 'utf16le')]))
  writeFileSync(join(dir, 'empty.prlab.json'), '')
  return [
    { file: huge, names: 'an experiment file is at most 8.0 MiB' },
    { file: join(dir, 'binary-garbage.prlab.json'), names: 'not a binary file' },
    { file: join(dir, 'latin1.prlab.json'), names: 'not valid UTF-8' },
    { file: join(dir, 'utf16-bom.prlab.json'), names: 'UTF-16' },
    { file: join(dir, 'empty.prlab.json'), names: 'the file is empty', line: 1 },
  ]
}
