// The desktop part of issue 9's scripted attack, against the BUILT shell with a fake electron:
// each hostile input is sent once (prlab:// requests, IPC from the wrong senders, malformed IPC
// messages, paths the page makes up, navigation and new windows), and after each one the shell
// must still be running and answer the page. Prints the counts: inputs tried, survived.
import { test, expect } from '@playwright/test'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExperimentInput } from '../../src/common/experiment'
import { BUILT_MAIN, FakeDesktop } from './fake_desktop'

test.skip(!existsSync(BUILT_MAIN), 'the desktop shell is not built: run `npm run build` first')

const doc = (extra: Partial<ExperimentInput> = {}): ExperimentInput => ({ format: 'page-reporting-lab/experiment', version: 1, name: 'attack', durationMs: 1000, guest: { memoryMiB: 256 }, ...extra })
const replaying = (file: string): ExperimentInput => doc({ workload: { phases: [{ op: 'replay', file }] } })
const within = <T>(ms: number, what: Promise<T>): Promise<T | 'hang'> => Promise.race([what, new Promise<'hang'>((r) => setTimeout(() => r('hang'), ms))])

test('scripted attack on the desktop shell: 0 crashes, 0 hangs, nothing read or written that the user did not choose', async () => {
  test.setTimeout(120_000)
  const work = mkdtempSync(join(tmpdir(), 'prlab-attack-'))
  const victim = join(work, 'victim.prlab.json')
  writeFileSync(victim, JSON.stringify(doc({ name: 'victim' })))
  const victimText = readFileSync(victim, 'utf8')
  const desktop = new FakeDesktop()
  try {
    await desktop.ready()
    const state = await desktop.waitFor((s) => s.windows.length === 1)
    const windowId = state.windows[0].id
    const page = desktop.page(windowId)
    await page.lab.capabilities()

    let tried = 0
    let survived = 0
    let hangs = 0
    const failures: string[] = []
    /** Sends one hostile input; `check` says whether the shell answered it as it must. */
    async function attempt<T>(name: string, send: () => Promise<T>, check: (result: T | 'hang') => boolean): Promise<void> {
      tried += 1
      const result = await within(10_000, send().catch((e: unknown) => e as T))
      if (result === 'hang') hangs += 1
      const alive = (await within(10_000, page.lab.capabilities().then(() => true, () => false))) === true
      if (alive && check(result)) survived += 1
      else failures.push(`${name}: ${alive ? `unexpected ${JSON.stringify(result)?.slice(0, 200)}` : 'the shell stopped answering'}`)
    }

    // prlab:// requests
    const urls = [
      'prlab://app/%',
      'prlab://app/%zz',
      'prlab://app/%E0%A4%A',
      'prlab://app/%c0%ae%c0%ae/',
      'prlab://app/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      'prlab://app/..%2f..%2f..%2f..%2fetc%2fpasswd',
      'prlab://app/%2e%2e/%2e%2e/package.json',
      'prlab://app/assets/..%2f..%2f..%2fpackage.json',
      'prlab://app/a%00.js',
      'prlab://app/%5c..%5c..%5cpackage.json',
      'prlab://app/assets',
      'prlab://other/index.html',
      `prlab://app/${'a'.repeat(100_000)}`,
      `prlab://app/${'%'.repeat(10_000)}`,
    ]
    for (const url of urls) await attempt(`GET ${url.slice(0, 60)}`, () => desktop.fetchApp(url), (r) => r !== 'hang' && [400, 404].includes((r as { status: number }).status))
    // a bad query string is no file name: the page itself
    await attempt('GET prlab://app/index.html?%', () => desktop.fetchApp('prlab://app/index.html?%'), (r) => r !== 'hang' && (r as { status: number }).status === 200)

    // IPC from senders other than the app's own top-level page: unanswered
    const top = { url: 'prlab://app/index.html', parent: null }
    for (const frame of [{ url: 'prlab://app/index.html', parent: top }, { url: 'https://evil.example/', parent: null }, { url: 'devtools://devtools/bundled/devtools_app.html', parent: null }, { url: 'evil://app/', parent: null }, { url: '', parent: null }]) {
      await attempt(`IPC from ${frame.url || '(blank)'}${frame.parent ? ' (subframe)' : ''}`, () => desktop.page(windowId, { frame, timeout_ms: 300 }).lab.capabilities(), (r) => r instanceof Error && /timeout/.test(r.message))
    }

    // malformed messages on the channel
    let deep: unknown = 0
    for (let i = 0; i < 2000; i++) deep = [deep]
    const raw: unknown[] = [
      null,
      undefined,
      42,
      'text',
      [],
      {},
      { t: 'q' },
      { t: 'q', i: 'a1', m: 'capabilities', a: 'not-an-array' },
      { t: 'q', i: 'a2', m: '__proto__', a: [] },
      { t: 'q', i: 'a3', m: 'constructor', a: [] },
      { t: 'q', i: 'a4', m: 'dispose', a: [] },
      { t: 'q', i: 'a5', m: 'grantExperimentFile', a: ['/etc/passwd'] },
      { t: 'q', i: 'a6', m: 'parseExperiment', a: ['x.json', 'x'.repeat(1_000_000)] },
      { t: 'q', i: 'a7', m: 'validateExperiment', a: [deep] },
      { t: 's', i: 'no-such-call', r: 1 },
      { t: 'q', i: 'a8', m: 'control', a: [{ toString: 1 }, 'stop'] },
    ]
    for (const [n, message] of raw.entries()) {
      await attempt(`raw IPC message #${n}`, () => desktop.request({ op: 'page', windowId, channel: 'prlab:rpc', message }), (r) => r !== 'hang')
    }

    // paths the page makes up: refused, the victim untouched, no dialog shown
    const unknownId = randomUUID()
    const refusedCalls: [string, () => Promise<unknown>][] = [
      ['open /etc/passwd', () => page.lab.openExperimentFile('/etc/passwd')],
      ['open a made-up id', () => page.lab.openExperimentFile(unknownId)],
      ['save over the victim by path', () => page.lab.saveExperiment(doc(), victim, false)],
      ['save over a made-up id', () => page.lab.saveExperiment(doc(), unknownId, false)],
      ['run naming /etc/passwd', () => page.lab.startRun(replaying('/etc/passwd'), null)],
      ['run naming ../../../../etc/passwd', () => page.lab.startRun(replaying('../../../../etc/passwd'), null)],
      ['run next to a path', () => page.lab.startRun(replaying('passwd'), null, '/etc/passwd')],
      ['import a path', () => (page.lab.openImportFile as (...a: unknown[]) => Promise<unknown>)('ftrace', '/etc/passwd')],
      ['open a sweep by path', () => (page.lab.openSweep as (...a: unknown[]) => Promise<unknown>)('/etc')],
    ]
    for (const [name, call] of refusedCalls) {
      await attempt(name, call, (r) => r instanceof Error || (typeof r === 'object' && r !== null && (r as { ok?: boolean }).ok === false))
    }

    // navigation and new windows
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<script>1</script>', 'http://127.0.0.1:5317/']) {
      await attempt(`navigate to ${url}`, () => desktop.navigate(windowId, url), (r) => r === false)
      await attempt(`window.open ${url}`, () => desktop.openWindow(windowId, url), (r) => r !== 'hang' && (r as { action: string }).action === 'deny')
    }

    const after = await desktop.state()
    console.log(`desktop attack: ${tried} inputs tried, ${survived} survived; ${desktop.crashes.length} crashes, ${hangs} hangs`)
    expect(failures).toEqual([])
    expect(hangs).toBe(0)
    expect(desktop.crashes).toEqual([])
    expect(survived).toBe(tried)
    expect(readFileSync(victim, 'utf8')).toBe(victimText)
    expect(after.dialogs).toEqual([])
    expect(after.openedExternally).toEqual([])
    expect(after.windows).toHaveLength(1)
  } finally {
    await desktop.close()
    rmSync(work, { recursive: true, force: true })
  }
})
