// What a kill -9 leaves (issue 9): runtime folders of processes that no longer run are removed at
// the next start with the temp files their journal lists; a live process's never; a journal line
// that is not one of our temp-file names never removes anything.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isAlive, removeOwnTempFiles, sweepStaleTempFiles } from './temp_files'

const root = mkdtempSync(join(tmpdir(), 'prlab-temp-files-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const deadPid = Number(execFileSync(process.execPath, ['-e', 'console.log(process.pid)']).toString().trim())

describe('sweepStaleTempFiles', () => {
  it('removes a dead pid\'s folder and the temp files it journaled, and nothing else', () => {
    const userDir = join(root, 'user')
    mkdirSync(userDir)
    const userFile = join(userDir, 'exp.prlab.json')
    const temp = join(userDir, `.exp.prlab.json.prlab-${deadPid}-00aa11bb22cc.tmp`)
    const otherPidTemp = join(userDir, `.exp.prlab.json.prlab-${process.pid}-00aa11bb22cc.tmp`)
    for (const f of [userFile, temp, otherPidTemp]) writeFileSync(f, 'x')
    const dead = join(root, `prlab-${deadPid}-0badc0de`)
    mkdirSync(join(dead, 'prlab-recorder-abc'), { recursive: true })
    writeFileSync(join(dead, 'prlab-recorder-abc', 'rows.f64'), 'rows')
    // a damaged journal: the user's own file and another pid's temp name must survive
    writeFileSync(join(dead, 'temp-files'), `${temp}\n${userFile}\n${otherPidTemp}\n/etc/passwd\n`)
    const live = join(root, `prlab-${process.pid}-0dd`)
    const alsoLive = join(root, `prlab-1-0dd`)
    mkdirSync(live)
    mkdirSync(alsoLive)
    expect(isAlive(deadPid)).toBe(false)
    expect(sweepStaleTempFiles(root)).toEqual({ folders: 1, tempFiles: 1 })
    expect(existsSync(dead)).toBe(false)
    expect(existsSync(temp)).toBe(false)
    expect(existsSync(userFile)).toBe(true)
    expect(existsSync(otherPidTemp)).toBe(true)
    expect(existsSync(live)).toBe(true)
    // pid 1 runs (init): never ours to remove, even as root
    expect(existsSync(alsoLive)).toBe(true)
  })

  it('removeOwnTempFiles removes this process\'s folders only', () => {
    const mine = join(root, `prlab-${process.pid}-abcd`)
    const other = join(root, `prlab-1-abcd`)
    mkdirSync(mine, { recursive: true })
    mkdirSync(other, { recursive: true })
    removeOwnTempFiles(root)
    expect(existsSync(mine)).toBe(false)
    expect(existsSync(other)).toBe(true)
  })
})
