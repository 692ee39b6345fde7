// Validation scenarios in the app (issue 13 part 1), browser mode against the real lab server: one
// click opens a real guest's recording with the experiment that mirrors it and runs it; the real
// buddyinfo (per order, dashed) is drawn on the free-blocks chart, the real host RSS on the
// host-memory chart and the real report passes as marks, with the values of the recording's files;
// the checks are those `npm run validate` prints; each overlay belongs to that run and can be
// removed. Photographed at 1024×700, 1280×720 and 1440×900 in both themes.
import type { Locator, Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { OVERFLOWING } from './lab_ui'
import { openScenario } from '../../src/host/validation/scenario_open'
import { toValidationReport } from '../../src/host/validation/report'
import { defaultValidationDir, validateScenario } from '../../src/host/validation/validate'
import { GRID } from '../../src/renderer/src/charts/time_option'
import { formatCount } from '../../src/renderer/src/model/units'
import type { ValidationScenario } from '../../src/common/validation_api'

const SCENARIO = 'free_all'

async function scenario(): Promise<ValidationScenario> {
  const r = await openScenario(defaultValidationDir(), SCENARIO)
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

/** The real buddyinfo's order-`order` count summed over the zones at `t_ms` (the last snapshot at or before it). */
function realBlocks(s: ValidationScenario, t_ms: number, order: number): number {
  const b = s.buddyinfo
  let v = Number.NaN
  b.t_ms.forEach((t, k) => {
    if (t + (b.origin_ms ?? 0) <= t_ms) v = b.nr_free[k].reduce((sum, zone) => sum + zone[order], 0)
  })
  return v
}

function realRssMiB(s: ValidationScenario, t_ms: number): number {
  let v = Number.NaN
  s.rss.t_ms.forEach((t, k) => {
    if (t <= t_ms) v = s.rss.rss_kib[k] / 1024
  })
  return v
}

/** Hovers chart `id` at run time `t_ms` and returns its tooltip's rows by line name. */
async function tooltipAt(page: Page, id: string, t_ms: number): Promise<Map<string, string>> {
  const chart = page.getByTestId(id)
  await chart.scrollIntoViewIfNeeded()
  const [t0, t1] = ((await chart.getAttribute('data-window')) ?? '').split('-').map(Number)
  const box = await chart.locator('.plot').boundingBox()
  if (box === null) throw new Error(`${id} has no plot`)
  const x = box.x + GRID.left + ((t_ms - t0) / (t1 - t0)) * (box.width - GRID.left - GRID.right)
  await page.mouse.move(x, box.y + box.height / 2)
  const tooltip = page.getByTestId(`${id}-tooltip`)
  await expect(tooltip).toBeVisible()
  const rows = await tooltip.locator('tr').evaluateAll((trs) => trs.map((tr) => [(tr.children[0]?.textContent ?? '').trim(), (tr.children[1]?.textContent ?? '').trim()] as [string, string]))
  return new Map(rows)
}

const legendNames = (chart: Locator): Promise<string[]> => chart.locator('.legend-item').allInnerTexts()

async function openInOneClick(page: Page): Promise<void> {
  await page.getByTestId(`validation-${SCENARIO}`).click()
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 })
  await expect(page.getByTestId('validation-panel')).toBeVisible()
}

test('one click opens a validation scenario, runs it, and draws the real measurements with the values of its files', async ({ labPage: page }) => {
  const s = await scenario()
  await openInOneClick(page)
  await expect(page.getByTestId('doc-name')).toContainText(`${SCENARIO}.prlab.json`)
  await expect(page.getByTestId('validation-guest')).toContainText('6.1.0-56-amd64')

  // the real buddyinfo per order, dashed beside the simulated orders
  const free = page.getByTestId('chart-free')
  const names = await legendNames(free)
  for (let o = 0; o <= 10; o++) {
    expect(names).toContain(`order ${o}`)
    expect(names).toContain(`real order ${o}`)
  }
  // before the workload, during the hold of 600 MiB, and after the drain: the files' counts (flat a second either side)
  for (const t of [10_000, 28_000, 60_000]) {
    for (const dt of [-1000, 1000]) expect(realBlocks(s, t + dt, 10), `the recording is flat around ${t} ms`).toBe(realBlocks(s, t, 10))
    const rows = await tooltipAt(page, 'chart-free', t)
    expect(rows.get('real order 10')).toBe(`${formatCount(realBlocks(s, t, 10))} blocks`)
    expect(rows.get('real order 0')).toBe(`${formatCount(realBlocks(s, t, 0))} blocks`)
  }
  expect(realBlocks(s, 10_000, 10)).toBe(221)
  expect(realBlocks(s, 28_000, 10)).toBe(71)

  // the same units and log scale: the real lines follow the axis
  await page.getByTestId('free-scale').selectOption('log')
  expect((await tooltipAt(page, 'chart-free', 28_000)).get('real order 10')).toBe('71 blocks')
  await page.getByTestId('free-unit').selectOption('MiB')
  await expect.poll(() => legendNames(free)).toContain('real: free')
  await page.getByTestId('free-unit').selectOption('blocks')

  // the real host RSS on the host chart (real-host-rss.csv is already on the experiment's axis)
  const host = page.getByTestId('chart-host')
  const rssName = `measured: ${SCENARIO}/real-host-rss.csv`
  expect(await legendNames(host)).toContain(rssName)
  for (const t of [28_000, 60_000]) {
    const shown = (await tooltipAt(page, 'chart-host', t)).get(rssName) ?? ''
    const mib = Number(/([\d.]+) MiB/.exec(shown)?.[1])
    expect(Math.abs(mib - realRssMiB(s, t)), `${shown} at ${t} ms`).toBeLessThan(0.1)
  }
  expect(realRssMiB(s, 28_000) - realRssMiB(s, 60_000)).toBeGreaterThan(550)

  // the real report passes as marks: free_all's drain is 256, 256 and 72 MiB
  expect(s.passes.slice(-3).map((p) => p.mib)).toEqual([256, 256, 72])
  await expect(free).toHaveAttribute('data-marks', /real guest: report pass of 256 MiB in 2 report\(\) calls/)
  await expect(free).toHaveAttribute('data-marks', /real guest: report pass of 72 MiB in 1 report\(\) call\b/)

  // the checks npm run validate prints, with tolerances and pass/fail
  const report = toValidationReport(await validateScenario(defaultValidationDir(), SCENARIO))
  await expect(page.getByTestId('validation-checks-summary')).toHaveText(`Real vs sim: ${report.passed} of ${report.checked} checks within tolerance`)
  await page.getByTestId('validation-checks-toggle').click()
  const table = page.getByTestId('validation-checks')
  await expect(table.locator('tbody tr')).toHaveCount(report.groups.reduce((n, g) => n + g.checks.length, 0))
  const pass1 = report.groups[1].checks.find((c) => c.what === 'pass 1 time')
  await expect(table.locator('tr', { hasText: 'pass 1 time' })).toContainText(`${pass1?.real?.toFixed(3)} s`)
  await expect(table.locator('tr', { hasText: 'pass 1 time' })).toContainText(`±${pass1?.tolerance?.toFixed(3)} s`)
})

test('the real measurements belong to the scenario\'s run and each can be removed', async ({ labPage: page }) => {
  await openInOneClick(page)
  const free = page.getByTestId('chart-free')
  const host = page.getByTestId('chart-host')

  await page.getByTestId('validation-remove-buddyinfo').click()
  await expect.poll(() => legendNames(free)).not.toContain('real order 10')
  expect(await legendNames(free)).toContain('order 10')
  await page.getByTestId('validation-remove-passes').click()
  await expect(free).not.toHaveAttribute('data-marks', /real guest/)
  // the RSS overlay is still there, and it is the Data view's import too (removable there as well)
  expect((await legendNames(host)).some((n) => n.startsWith('measured:'))).toBe(true)
  await page.getByTestId('view-data').click()
  await expect(page.getByTestId(`import-item-${SCENARIO}/real-host-rss.csv`)).toBeVisible()
  await expect(page.getByTestId(`import-item-${SCENARIO}/buddyinfo.csv`)).toHaveCount(0)
  await page.getByTestId('view-charts').click()
  await page.getByTestId('validation-remove-rss').click()
  // a chart off screen redraws when it comes into view
  await host.scrollIntoViewIfNeeded()
  await expect.poll(() => legendNames(host)).not.toContain(`measured: ${SCENARIO}/real-host-rss.csv`)

  // the rest of the scenario goes in one click
  await page.getByTestId('validation-remove').click()
  await expect(page.getByTestId('validation-panel')).toHaveCount(0)
})

test('a later run does not inherit the scenario\'s overlays', async ({ labPage: page }) => {
  await openInOneClick(page)
  await page.getByTestId('run-start').click()
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 })
  await expect(page.getByTestId('validation-panel')).toHaveCount(0)
  expect(await legendNames(page.getByTestId('chart-free'))).not.toContain('real order 10')
  await page.getByTestId('chart-host').scrollIntoViewIfNeeded()
  await expect.poll(async () => (await legendNames(page.getByTestId('chart-host'))).some((n) => n.startsWith('measured:'))).toBe(false)
  await expect(page.getByTestId('chart-free')).not.toHaveAttribute('data-marks', /real guest/)
})

test('the scenario list and the run with its overlays fit 1024×700 to 1440×900 in both themes', async ({ labPage: page }, info) => {
  await page.getByTestId(`validation-${SCENARIO}`).scrollIntoViewIfNeeded()
  await expect(page.getByTestId('validation-scenarios').locator('button')).toHaveCount(5)
  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 800 })
    const start = await page.evaluate<{ out: string[] }>(OVERFLOWING)
    expect(start.out, `the start screen at ${width} px`).toEqual([])
    await page.screenshot({ path: info.outputPath(`start-validation-${width}.png`) })
  }
  await openInOneClick(page)
  await expect(page.getByTestId('validation-checks-summary')).toBeVisible()
  for (const size of [{ width: 1024, height: 700 }, { width: 1280, height: 720 }, { width: 1440, height: 900 }]) {
    for (const theme of ['light', 'dark'] as const) {
      await page.setViewportSize(size)
      await page.emulateMedia({ colorScheme: theme })
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
      const r = await page.evaluate<{ out: string[]; scrollWidth: number; width: number }>(OVERFLOWING)
      expect(r.out, `${size.width}×${size.height} ${theme}`).toEqual([])
      expect(r.scrollWidth).toBeLessThanOrEqual(r.width)
      await page.getByTestId('validation-panel').scrollIntoViewIfNeeded()
      await page.screenshot({ path: info.outputPath(`${size.width}x${size.height}-${theme}-validation.png`) })
      await page.getByTestId('chart-free').scrollIntoViewIfNeeded()
      await page.screenshot({ path: info.outputPath(`${size.width}x${size.height}-${theme}-free-blocks.png`) })
      await page.getByTestId('chart-host').scrollIntoViewIfNeeded()
      await page.screenshot({ path: info.outputPath(`${size.width}x${size.height}-${theme}-host.png`) })
    }
  }
})
