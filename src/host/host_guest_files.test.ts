import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { checkGuestFile, checkGuestFiles, guestFileRule, isInside } from './host_guest_files'
import type { HostExperiment } from '../common/host_experiment'

const root = mkdtempSync(join(tmpdir(), 'prlab-guest-files-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const hostDir = join(root, 'lab', 'hosts')
const outside = join(root, 'secret')
mkdirSync(join(hostDir, 'guests'), { recursive: true })
mkdirSync(outside, { recursive: true })
const hostPath = join(hostDir, 'host.prlab.json')
writeFileSync(hostPath, '{}')
writeFileSync(join(hostDir, 'guests', 'a.prlab.json'), '{}')
writeFileSync(join(hostDir, 'b.json'), '{}')
writeFileSync(join(outside, 'x.prlab.json'), '{}')
writeFileSync(join(hostDir, 'notes.txt'), 'x')
mkdirSync(join(hostDir, 'dir.json'))
symlinkSync(join(outside, 'x.prlab.json'), join(hostDir, 'link-out.prlab.json'))
symlinkSync(join(hostDir, 'b.json'), join(hostDir, 'link-in.prlab.json'))
symlinkSync(outside, join(hostDir, 'outdir'))

const nobody = { hostPath, granted: () => false }

describe('guest files of a host experiment opened from disk', () => {
  it('reads relative .json files in the host file\'s folder or below, by their real path', async () => {
    expect(await checkGuestFile(nobody, 0, 'guests/a.prlab.json')).toEqual({ ok: true, value: join(hostDir, 'guests', 'a.prlab.json') })
    expect(await checkGuestFile(nobody, 1, './b.json')).toEqual({ ok: true, value: join(hostDir, 'b.json') })
    expect(await checkGuestFile(nobody, 1, 'guests/../b.json')).toEqual({ ok: true, value: join(hostDir, 'b.json') })
    // a link that stays inside is its target
    expect(await checkGuestFile(nobody, 2, 'link-in.prlab.json')).toEqual({ ok: true, value: join(hostDir, 'b.json') })
  })

  it('refuses escapes, symbolic links out, absolute paths not chosen, other files; the error names the host file, the guest and the path', async () => {
    const refused = async (name: string, index = 3): Promise<string> => {
      const r = await checkGuestFile(nobody, index, name)
      if (r.ok) throw new Error(`${name} was allowed`)
      expect(r.error.file).toBe(hostPath)
      expect(r.error.issues?.[0].path).toBe(`guests[${index}].file`)
      expect(r.error.message.startsWith(`${hostPath}: guests[${index}].file ${JSON.stringify(name)}: `)).toBe(true)
      return r.error.message
    }
    expect(await refused('../../secret/x.prlab.json')).toMatch(/leaves the host file's folder/)
    expect(await refused('guests/../../x.prlab.json')).toMatch(/leaves the host file's folder/)
    expect(await refused(join(outside, 'x.prlab.json'))).toMatch(/absolute path is read only when you chose/)
    expect(await refused('link-out.prlab.json')).toMatch(/symbolic link out of the host file's folder/)
    expect(await refused('outdir/x.prlab.json')).toMatch(/symbolic link out of the host file's folder/)
    expect(await refused('notes.txt')).toMatch(/\.json/)
    expect(await refused('host')).toMatch(/\.json/)
    expect(await refused('dir.json')).toMatch(/not a regular file/)
    const missing = await checkGuestFile(nobody, 4, 'guests/none.prlab.json')
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.error).toMatchObject({ code: 'not-found', message: `${hostPath}: guests[4].file "guests/none.prlab.json": no such file (looked for ${join(hostDir, 'guests', 'none.prlab.json')})` })
  })

  it('reads an absolute path the user chose in this session, and no link from it elsewhere', async () => {
    const chosen = join(outside, 'x.prlab.json')
    const access = { hostPath, granted: (p: string) => p === chosen }
    expect(await checkGuestFile(access, 0, chosen)).toEqual({ ok: true, value: chosen })
    const viaLink = join(hostDir, 'link-in.prlab.json')
    expect((await checkGuestFile(access, 0, viaLink)).ok).toBe(false)
  })

  it('checks every file entry of a host experiment, inline guests aside', async () => {
    const host = { guests: [{ file: 'guests/a.prlab.json' }, { experiment: {} }, { file: 'b.json' }] } as unknown as HostExperiment
    const r = await checkGuestFiles(nobody, host)
    expect(r.ok && [...r.value]).toEqual([
      ['guests/a.prlab.json', join(hostDir, 'guests', 'a.prlab.json')],
      ['b.json', join(hostDir, 'b.json')],
    ])
    const bad = await checkGuestFiles(nobody, { guests: [{ file: 'b.json' }, { file: '../x.json' }] } as unknown as HostExperiment)
    expect(!bad.ok && bad.error.issues?.[0].path).toBe('guests[1].file')
  })

  it('property: a relative name the rule allows never leaves the folder, whatever its segments', () => {
    const segment = fc.oneof(fc.constantFrom('..', '.', '', 'a', 'b.json', '...', '..json', '.. ', ' ..', '%2e%2e', '\\..', '..\\..'), fc.string({ maxLength: 6 }))
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 8 }), fc.constantFrom('.json', '.prlab.json', '.JSON', ''), (parts, ext) => {
        const name = parts.join('/') + ext
        const rule = guestFileRule(hostDir, name)
        if (!rule.ok) return true
        if (rule.absolute) return name.startsWith('/')
        return isInside(hostDir, rule.path) && rule.path !== hostDir && rule.path.startsWith(hostDir + sep) && rule.path === resolve(hostDir, name)
      }),
      { numRuns: 3000 },
    )
  })

  it('property: a name that resolves outside the folder is never allowed as a relative name', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('..', 'a', '.', 'guests'), { minLength: 1, maxLength: 6 }), (parts) => {
        const name = `${parts.join('/')}/g.json`
        const rule = guestFileRule(hostDir, name)
        const escapes = !resolve(hostDir, name).startsWith(hostDir + sep)
        return escapes ? !rule.ok : rule.ok
      }),
    )
  })
})
