// The time charts (issue 11): the wheel scrolls the page while Ctrl+wheel and drag-select zoom
// (Grafana's habit) with Reset; one crosshair shared by every chart; elapsed-time ticks in one
// format at nice steps; units that scale; a log scale for free blocks; cumulative series on their
// own chart; watermarks shown near their range; phase names in a band that never overlaps.
import type { Locator, Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { openExample, runToEnd } from './lab_ui'

const CHARTS = ['chart-free', 'chart-reported', 'chart-host', 'chart-cumulative', 'chart-reporting', 'chart-watermarks']

/** The chart's time window as its data-window attribute says, [t0, t1] ms. */
async function windowOf(chart: Locator): Promise<[number, number]> {
  const [t0, t1] = ((await chart.getAttribute('data-window')) ?? '').split('-').map(Number)
  return [t0, t1]
}

/** The middle of the chart's plot area (inside the grid, clear of the axes). */
async function plotCenter(chart: Locator): Promise<{ x: number; y: number; box: { x: number; y: number; width: number; height: number } }> {
  const plot = chart.locator('.plot')
  await plot.scrollIntoViewIfNeeded()
  const box = await plot.boundingBox()
  if (!box) throw new Error('the chart is not laid out')
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, box }
}

const viewScrollTop = (page: Page): Promise<number> => page.getByTestId('view').evaluate((el) => el.scrollTop)

test.beforeEach(async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  await expect(page.getByTestId('chart-host')).toHaveAttribute('data-window', '0-30000')
})

test('the wheel scrolls the page; Ctrl+wheel and a drag zoom; Reset shows the whole run', async ({ labPage: page }) => {
  const host = page.getByTestId('chart-host')
  const free = page.getByTestId('chart-free')
  await page.getByTestId('view').evaluate((el) => el.scrollTo(0, 0))
  const c = await plotCenter(free)
  await page.mouse.move(c.x, c.y)
  await page.mouse.wheel(0, 300)
  await expect.poll(() => viewScrollTop(page)).toBeGreaterThan(0)
  expect(await windowOf(host)).toEqual([0, 30_000])

  // Ctrl+wheel up zooms in about the pointer, on every chart at once
  const h = await plotCenter(host)
  await page.mouse.move(h.x, h.y)
  await page.keyboard.down('Control')
  await page.mouse.wheel(0, -400)
  await page.keyboard.up('Control')
  await expect.poll(async () => (await windowOf(host))[1] - (await windowOf(host))[0]).toBeLessThan(30_000)
  const zoomed = await windowOf(host)
  expect(zoomed[0]).toBeGreaterThan(0)
  expect(await windowOf(free)).toEqual(zoomed)
  await expect(page.getByTestId('time-window')).not.toHaveText('whole run')

  await page.getByTestId('zoom-reset').click()
  await expect(host).toHaveAttribute('data-window', '0-30000')
  await expect(page.getByTestId('zoom-reset')).toBeDisabled()

  // a drag across the plot zooms to the range selected: a quarter to a half of the plot's width
  const p = await plotCenter(host)
  const left = p.box.x + 56 + (p.box.width - 56 - 16) * 0.25
  const right = p.box.x + 56 + (p.box.width - 56 - 16) * 0.5
  await page.mouse.move(left, p.y)
  await page.mouse.down()
  await page.mouse.move((left + right) / 2, p.y, { steps: 4 })
  await page.mouse.move(right, p.y, { steps: 4 })
  await page.mouse.up()
  await expect.poll(async () => (await windowOf(host))[1] - (await windowOf(host))[0]).toBeLessThan(12_000)
  const [t0, t1] = await windowOf(host)
  expect(t0).toBeGreaterThan(5000)
  expect(t1).toBeLessThan(17_000)

  // Shift+drag pans: the width stays, the window moves
  await page.mouse.move(p.x, p.y)
  await page.keyboard.down('Shift')
  await page.mouse.down()
  await page.mouse.move(p.x + 150, p.y, { steps: 6 })
  await page.mouse.up()
  await page.keyboard.up('Shift')
  await expect.poll(async () => (await windowOf(host))[0]).toBeLessThan(t0)
  const panned = await windowOf(host)
  expect(panned[1] - panned[0]).toBeCloseTo(t1 - t0, -2)

  // the key set's 0 resets too
  await page.locator('body').click({ position: { x: 2, y: 2 } })
  await page.keyboard.press('0')
  await expect(host).toHaveAttribute('data-window', '0-30000')
})

test('one crosshair for all charts, the tooltip where the pointer is; a click sets the time cursor', async ({ labPage: page }) => {
  const h = await plotCenter(page.getByTestId('chart-host'))
  await page.mouse.move(h.x, h.y)
  await page.mouse.move(h.x + 5, h.y)
  for (const id of CHARTS) await expect(page.getByTestId(id).locator('.crosshair')).toHaveCount(1)
  // every crosshair at the same time: the same x inside each plot (the plots share their grid)
  const xs = await Promise.all(CHARTS.map((id) => page.getByTestId(id).locator('.crosshair').evaluate((el) => (el as unknown as { style: { left: string } }).style.left)))
  expect(new Set(xs).size).toBe(1)
  await expect(page.getByTestId('chart-host-tooltip')).toBeVisible()
  await expect(page.getByTestId('chart-host-tooltip')).toContainText(/t = \+0:\d\d(\.\d+)?\b/)
  await expect(page.getByTestId('chart-host-tooltip')).toContainText('host RSS')
  await expect(page.getByTestId('chart-free-tooltip')).toHaveCount(0)

  await page.mouse.click(h.x, h.y)
  await expect(page.getByTestId('time-cursor')).toContainText(/cursor \+0:\d\d/)
  for (const id of CHARTS) await expect(page.getByTestId(id).getByTestId('cursor-line')).toHaveCount(1)
  await page.mouse.move(h.x, h.y - 400 > 0 ? h.y - 400 : 1)
  for (const id of CHARTS) await expect(page.getByTestId(id).locator('.crosshair')).toHaveCount(0)
})

test('elapsed-time ticks in one format at nice steps, also when zoomed', async ({ labPage: page }) => {
  const axis = page.getByTestId('time-axis').locator('.tick')
  const labels = async (): Promise<string[]> => axis.allTextContents()
  const seconds = (label: string): number => label.slice(1).split(':').reduce((s, part) => s * 60 + Number(part), 0)
  const check = async (): Promise<number> => {
    const ls = (await labels()).map((l) => l.trim())
    expect(ls.length).toBeGreaterThanOrEqual(3)
    for (const l of ls) expect(l).toMatch(/^\+\d+:\d\d(:\d\d)?(\.\d+)?$/)
    const steps = ls.slice(1).map((l, i) => seconds(l) - seconds(ls[i]))
    expect(new Set(steps.map((s) => s.toFixed(3))).size).toBe(1)
    return steps[0]
  }
  // 30 s on the axis: +0:00, +0:05, ... (a step of 1, 2, 5, 10, 15 or 30 s)
  expect([1, 2, 5, 10, 15, 30]).toContain(await check())
  const h = await plotCenter(page.getByTestId('chart-host'))
  await page.mouse.move(h.x, h.y)
  await page.keyboard.down('Control')
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -400)
  await page.keyboard.up('Control')
  await expect.poll(async () => (await windowOf(page.getByTestId('chart-host')))[1] - (await windowOf(page.getByTestId('chart-host')))[0]).toBeLessThan(5000)
  expect(await check()).toBeLessThanOrEqual(1)
})

test('units scale, free blocks have a log scale, cumulative figures have their own chart, watermarks are readable', async ({ labPage: page }) => {
  // 2 GiB guest: host RSS and free memory in GiB or MiB, never bare KiB counts
  await expect(page.getByTestId('chart-host')).toHaveAttribute('data-y-units', /^(MiB|GiB)$/)
  await expect(page.getByTestId('chart-free')).toHaveAttribute('data-y-units', /^blocks$/)
  // the host chart holds no cumulative series: they are on their own chart, on their own axis
  await expect(page.getByTestId('chart-host-legend')).not.toContainText('cumulative')
  await expect(page.getByTestId('chart-cumulative-legend')).toContainText('reclaimed (cumulative)')
  // a chart off screen redraws when it is scrolled into view
  await page.getByTestId('chart-cumulative').scrollIntoViewIfNeeded()
  await expect(page.getByTestId('chart-cumulative')).toHaveAttribute('data-y-units', /iB$/)

  await page.getByTestId('chart-free').scrollIntoViewIfNeeded()
  await page.getByTestId('free-scale').selectOption('log')
  await expect(page.getByTestId('chart-free')).toHaveAttribute('data-y-units', /log/)
  await page.getByTestId('free-scale').selectOption('linear')
  await expect(page.getByTestId('chart-free')).toHaveAttribute('data-y-units', 'blocks')

  // a 2 GiB guest's watermarks are a few MiB: 'auto' shows the range near them, 'free' all of it
  const wm = page.getByTestId('chart-watermarks')
  await wm.scrollIntoViewIfNeeded()
  await expect(wm).toHaveAttribute('data-y-units', 'MiB')
  await page.getByTestId('watermark-range').selectOption('all')
  await expect(wm).toHaveAttribute('data-y-units', 'GiB')
  await expect(page.getByTestId('chart-watermarks-legend')).toContainText('low wmark')

  // hiding a line refits the axes: without host RSS the host chart's scale follows the rest
  await page.getByTestId('chart-host-legend').getByRole('button', { name: 'host RSS' }).click()
  await expect(page.getByTestId('chart-host-legend').getByRole('button', { name: 'host RSS' })).toHaveAttribute('aria-pressed', 'false')
})

test('legends never page, and phase names sit in a band under the time axis without overlapping', async ({ labPage: page }) => {
  for (const id of CHARTS) {
    const legend = page.getByTestId(`${id}-legend`)
    await expect(legend).not.toContainText(/\d+\/\d+/)
    // every entry is inside the chart's box (it wraps; it neither pages nor overflows)
    const chart = await page.getByTestId(id).boundingBox()
    for (const item of await legend.locator('.legend-item').all()) {
      const b = await item.boundingBox()
      if (!chart || !b) throw new Error('not laid out')
      expect(b.x).toBeGreaterThanOrEqual(chart.x - 0.5)
      expect(b.x + b.width).toBeLessThanOrEqual(chart.x + chart.width + 0.5)
    }
  }
  const segments = page.getByTestId('phase-band').getByTestId('phase-segment')
  // alloc, then free and idle which start at the same time
  await expect(segments).not.toHaveCount(0)
  const boxes = await Promise.all((await segments.all()).map((s) => s.boundingBox()))
  const sorted = boxes.map((b) => b ?? { x: 0, width: 0 }).sort((a, b) => a.x - b.x)
  for (let i = 1; i < sorted.length; i++) expect(sorted[i].x).toBeGreaterThanOrEqual(sorted[i - 1].x + sorted[i - 1].width - 0.5)
  // a name that does not fit is cut with an ellipsis, whole in the title
  await expect(segments.first()).toHaveAttribute('title', /memhog 1\.5 GiB/)
  await expect(page.getByTestId('phase-band')).toContainText('idle')
  // a click on a phase zooms to it
  await segments.first().click()
  await expect.poll(async () => (await windowOf(page.getByTestId('chart-host')))[1]).toBeLessThanOrEqual(2000)
})
