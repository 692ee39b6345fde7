// The Sweep view runs sweeps (issue 11): a grid of experiment paths (offered from the schema) and
// values or ranges, run with progress and Cancel, then a table and a chart of a figure against a
// parameter (with units, the axis from zero); any point opens as a run.
import { test, expect } from '../fixtures'
import { openExample } from './lab_ui'

test('a grid sweep runs with progress, fills the table and chart, and a point opens as a run', async ({ labPage: page }) => {
  await openExample(page)
  await page.getByTestId('field-durationMs').fill('10000')
  await page.getByTestId('view-sweep').click()
  // paths come from the schema, with their units
  const paths = await page.locator('#sweep-paths option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))
  expect(paths).toContain('reporting.order')
  expect(paths).toContain('reporting.delayMs')
  expect(paths).toContain('guest.memoryMiB')
  // bad values say so before anything runs: syntax, and each value against the field's type and bounds
  await page.getByTestId('sweep-values-0').fill('5,,7')
  await expect(page.getByTestId('sweep-count-0')).toHaveClass(/bad/)
  await page.getByTestId('sweep-values-0').fill('5,x')
  await expect(page.getByTestId('sweep-count-0')).toHaveText('x: expected a number')
  await page.getByTestId('sweep-values-0').fill('9..11')
  await expect(page.getByTestId('sweep-count-0')).toHaveText('11: above the most, 10')
  await expect(page.getByTestId('sweep-run')).toBeDisabled()
  await page.getByTestId('sweep-values-0').fill('5,9')
  await page.getByTestId('sweep-path-1').fill('reporting.delayMs')
  await page.getByTestId('sweep-path-1').dispatchEvent('change')
  await page.getByTestId('sweep-values-1').fill('500..2000:1500')
  await expect(page.getByTestId('sweep-count-1')).toHaveText('2 values')
  await expect(page.getByTestId('sweep-points')).toContainText('4 points')

  await page.getByTestId('sweep-run').click()
  const progress = page.getByTestId('sweep-progress')
  await expect(progress).toBeVisible()
  await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 60_000 })
  await expect(progress).toContainText('4 of 4 points')
  const table = page.getByTestId('sweep-table')
  await expect(table.locator('tbody tr')).toHaveCount(4)
  await expect(table.locator('thead')).toContainText('reporting.order')
  await expect(page.getByTestId('sweep-chart')).toBeVisible()
  await expect(page.getByTestId('sweep-x')).toBeVisible()

  // one point opens as a run: its charts, and it is kept in the run library
  await table.locator('tbody tr').first().click()
  await page.getByTestId('view-charts').click()
  await expect(page.getByTestId('status-rows')).toContainText('101 samples')
  await page.getByTestId('view-runs').click()
  await expect(page.locator('[data-testid^="run-row-"]')).toHaveCount(1)
  await expect(page.locator('[data-testid^="run-row-"]').first()).toContainText('sweep point')
})

test('Cancel stops a sweep; the points that ended stay', async ({ labPage: page }) => {
  await openExample(page)
  await page.getByTestId('view-sweep').click()
  await page.getByTestId('sweep-values-0').fill('3..9')
  await page.getByTestId('sweep-values-1').fill('100..2000:100')
  await page.getByTestId('sweep-run').click()
  await expect(page.getByTestId('sweep-cancel')).toBeEnabled()
  await page.getByTestId('sweep-cancel').click()
  await expect(page.getByTestId('sweep-progress')).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 })
  await expect(page.getByTestId('sweep-cancel')).toBeDisabled()
  const done = Number(/(\d+) of 140 points/.exec((await page.getByTestId('sweep-progress').textContent()) ?? '')?.[1])
  expect(done).toBeLessThan(140)
})
