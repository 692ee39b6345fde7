// The desktop app, driven by Playwright's _electron. These specs need the Electron binary, which
// this build machine and CI cannot download (only the npm and Debian registries are reachable):
// there they skip and say so. On a developer machine with Electron installed they run.
import { test, expect, _electron as electron, type ElectronApplication } from '@playwright/test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The Electron executable, without triggering Electron >= 42's lazy download. */
function electronBinary(): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const dir = join(process.cwd(), 'node_modules', 'electron')
  const pathTxt = join(dir, 'path.txt')
  if (override) {
    const exe = join(override, existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : 'electron')
    return existsSync(exe) ? exe : null
  }
  if (!existsSync(pathTxt)) return null
  const exe = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim())
  return existsSync(exe) ? exe : null
}

const binary = electronBinary()
const built = existsSync(join(process.cwd(), 'out', 'main', 'index.js'))

test.describe('desktop app', () => {
  test.skip(binary === null, 'no Electron binary: it cannot be downloaded on this machine (npm and Debian registries only); use browser mode (npm run web)')
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
