// Compare runs: two finished runs overlaid, with their key figures and differences.
import { test, expect } from '../fixtures'
import { openExample, runToEnd } from './lab_ui'

test('two runs compared: QEMU defaults against a VFIO-assigned host', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  await page.getByTestId('preset-select').selectOption('vfio')
  await runToEnd(page)

  await page.getByTestId('view-compare').click()
  const runs = page.getByTestId('compare-runs').locator('tbody tr')
  await expect(runs).toHaveCount(2)
  await expect(page.getByTestId('compare-runs').locator('input[type=checkbox]:checked')).toHaveCount(2)

  const figures = page.getByTestId('compare-figures')
  await expect(figures.locator('thead th')).toHaveCount(3)
  // the same workload reports the same way, but with discards inhibited nothing is reclaimed
  const reclaimed = page.getByTestId('figure-reclaimed_10s_kib').locator('td')
  await expect(reclaimed.nth(1)).not.toHaveText(/^0 KiB/)
  await expect(reclaimed.nth(2)).toHaveText(/^0 KiB\s*−/)
  const finalRss = page.getByTestId('figure-final_host_rss_kib').locator('td')
  await expect(finalRss.nth(2).locator('.delta')).toHaveText(/^\+/)
  await expect(finalRss.nth(2).locator('.delta')).toHaveClass(/worse/)

  for (const id of ['compare-host-rss', 'compare-reclaimed', 'compare-reported', 'compare-report-calls']) {
    await expect(page.getByTestId(id).locator('canvas').first()).toBeVisible()
  }

  // deselect one run: the table keeps one column
  await runs.nth(0).locator('input[type=checkbox]').uncheck()
  await expect(figures.locator('thead th')).toHaveCount(2)
})
