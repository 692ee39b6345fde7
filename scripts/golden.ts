// Golden outputs of the engine (issue 14): a few churn experiments whose samples.csv, events.csv,
// buddyinfo.txt and summary.json must stay byte-identical while the engine is made faster.
//   test/golden/<name>.prlab.json          the experiments (run exactly as `prlab run` runs them)
//   test/golden/expected/<name>/<file>     what the engine wrote when the golden was last accepted
// test/golden_output.test.ts compares every file byte for byte. A change of the engine's output
// that is meant (a new CSV column, a model change) is accepted with `npm run golden:update`,
// which rewrites the expected files and says loudly which ones changed and where.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { formatLabError, loadExperimentFile } from '../src/host/experiment_io'
import { runHeadless } from '../src/host/run_headless'

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'golden')
export const EXPECTED_DIR = join(GOLDEN_DIR, 'expected')
export const UPDATE_COMMAND = 'npm run golden:update'

/** The output files compared, in the order they are reported. */
export const GOLDEN_FILES = ['samples.csv', 'events.csv', 'buddyinfo.txt', 'summary.json'] as const
export type GoldenFile = (typeof GOLDEN_FILES)[number]

/** summary.json fields that measure the run, not the model: left out of the comparison. */
const UNSTABLE_SUMMARY_FIELDS = ['wall_ms', 'events_processed']

/** The golden experiments: every test/golden/*.prlab.json, by name without the extension. */
export async function goldenNames(): Promise<string[]> {
  const files = await readdir(GOLDEN_DIR)
  return files
    .filter((f) => f.endsWith('.prlab.json'))
    .map((f) => f.slice(0, -'.prlab.json'.length))
    .sort()
}

/** Runs one golden experiment as `prlab run` does and returns its output files. */
export async function runGolden(name: string): Promise<Record<GoldenFile, string>> {
  const file = join(GOLDEN_DIR, `${name}.prlab.json`)
  const loaded = await loadExperimentFile(file)
  if (!loaded.ok) throw new Error(formatLabError(loaded.error))
  const outDir = await mkdtemp(join(tmpdir(), `prlab-golden-${name}-`))
  try {
    await runHeadless(loaded.value.experiment, outDir)
    const read = (f: string): Promise<string> => readFile(join(outDir, f), 'utf8')
    const summary = JSON.parse(await read('summary.json')) as Record<string, unknown>
    for (const k of UNSTABLE_SUMMARY_FIELDS) delete summary[k]
    return {
      'samples.csv': await read('samples.csv'),
      'events.csv': await read('events.csv'),
      'buddyinfo.txt': await read('buddyinfo.txt'),
      'summary.json': JSON.stringify(summary, null, 2) + '\n',
    }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

export function expectedPath(name: string, file: GoldenFile): string {
  return join(EXPECTED_DIR, name, file)
}

/** The committed expected file, or null when there is none yet. */
export function readExpected(name: string, file: GoldenFile): string | null {
  const path = expectedPath(name, file)
  return existsSync(path) ? readFileSync(path, 'utf8') : null
}

/** The lines of a text; a final newline ends the last line, it does not start another. */
function lines(text: string): string[] {
  const l = text.split('\n')
  if (l[l.length - 1] === '') l.pop()
  return l
}

/**
 * Where `actual` first differs from `expected`, for a person: the line, and for CSV (`csv`) the
 * column named from the header line, with both values. null when the texts are identical.
 */
export function firstDifference(expected: string, actual: string, csv: boolean): string | null {
  if (expected === actual) return null
  const e = lines(expected)
  const a = lines(actual)
  let i = 0
  while (i < e.length && i < a.length && e[i] === a[i]) i++
  if (i >= e.length && i >= a.length) return 'the last line: one text ends with a newline, the other does not'
  if (i >= e.length || i >= a.length) {
    return `expected ${e.length} lines, got ${a.length}; the first ${i} agree` + (i < a.length ? `; first extra line: ${a[i]}` : `; first missing line: ${e[i]}`)
  }
  if (!csv) return `line ${i + 1}\n  expected: ${e[i]}\n  got:      ${a[i]}`
  const header = e[0].split(',')
  const ef = e[i].split(',')
  const af = a[i].split(',')
  let c = 0
  while (c < ef.length && c < af.length && ef[c] === af[c]) c++
  const column = header.length === ef.length && c < header.length ? ` column ${header[c]}` : ''
  return `line ${i + 1}${column}: expected ${JSON.stringify(ef[c] ?? '')}, got ${JSON.stringify(af[c] ?? '')}\n  expected: ${e[i]}\n  got:      ${a[i]}`
}

/** Rewrites the expected files from the current engine; prints loudly what changed. */
async function update(): Promise<void> {
  const changed: string[] = []
  for (const name of await goldenNames()) {
    const out = await runGolden(name)
    for (const file of GOLDEN_FILES) {
      const before = readExpected(name, file)
      if (before === out[file]) continue
      const path = expectedPath(name, file)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, out[file])
      changed.push(`${name}/${file}: ${before === null ? 'new file' : (firstDifference(before, out[file], file.endsWith('.csv')) ?? '')}`)
    }
  }
  if (changed.length === 0) {
    console.log('golden outputs unchanged: the engine writes exactly what test/golden/expected holds')
    return
  }
  const bar = '!'.repeat(100)
  console.log(`${bar}\n!!! THE ENGINE'S OUTPUT CHANGED: ${changed.length} golden file(s) in test/golden/expected were REWRITTEN.`)
  console.log('!!! Only commit this if the change is intended (a new column, a model change): review `git diff test/golden`')
  console.log(`!!! and say in the commit message why the output changed.\n${bar}`)
  for (const c of changed) console.log(`* ${c}`)
  console.log(bar)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await update()
}
