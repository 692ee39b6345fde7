// The desktop app, driven by Playwright's _electron. These specs need the Electron binary, which
// this build machine and CI cannot download (only the npm and Debian registries are reachable):
// there they skip and say so. On a developer machine with Electron installed they run.
import { test, expect, _electron as electron, type ElectronApplication } from '@playwright/test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { electronBinary, NO_ELECTRON_BINARY } from '../electron_binary'

const binary = electronBinary()
const built = existsSync(join(process.cwd(), 'out', 'main', 'index.js'))

test.describe('desktop app', () => {
  test.skip(binary === null, NO_ELECTRON_BINARY)
  test.skip(!built, 'the app is not built: run `npm run build` first')

  let app: ElectronApplication

  test.beforeAll(async () => {
    app = await electron.launch({ executablePath: binary as string, args: ['.', '--no-sandbox'] })
  })

  test.afterAll(async () => {
    await app?.close()
  })

  test('opens one secure window: context isolation, sandbox, no Node in the page', async () => {
    const page = await app.firstWindow()
    await expect(page).toHaveTitle(/Page Reporting Lab/)
    // No Node in the page; the preload's only export is the two-function pipe.
    const page_ = page as unknown as { evaluate<T>(fn: () => T): Promise<T> }
    expect(await page_.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined')
    expect(await page_.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined')
    expect(await page_.evaluate(() => Object.keys((globalThis as unknown as { prlab: object }).prlab).sort())).toEqual(['onMessage', 'send'])
    // Context isolation: the page cannot reach the preload's ipcRenderer through the bridge.
    expect(await page_.evaluate(() => typeof (globalThis as { ipcRenderer?: unknown }).ipcRenderer)).toBe('undefined')
  })

  test('runs the shipped example to the end with a live chart', async () => {
    const page = await app.firstWindow()
    await page.getByTestId('example-quick-drain-2g').click()
    await page.getByTestId('run-start').click()
    await expect(page.getByTestId('chart-free').locator('canvas').first()).toBeVisible()
    await expect(page.getByTestId('run-state')).toHaveText(/finished/i, { timeout: 60_000 })
  })

  test('refuses navigation away from the app and new windows', async () => {
    const page = await app.firstWindow()
    const before = page.url()
    await page.evaluate(() => {
      ;(globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe(before)
    await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/'))
    await page.waitForTimeout(500)
    expect(app.windows()).toHaveLength(1)
  })
})
