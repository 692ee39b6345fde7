// Electron security checklist (docs/tutorial/security.md): sandbox everywhere, no permissions,
// no navigation, no new windows, links only to a few documentation sites, and IPC only from our
// own page.
//
// Origins are compared as scheme + host, never with URL.origin: for a custom scheme such as
// prlab://app, Node (and so Electron's main process) gives `new URL(url).origin === 'null'`, which
// would make the app's own page untrusted (and every `null` origin equal).
import { app, session, shell, type WebContents, type WebFrameMain } from 'electron'
import { APP_ORIGIN } from './protocol'

/**
 * Where a URL points: `scheme://host[:port]`, or null when it does not parse or has no host. The
 * host is lower-cased as Chromium does for a standard scheme (Node keeps a custom scheme's case).
 */
export function siteOf(url: string): string | null {
  if (!URL.canParse(url)) return null
  const parsed = new URL(url)
  return parsed.host === '' ? null : `${parsed.protocol}//${parsed.host.toLowerCase()}`
}

const trustedSites = new Set<string>([APP_ORIGIN])

/** Documentation sites the lab's links may open in the system browser (https only). */
export const EXTERNAL_HOSTS: readonly string[] = ['docs.kernel.org', 'www.kernel.org', 'git.kernel.org', 'elixir.bootlin.com', 'lore.kernel.org', 'ui.perfetto.dev', 'www.qemu.org']

/** Item 15: only https links to EXTERNAL_HOSTS, without credentials or an odd port. */
export function isAllowedExternal(url: string): boolean {
  if (!URL.canParse(url)) return false
  const parsed = new URL(url)
  return parsed.protocol === 'https:' && parsed.port === '' && parsed.username === '' && parsed.password === '' && EXTERNAL_HOSTS.includes(parsed.hostname)
}

/** True when `url` is a page of the app itself (the prlab:// scheme, or the dev server in development). */
export function isAppUrl(url: string): boolean {
  const site = siteOf(url)
  return site !== null && trustedSites.has(site)
}

export function enforceSecurity(): void {
  // Item 4: sandbox every renderer, whatever a BrowserWindow says.
  app.enableSandbox()
  app.on('web-contents-created', (_event, contents: WebContents) => {
    // Items 13-14: no navigation away from the app, in the page or in any frame, nor by redirect.
    contents.on('will-frame-navigate', (event) => {
      if (!isAppUrl(event.url)) event.preventDefault()
    })
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault()
    })
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
    // No new windows; a documentation link opens in the system browser.
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternal(url)) void shell.openExternal(url)
      return { action: 'deny' }
    })
  })
}

export function denyPermissions(): void {
  // Item 5: the lab needs no camera, notifications, geolocation, ...
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
}

/** The electron-vite dev server, in development only. */
export function trustOrigin(url: string): void {
  const site = siteOf(url)
  if (site !== null) trustedSites.add(site)
}

/** Item 17: only our own top-level page may call the lab (not a subframe, not DevTools, not another site). */
export function isTrustedSender(frame: WebFrameMain | null): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url)
}
