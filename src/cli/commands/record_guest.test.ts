import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ExperimentSchema } from '../../common/experiment'
import { main } from './record_guest'

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'validation')
const dir = mkdtempSync(join(tmpdir(), 'prlab-record-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let stderr: string[] = []
let stdout: string[] = []
beforeEach(() => {
  stderr = []
  stdout = []
  vi.spyOn(console, 'error').mockImplementation((s) => void stderr.push(String(s)))
  vi.spyOn(console, 'log').mockImplementation((s) => void stdout.push(String(s)))
})
afterEach(() => vi.restoreAllMocks())

describe('prlab record-guest: bad input is refused before anything boots (exit 2)', () => {
  const kernelDir = join(dir, 'kernel')
  mkdirSync(kernelDir, { recursive: true })
  it.each([
    [[], /give a scenario file or --script/],
    [['--script', 'idle 1s'], /--kernel and --out are required/],
    [['--script', 'idle 1s; sleep 2s', '--kernel', kernelDir, '--out', join(dir, 'o1')], /command 2 "sleep 2s": unknown command "sleep"/],
    [['--script', 'idle 1s', '--kernel', join(dir, 'nope'), '--out', join(dir, 'o2')], /--kernel .*nope: no such file or folder/],
    [['--script', 'idle 1s', '--kernel', kernelDir, '--out', join(dir, 'o3')], /expected one boot\/vmlinuz-\*/],
    [['--script', 'idle 1s', '--kernel', kernelDir, '--out', join(dir, 'o4'), '--accel', 'hvf'], /--accel: expected auto, kvm, tcg, got "hvf"/],
    [['--script', 'idle 1s', '--kernel', kernelDir, '--out', join(dir, 'o5'), '--cpus', '0'], /--cpus: expected an integer 1\.\.64, got "0"/],
    [['--script', 'idle 1s', '--kernel', kernelDir, '--out', join(dir, 'o6'), '--thp', 'sometimes'], /--thp: expected always, madvise, never/],
  ])('%j', async (argv, message) => {
    expect(await main(argv)).toBe(2)
    expect(stderr.join('\n')).toMatch(message)
  })
  it('never writes into a folder that holds something, unless --force', async () => {
    const out = join(dir, 'full')
    mkdirSync(out)
    writeFileSync(join(out, 'host_rss.csv'), 'precious')
    expect(await main(['--script', 'idle 1s', '--kernel', kernelDir, '--out', out])).toBe(2)
    expect(stderr.join('\n')).toMatch(/is not empty .*--force/)
    expect(readFileSync(join(out, 'host_rss.csv'), 'utf8')).toBe('precious')
  })
  it('reads a scenario file and names its bad line', async () => {
    const conf = join(dir, 'bad.conf')
    writeFileSync(conf, 'DESC="x"\nSCRIPT="idle 1s"\nSCRIPT2="y"\n')
    expect(await main([conf, '--kernel', kernelDir, '--out', join(dir, 'o7')])).toBe(2)
    expect(stderr.join('\n')).toMatch(/bad\.conf: unknown key SCRIPT2/)
  })
})

describe('prlab record-guest --mirror', () => {
  it('writes the experiment of a reference recording; the experiment is valid', async () => {
    const rec = join(dir, 'free_all')
    cpSync(join(FIXTURES, 'free_all'), rec, { recursive: true })
    expect(await main(['--mirror', rec])).toBe(0)
    const experiment = JSON.parse(readFileSync(join(rec, 'experiment.prlab.json'), 'utf8')) as unknown
    expect(ExperimentSchema.safeParse(experiment).success).toBe(true)
    expect(readFileSync(join(rec, 'initial-buddyinfo.txt'), 'utf8')).toMatch(/^Node 0, zone {6}DMA /)
  })
  it('names a folder that is not a recording', async () => {
    expect(await main(['--mirror', dir])).toBe(2)
    expect(stderr.join('\n')).toMatch(/meta\.json: missing/)
  })
})
