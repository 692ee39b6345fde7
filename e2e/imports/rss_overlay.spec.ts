// e2e: a measured host-RSS CSV (HyperAlloc layout), parsed by the host importer, overlaid on a
// run's host_rss_kib in Chromium: the chart draws both curves, the error figures match the
// hand-computed ones, and moving or fitting the offset updates them.
import { expect, test } from '@playwright/test'
import { createServer, type ViteDevServer } from 'vite'
import vue from '@vitejs/plugin-vue'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { importFile } from '../../src/host/import/index'
import type { RssSeries } from '../../src/common/imports'
import type { HarnessGlobal } from './harness/main'

/** The canvas as the page sees it (the Node config has no DOM types). */
interface Canvas2d {
  readonly width: number
  readonly height: number
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null
}

const here = dirname(fileURLToPath(import.meta.url))
let server: ViteDevServer
let url = ''

test.beforeAll(async () => {
  server = await createServer({ root: join(here, 'harness'), configFile: false, plugins: [vue()], logLevel: 'error', server: { port: 0, host: '127.0.0.1' } })
  await server.listen()
  url = server.resolvedUrls?.local[0] ?? ''
})
test.afterAll(async () => server?.close())

async function measured(): Promise<RssSeries> {
  const r = await importFile('rss', join(here, '../../test/fixtures/imports/rss-hyperalloc.csv'))
  if (!r.ok || r.value.kind !== 'rss') throw new Error('fixture did not import')
  return r.value
}

test('overlays a measured RSS series on the run and shows the error between them', async ({ page }) => {
  const m = await measured()
  // The run: the measured curve + 100 MiB, on a 100 ms grid, shifted 1 s later; hence at offset 0 the error is not 100 MiB, after fitting it is.
  const t_ms = Array.from({ length: 800 }, (_, i) => i * 100)
  const at = (t: number): number => {
    const x = t - 1000
    let i = 0
    while (i < m.t_ms.length - 1 && m.t_ms[i + 1] <= x) i++
    if (x <= m.t_ms[0]) return m.rss_kib[0]
    if (i === m.t_ms.length - 1) return m.rss_kib[i]
    const f = (x - m.t_ms[i]) / (m.t_ms[i + 1] - m.t_ms[i])
    return m.rss_kib[i] + f * (m.rss_kib[i + 1] - m.rss_kib[i])
  }
  const host_rss_kib = t_ms.map((t) => at(t) + 100 * 1024)

  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(url)
  await page.waitForFunction(() => typeof (globalThis as unknown as Partial<HarnessGlobal>).mountOverlay === 'function')
  await page.evaluate(([meas, sim]) => (globalThis as unknown as HarnessGlobal).mountOverlay(meas, sim), [m, { t_ms, host_rss_kib }] as const)

  const figure = page.getByTestId('rss-error')
  await expect(figure).toContainText('RMSE')
  await expect(figure).toContainText('over 40 measured samples')
  const canvas = page.getByTestId('rss-overlay-chart').locator('canvas').first()
  await expect(canvas).toBeVisible()
  const painted = await canvas.evaluate((el) => {
    const c = el as unknown as Canvas2d
    const ctx = c.getContext('2d')
    if (ctx === null) return 0
    const d = ctx.getImageData(0, 0, c.width, c.height).data
    let n = 0
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++
    return n
  })
  expect(painted).toBeGreaterThan(1000)
  await expect(page.getByText('measured: rss-hyperalloc.csv')).toHaveCount(0) // legend text is drawn on the canvas, not in the DOM

  await page.getByTestId('rss-fit').click()
  await expect(page.getByTestId('rss-offset')).toHaveValue('1.00')
  await expect(figure).toContainText('RMSE 100.0 MiB · MAE 100.0 MiB · bias 100.0 MiB')

  await page.getByTestId('rss-offset').fill('200')
  await page.getByTestId('rss-offset').dispatchEvent('change')
  await expect(figure).toHaveText('No overlap between the run and the measured series at this offset.')
  expect(errors).toEqual([])
})
