// The walking skeleton, end to end in Chromium: shipped example -> engine worker -> host ->
// WebSocket -> Pinia -> ECharts, until the run finishes.
import { test, expect } from '../fixtures'

test('open the shipped example, run it, watch the free-memory chart change until the run finishes', async ({ labPage: page }) => {
  await page.getByTestId('example-quick-drain-2g').click()
  // 30 s of simulated time at x10: slow enough to watch the chart move.
  await page.getByTestId('run-speed').selectOption('10')
  await page.getByTestId('run-start').click()
  const chart = page.getByTestId('chart-free')
  await expect(chart.locator('canvas').first()).toBeVisible()
  await expect(page.getByTestId('run-state')).toHaveText(/running/i)
  const first = await chart.screenshot()
  await expect
    .poll(async () => Buffer.compare(first, await chart.screenshot()) !== 0, { message: 'the chart should change while the engine runs', timeout: 30_000 })
    .toBe(true)
  await expect(page.getByTestId('run-state')).toHaveText(/finished/i, { timeout: 60_000 })
})
