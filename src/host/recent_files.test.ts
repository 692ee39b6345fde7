import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_RECENT_FILES, RECENT_FILES_NAME, RecentFiles } from './recent_files'

const dirs: string[] = []
const newDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'prlab-recent-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('RecentFiles', () => {
  it('keeps the most recent first, without duplicates, at most 10, across instances', async () => {
    const dir = newDir()
    const recent = new RecentFiles(dir)
    expect(await recent.list()).toEqual([])
    for (let i = 0; i < 12; i++) await recent.add(`/x/${i}.prlab.json`)
    await recent.add('/x/5.prlab.json')
    const list = await new RecentFiles(dir).list()
    expect(list.length).toBe(MAX_RECENT_FILES)
    expect(list.slice(0, 3)).toEqual(['/x/5.prlab.json', '/x/11.prlab.json', '/x/10.prlab.json'])
    expect(list).not.toContain('/x/1.prlab.json')
    expect(await recent.remove('/x/11.prlab.json')).not.toContain('/x/11.prlab.json')
    expect(readdirSync(dir)).toEqual([RECENT_FILES_NAME])
  })

  it('serialises concurrent adds', async () => {
    const recent = new RecentFiles(newDir())
    await Promise.all(Array.from({ length: 5 }, (_, i) => recent.add(`/y/${i}`)))
    expect(await recent.list()).toEqual(['/y/4', '/y/3', '/y/2', '/y/1', '/y/0'])
  })

  it('reads a damaged list as empty and repairs it on the next add', async () => {
    const dir = newDir()
    writeFileSync(join(dir, RECENT_FILES_NAME), '{"files": [1, ')
    const recent = new RecentFiles(dir)
    expect(await recent.list()).toEqual([])
    expect(await recent.add('/z/a')).toEqual(['/z/a'])
  })

  it('creates its directory when needed and stores absolute paths', async () => {
    const dir = join(newDir(), 'nested', 'state')
    const recent = new RecentFiles(dir)
    const [first] = await recent.add('relative.prlab.json')
    expect(first).toBe(join(process.cwd(), 'relative.prlab.json'))
  })
})
