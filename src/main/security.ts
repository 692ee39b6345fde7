// Electron security checklist (docs/tutorial/security.md): sandbox everywhere, no permissions,
// no navigation, no new windows, and IPC only from our own page.
import { app, session, type WebContents, type WebFrameMain } from 'electron'
import { APP_ORIGIN } from './protocol'

const trustedOrigins = new Set([APP_ORIGIN])

export function enforceSecurity(): void {
  // Item 4: sandbox every renderer, whatever a BrowserWindow says.
  app.enableSandbox()
  app.on('web-contents-created', (_event, contents: WebContents) => {
    // Items 13-14: no navigation away from the app (new windows: see index.ts).
    contents.on('will-navigate', (e, url) => {
      if (!trustedOrigins.has(new URL(url).origin)) e.preventDefault()
    })
    contents.on('will-attach-webview', (e) => e.preventDefault())
  })
}

export function denyPermissions(): void {
  // Item 5: the lab needs no camera, notifications, geolocation, ...
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
}

/** The electron-vite dev server, in development only. */
export function trustOrigin(origin: string): void {
  trustedOrigins.add(origin)
}

/** Item 17: only our own top-level page may call the lab. */
export function isTrustedSender(frame: WebFrameMain | null): boolean {
  if (!frame || frame.parent !== null) return false
  try {
    return trustedOrigins.has(new URL(frame.url).origin)
  } catch {
    return false
  }
}
