import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ImportKind } from '../common/imports'
import { MAX_HOST_UPLOAD_DATA_CHARS, resolveUploadedHost, uploadPath, type UploadedHost } from './host_upload_set'

const FIX = join(process.cwd(), 'test/fixtures/host-folder')
const hostText = readFileSync(join(FIX, 'host.prlab.json'), 'utf8')
const guestText = readFileSync(join(FIX, 'guests/batch-1g.prlab.json'), 'utf8')
const hostWith = (files: string[]): string => JSON.stringify({ ...JSON.parse(hostText), guests: files.map((file) => ({ file, count: 1 })) })

describe('a host experiment uploaded with its guest files (browser mode)', async () => {
  it('resolves file entries by their path relative to the host file in a folder upload', async () => {
    const r = await resolveUploadedHost([
      { name: 'host-folder/host.prlab.json', text: hostText },
      { name: 'host-folder/guests/batch-1g.prlab.json', text: guestText },
      { name: 'host-folder/notes.txt', text: 'not an experiment' },
    ])
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.loaded.fileName).toBe('host.prlab.json')
    expect([...r.value.set.guests.keys()]).toEqual(['guests/batch-1g.prlab.json'])
    expect(r.value.set.guests.get('guests/batch-1g.prlab.json')?.experiment.name).toBe('1 GiB batch job, no reporting')
  })

  it('a flat multi-select matches a name by its base name when one file has it', async () => {
    const r = await resolveUploadedHost([
      { name: 'batch-1g.prlab.json', text: guestText },
      { name: 'host.prlab.json', text: hostText },
    ])
    expect(r.ok && [...r.value.set.guests.keys()]).toEqual(['guests/batch-1g.prlab.json'])
  })

  it('lists every missing guest file at once, with where it was looked for', async () => {
    const r = await resolveUploadedHost([
      { name: 'h/host.prlab.json', text: hostWith(['a.prlab.json', 'guests/b.prlab.json', 'guests/batch-1g.prlab.json']) },
      { name: 'h/guests/batch-1g.prlab.json', text: guestText },
    ])
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('not-found')
    expect(r.error.file).toBe('h/host.prlab.json')
    expect(r.error.message).toBe('2 guest files are missing from the files chosen: guests[0].file a.prlab.json (looked for h/a.prlab.json); guests[1].file guests/b.prlab.json (looked for h/guests/b.prlab.json). Choose the host file together with its guest files (select them all, or its folder).')
    expect(r.error.issues?.map((i) => i.path)).toEqual(['guests[0].file', 'guests[1].file'])
  })

  it('refuses names that leave the host file\'s folder or are absolute, and guest files that do not parse', async () => {
    const escape = await resolveUploadedHost([
      { name: 'h/host.prlab.json', text: hostWith(['../batch-1g.prlab.json', '/etc/batch.json', 'C:\\x\\g.json']) },
      { name: 'batch-1g.prlab.json', text: guestText },
    ])
    expect(!escape.ok && escape.error.issues?.map((i) => i.message)).toEqual([
      "../batch-1g.prlab.json: leaves the host file's folder",
      '/etc/batch.json: an absolute path names no uploaded file; give it relative to the host file',
      'C:\\x\\g.json: an absolute path names no uploaded file; give it relative to the host file',
    ])
    const broken = await resolveUploadedHost([
      { name: 'host.prlab.json', text: hostWith(['g.prlab.json']) },
      { name: 'g.prlab.json', text: '{ "format": "page-reporting-lab/experiment",\n  "version": 2, }' },
    ])
    expect(!broken.ok && broken.error.message).toMatch(/^guests\[0\]\.file: g\.prlab\.json: line 2: /)
  })

  it('needs exactly one host experiment among the files', async () => {
    const guest = await resolveUploadedHost([{ name: 'g.prlab.json', text: guestText }])
    expect(!guest.ok && guest.error.message).toMatch(/^this is a guest experiment/)
    const none = await resolveUploadedHost([{ name: 'g.prlab.json', text: guestText }, { name: 'notes.txt', text: 'x' }])
    expect(!none.ok && none.error.message).toBe('none of the 2 files chosen is a host experiment (a file with machine and guests): g.prlab.json, notes.txt')
    const two = await resolveUploadedHost([
      { name: 'a.prlab.json', text: hostText },
      { name: 'b.prlab.json', text: hostText },
    ])
    expect(!two.ok && two.error.message).toBe('choose one host experiment with its guest files; these are all host experiments: a.prlab.json, b.prlab.json')
  })

  it('normalises upload names', async () => {
    expect(uploadPath('./a/./b/../c.json')).toBe('a/c.json')
    expect(uploadPath('dir\\g.json')).toBe('dir/g.json')
    expect(uploadPath('/abs/g.json')).toBe('abs/g.json')
  })
})

const DATA = join(process.cwd(), 'test/fixtures/host-data')
const read = (name: string): string => readFileSync(join(DATA, name), 'utf8')
const dataHost = read('host.prlab.json')
const replayGuest = read('guests/replay-1g.prlab.json')
const trace = read('traces/cc1-exit-1g.trace.txt')
const buddyinfo = read('buddyinfo-1g-guest.txt')
/** The fixture folder as a folder upload under `dir/`. */
const folder = (dir: string): { name: string; text: string }[] => [
  { name: `${dir}/host.prlab.json`, text: dataHost },
  { name: `${dir}/guests/replay-1g.prlab.json`, text: replayGuest },
  { name: `${dir}/traces/cc1-exit-1g.trace.txt`, text: trace },
  { name: `${dir}/buddyinfo-1g-guest.txt`, text: buddyinfo },
]
/** The fixture host with the replay guest's trace named `traceName` and the inline guest's snapshot `buddyName`. */
const guestNaming = (traceName: string): string => JSON.stringify({ ...JSON.parse(replayGuest), workload: { phases: [{ op: 'replay', file: traceName }, { op: 'idle', ms: 1000 }] } })
const hostNaming = (buddyName: string): string => {
  const h = JSON.parse(dataHost) as { guests: { experiment?: { guest: { initialFreeState: { file: string } } } }[] }
  ;(h.guests[1].experiment as { guest: { initialFreeState: { file: string } } }).guest.initialFreeState.file = buddyName
  return JSON.stringify(h)
}

function found(r: Awaited<ReturnType<typeof resolveUploadedHost>>): UploadedHost {
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

describe("the data files a host upload's guests name (browser mode)", () => {
  it('imports each by its path relative to the guest file (an inline guest: the host file), and hands it to the run', async () => {
    const { set } = found(await resolveUploadedHost(folder('lab')))
    const guest = set.guests.get('guests/replay-1g.prlab.json')
    expect(guest?.dir).toBe('lab/guests')
    // `../traces/…` from lab/guests stays in the host file's folder
    const replay = set.inputsFrom('lab/guests').find('../traces/cc1-exit-1g.trace.txt', 'ftrace')
    expect(replay.kind === 'found' && replay.data.kind === 'ftrace' && replay.data.count).toBe(730)
    const snapshot = set.inputsFrom(set.hostDir).find('buddyinfo-1g-guest.txt', 'buddyinfo')
    expect(snapshot.kind === 'found' && snapshot.data.kind === 'buddyinfo' && snapshot.data.zones).toEqual(['DMA', 'DMA32'])
    expect(set.bytes).toBeGreaterThan(730 * 8)
    // a name no guest gave when the set was opened: not among the files, or not imported as that kind
    expect(set.inputsFrom('lab').find('other.txt', 'ftrace')).toEqual({ kind: 'absent', why: 'is not among the files chosen with the host file (looked for lab/other.txt)' })
    expect(set.inputsFrom('lab').find('buddyinfo-1g-guest.txt', 'ftrace').kind).toBe('failed')
    expect(set.inputsFrom('lab').find('/etc/passwd', 'ftrace').kind).toBe('absent')
  })

  it('a flat multi-select matches data files by base name, each guest file standing where the host file\'s name for it says', async () => {
    const { set } = found(await resolveUploadedHost(folder('lab').map((f) => ({ ...f, name: f.name.split('/').pop() as string }))))
    // the host file names guests/replay-1g.prlab.json: its `../traces/…` is traces/… of the host file's folder
    expect(set.guests.get('guests/replay-1g.prlab.json')?.dir).toBe('guests')
    const replay = set.inputsFrom('guests').find('../traces/cc1-exit-1g.trace.txt', 'ftrace')
    expect(replay.kind === 'found' && replay.data.fileName).toBe('cc1-exit-1g.trace.txt')
    // from the host file's place, `../` leaves its folder: refused, not matched by base name
    expect(set.inputsFrom('.').find('../traces/cc1-exit-1g.trace.txt', 'ftrace')).toEqual({ kind: 'absent', why: "names no file chosen with the host file (leaves the host file's folder)" })
  })

  it('refuses absolute names and names leaving the host file\'s folder, unless this session has the file', async () => {
    const files = (traceName: string, buddyName: string): { name: string; text: string }[] => [
      { name: 'lab/host.prlab.json', text: hostNaming(buddyName) },
      { name: 'lab/guests/replay-1g.prlab.json', text: guestNaming(traceName) },
      { name: 'lab/traces/cc1-exit-1g.trace.txt', text: trace },
      { name: 'lab/buddyinfo-1g-guest.txt', text: buddyinfo },
      // beside the host file's folder: never matched by a name leaving it
      { name: 'buddyinfo-1g-guest.txt', text: buddyinfo },
    ]
    const r = await resolveUploadedHost(files('/home/me/traces/cc1-exit-1g.trace.txt', '../buddyinfo-1g-guest.txt'))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('invalid')
    expect(r.error.file).toBe('lab/host.prlab.json')
    expect(r.error.issues).toEqual([
      { path: 'guests[0] -> workload.phases[0].file', message: '/home/me/traces/cc1-exit-1g.trace.txt: an absolute path names no uploaded file; give it relative to the guest file' },
      { path: 'guests[1] -> guest.initialFreeState.file', message: "../buddyinfo-1g-guest.txt: leaves the host file's folder" },
    ])
    expect(r.error.message).toBe("guests[0] -> workload.phases[0].file: /home/me/traces/cc1-exit-1g.trace.txt: an absolute path names no uploaded file; give it relative to the guest file; guests[1] -> guest.initialFreeState.file: ../buddyinfo-1g-guest.txt: leaves the host file's folder")
    for (const hostile of ['C:\\traces\\t.txt', '../../../etc/passwd', 'sub/../../../x.txt']) {
      const h = await resolveUploadedHost(files(hostile, 'buddyinfo-1g-guest.txt'))
      expect(!h.ok && h.error.issues?.[0].path, hostile).toBe('guests[0] -> workload.phases[0].file')
    }
    // the same names resolve when this session imported a file of that base name and kind
    const asked: string[] = []
    const session = async (name: string, kind: ImportKind): Promise<boolean> => {
      asked.push(`${kind} ${name}`)
      return true
    }
    expect((await resolveUploadedHost(files('/home/me/traces/cc1-exit-1g.trace.txt', '../buddyinfo-1g-guest.txt'), session)).ok).toBe(true)
    expect(asked).toEqual(['ftrace /home/me/traces/cc1-exit-1g.trace.txt', 'buddyinfo ../buddyinfo-1g-guest.txt'])
  })

  it('a data file its importer refuses names the guest, the field, the file and the line', async () => {
    // 150 of the trace's 1,005 lines garbled from line 21: more than the 10% an import tolerates
    const garbled = trace.split('\n').map((line, i) => (i >= 20 && i < 170 ? 'cc1-4242 [001] .... not an event line' : line))
    const bad = await resolveUploadedHost([...folder('lab').filter((f) => !f.name.endsWith('.trace.txt')), { name: 'lab/traces/cc1-exit-1g.trace.txt', text: garbled.join('\n') }])
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(bad.error.code).toBe('invalid')
    expect(bad.error.issues?.map((i) => i.path)).toEqual(['guests[0] -> workload.phases[0].file'])
    expect(bad.error.message).toMatch(/^guests\[0\] -> workload\.phases\[0\]\.file: \.\.\/traces\/cc1-exit-1g\.trace\.txt: .*line 21/)
    const badBuddy = await resolveUploadedHost([...folder('lab').filter((f) => !f.name.endsWith('buddyinfo-1g-guest.txt')), { name: 'lab/buddyinfo-1g-guest.txt', text: 'Node 0, zone DMA 0 0 0 0 0 1 1 1 0 1 3\nNode 0, zone DMA32 1 2 3 x\n' }])
    expect(!badBuddy.ok && badBuddy.error.message).toMatch(/^guests\[1\] -> guest\.initialFreeState\.file: buddyinfo-1g-guest\.txt: .*line 2: /)
  })

  it('lists every missing file at once, guest files and data files, with where each was looked for', async () => {
    const r = await resolveUploadedHost([
      { name: 'lab/host.prlab.json', text: JSON.stringify({ ...JSON.parse(dataHost), guests: [...(JSON.parse(dataHost) as { guests: unknown[] }).guests, { file: 'guests/gone.prlab.json' }] }) },
      { name: 'lab/guests/replay-1g.prlab.json', text: replayGuest },
    ])
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('not-found')
    expect(r.error.message).toBe(
      '3 files are missing from the files chosen: guests[2].file guests/gone.prlab.json (looked for lab/guests/gone.prlab.json); guests[0] -> workload.phases[0].file ../traces/cc1-exit-1g.trace.txt (looked for lab/traces/cc1-exit-1g.trace.txt); guests[1] -> guest.initialFreeState.file buddyinfo-1g-guest.txt (looked for lab/buddyinfo-1g-guest.txt). Choose the host file together with its guest files and the data files they name (select them all, or its folder), or import the data files in the Data view first.',
    )
    const onlyData = await resolveUploadedHost(folder('lab').filter((f) => !f.name.endsWith('.trace.txt')))
    expect(!onlyData.ok && onlyData.error.message).toMatch(/^1 data file is missing from the files chosen: guests\[0\] -> workload\.phases\[0\]\.file \.\.\/traces\/cc1-exit-1g\.trace\.txt \(looked for lab\/traces\/cc1-exit-1g\.trace\.txt\)\./)
  })

  it('never parses a file no guest names, and keeps the data files within one message', async () => {
    const r = await resolveUploadedHost([...folder('lab'), { name: 'lab/notes.txt', text: 'not a trace\n' }, { name: 'lab/samples.csv', text: 'x,y\n1,2\n' }])
    expect(r.ok).toBe(true)
    const huge = await resolveUploadedHost([...folder('lab'), { name: 'lab/big.txt', text: 'x'.repeat(MAX_HOST_UPLOAD_DATA_CHARS) }])
    expect(!huge.ok && huge.error.code).toBe('limit')
    expect(!huge.ok && huge.error.message).toMatch(/^the data files chosen hold 64 MiB of text; browser mode takes at most 64 MiB with a host file/)
  })
})
