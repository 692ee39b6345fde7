import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveUploadedHost, uploadPath } from './host_upload_set'

const FIX = join(process.cwd(), 'test/fixtures/host-folder')
const hostText = readFileSync(join(FIX, 'host.prlab.json'), 'utf8')
const guestText = readFileSync(join(FIX, 'guests/batch-1g.prlab.json'), 'utf8')
const hostWith = (files: string[]): string => JSON.stringify({ ...JSON.parse(hostText), guests: files.map((file) => ({ file, count: 1 })) })

describe('a host experiment uploaded with its guest files (browser mode)', () => {
  it('resolves file entries by their path relative to the host file in a folder upload', () => {
    const r = resolveUploadedHost([
      { name: 'host-folder/host.prlab.json', text: hostText },
      { name: 'host-folder/guests/batch-1g.prlab.json', text: guestText },
      { name: 'host-folder/notes.txt', text: 'not an experiment' },
    ])
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.loaded.fileName).toBe('host.prlab.json')
    expect([...r.value.guests.keys()]).toEqual(['guests/batch-1g.prlab.json'])
    expect(r.value.guests.get('guests/batch-1g.prlab.json')?.name).toBe('1 GiB batch job, no reporting')
  })

  it('a flat multi-select matches a name by its base name when one file has it', () => {
    const r = resolveUploadedHost([
      { name: 'batch-1g.prlab.json', text: guestText },
      { name: 'host.prlab.json', text: hostText },
    ])
    expect(r.ok && [...r.value.guests.keys()]).toEqual(['guests/batch-1g.prlab.json'])
  })

  it('lists every missing guest file at once, with where it was looked for', () => {
    const r = resolveUploadedHost([
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

  it('refuses names that leave the host file\'s folder or are absolute, and guest files that do not parse', () => {
    const escape = resolveUploadedHost([
      { name: 'h/host.prlab.json', text: hostWith(['../batch-1g.prlab.json', '/etc/batch.json', 'C:\\x\\g.json']) },
      { name: 'batch-1g.prlab.json', text: guestText },
    ])
    expect(!escape.ok && escape.error.issues?.map((i) => i.message)).toEqual([
      "../batch-1g.prlab.json: leaves the host file's folder",
      '/etc/batch.json: an absolute path names no uploaded file; give it relative to the host file',
      'C:\\x\\g.json: an absolute path names no uploaded file; give it relative to the host file',
    ])
    const broken = resolveUploadedHost([
      { name: 'host.prlab.json', text: hostWith(['g.prlab.json']) },
      { name: 'g.prlab.json', text: '{ "format": "page-reporting-lab/experiment",\n  "version": 2, }' },
    ])
    expect(!broken.ok && broken.error.message).toMatch(/^guests\[0\]\.file: g\.prlab\.json: line 2: /)
  })

  it('needs exactly one host experiment among the files', () => {
    const guest = resolveUploadedHost([{ name: 'g.prlab.json', text: guestText }])
    expect(!guest.ok && guest.error.message).toMatch(/^this is a guest experiment/)
    const none = resolveUploadedHost([{ name: 'g.prlab.json', text: guestText }, { name: 'notes.txt', text: 'x' }])
    expect(!none.ok && none.error.message).toBe('none of the 2 files chosen is a host experiment (a file with machine and guests): g.prlab.json, notes.txt')
    const two = resolveUploadedHost([
      { name: 'a.prlab.json', text: hostText },
      { name: 'b.prlab.json', text: hostText },
    ])
    expect(!two.ok && two.error.message).toBe('choose one host experiment with its guest files; these are all host experiments: a.prlab.json, b.prlab.json')
  })

  it('normalises upload names', () => {
    expect(uploadPath('./a/./b/../c.json')).toBe('a/c.json')
    expect(uploadPath('dir\\g.json')).toBe('dir/g.json')
    expect(uploadPath('/abs/g.json')).toBe('abs/g.json')
  })
})
