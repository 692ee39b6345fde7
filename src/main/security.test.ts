// src/main/security.ts in plain Node with a fake `electron`: IPC only from the app's own top-level
// page, no navigation, no new windows, links only to a few https documentation sites.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { WebFrameMain } from 'electron'
import { fake } from '../../test/desktop/mock_electron'
import type { FakeBrowserWindow, FakeFrame } from '../../test/desktop/fake_electron'
import { APP_ORIGIN } from './protocol'
import { denyPermissions, enforceSecurity, isAllowedExternal, isAppUrl, isTrustedSender, siteOf, trustOrigin } from './security'

vi.mock('electron', () => import('../../test/desktop/mock_electron').then((m) => m.fake.module))

const frame = (url: string, parent: FakeFrame | null = null): WebFrameMain => ({ url, parent }) as unknown as WebFrameMain

let win: FakeBrowserWindow
beforeAll(async () => {
  enforceSecurity()
  fake.app.emitReady()
  denyPermissions()
  win = new fake.BrowserWindow({ show: false })
  await win.loadURL(`${APP_ORIGIN}/index.html`)
})

describe('the app origin', () => {
  it('is prlab://app although Node calls the origin of a custom scheme "null" (issue 9)', () => {
    expect(new URL('prlab://app/index.html').origin).toBe('null')
    expect(siteOf('prlab://app/index.html')).toBe('prlab://app')
    expect(isAppUrl('prlab://app/index.html')).toBe(true)
    expect(isAppUrl('prlab://app/')).toBe(true)
    expect(isAppUrl('PRLAB://APP/index.html')).toBe(true)
  })

  it('is nothing else, and an unparsable or host-less URL is never the app', () => {
    for (const url of ['prlab://app.evil/index.html', 'prlab://evil/', 'evil://app/index.html', 'http://app/', 'https://example.com/', 'file:///index.html', 'data:text/html,hi', 'about:blank', 'devtools://devtools/bundled/devtools_app.html', '', 'null', '%', 'prlab:app/index.html']) {
      expect([url, isAppUrl(url)]).toEqual([url, false])
    }
  })

  it('trusts the dev server only once told to, by scheme, host and port', () => {
    expect(isAppUrl('http://localhost:5173/')).toBe(false)
    trustOrigin('http://localhost:5173/')
    expect(isAppUrl('http://localhost:5173/src/main.ts')).toBe(true)
    expect(isAppUrl('http://localhost:5174/')).toBe(false)
    expect(isAppUrl('https://localhost:5173/')).toBe(false)
  })
})

describe('IPC senders', () => {
  it('accepts the top-level frame of the app page', () => {
    expect(isTrustedSender(frame('prlab://app/index.html'))).toBe(true)
    expect(isTrustedSender(frame('prlab://app/index.html#/charts'))).toBe(true)
  })

  it('refuses a subframe (even of the app), another origin, DevTools, a blank or missing frame', () => {
    const top = { url: 'prlab://app/index.html', parent: null }
    expect(isTrustedSender(frame('prlab://app/index.html', top))).toBe(false)
    expect(isTrustedSender(frame('https://evil.example/'))).toBe(false)
    expect(isTrustedSender(frame('devtools://devtools/bundled/devtools_app.html'))).toBe(false)
    expect(isTrustedSender(frame(''))).toBe(false)
    expect(isTrustedSender(frame('about:blank'))).toBe(false)
    expect(isTrustedSender(null)).toBe(false)
  })
})

describe('every web contents', () => {
  it('is sandboxed app-wide before ready', () => {
    expect(fake.log).toContain('sandbox enabled')
  })

  it('stays on the app: navigation, frame navigation and redirects elsewhere are refused', () => {
    const contents = win.webContents
    expect(contents.navigate('prlab://app/index.html')).toBe(true)
    for (const url of ['https://example.com/', 'http://127.0.0.1:5317/', 'file:///etc/passwd', 'prlab://other/index.html', 'javascript:alert(1)', 'not a url']) {
      expect([url, contents.navigate(url)]).toEqual([url, false])
    }
    const child = { url: 'prlab://app/index.html', parent: contents.mainFrame }
    expect(contents.navigate('https://example.com/', child)).toBe(false)
    expect(contents.redirect('https://example.com/')).toBe(false)
    expect(contents.redirect('prlab://app/index.html')).toBe(true)
    expect(contents.attachWebview()).toBe(false)
  })

  it('opens no window; https links to the documentation sites go to the system browser, nothing else does', () => {
    const opened = ['https://docs.kernel.org/mm/free_page_reporting.html', 'https://elixir.bootlin.com/linux/v6.6/source/mm/page_reporting.c', 'https://ui.perfetto.dev/']
    const refused = [
      'http://docs.kernel.org/',
      'https://docs.kernel.org.evil.example/',
      'https://evil.example/?docs.kernel.org',
      'https://user:pw@docs.kernel.org/',
      'https://docs.kernel.org:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'prlab://app/index.html',
      'https://evil.example/',
      'not a url',
    ]
    for (const url of [...opened, ...refused]) expect(win.webContents.openWindow(url)).toEqual({ action: 'deny' })
    expect(fake.openedExternally).toEqual(opened)
    for (const url of refused) expect([url, isAllowedExternal(url)]).toEqual([url, false])
  })

  it('grants no permission', () => {
    const granted: boolean[] = []
    ;(fake.permissions.request as (wc: unknown, permission: string, callback: (ok: boolean) => void) => void)(win.webContents, 'media', (ok) => granted.push(ok))
    expect(granted).toEqual([false])
    expect((fake.permissions.check as () => boolean)()).toBe(false)
  })
})
