// A long export shows its progress in the status bar and can be cancelled there; nothing is
// downloaded and the user is told.
import { test, expect } from '../fixtures'
import { fileCommand, openExample, runToEnd } from './lab_ui'

test('a long CSV export shows progress and Cancel stops it', async ({ labPage: page }) => {
  test.setTimeout(300_000)
  await openExample(page)
  // One hour sampled every 10 ms: 360,001 rows, an export of several seconds.
  await page.getByTestId('field-durationMs').fill('3600000')
  await page.getByTestId('field-recorder.sampleIntervalMs').fill('10')
  await page.getByTestId('run-speed').selectOption('max')
  // 360,001 rows of 130 columns: about 25 s on a quiet 2-core machine, more on a busy one
  await runToEnd(page, 180_000)

  let downloaded = false
  page.on('download', () => (downloaded = true))
  await fileCommand(page, 'export-csv')
  const task = page.getByTestId('task')
  await expect(task).toContainText('samples.csv')
  await expect.poll(async () => Number.parseInt((await page.getByTestId('task-percent').textContent()) ?? '0', 10)).toBeGreaterThan(0)
  await page.getByTestId('task-cancel').click()
  await expect(task).toHaveCount(0)
  await expect(page.getByText('Export cancelled', { exact: true })).toBeVisible()
  expect(downloaded).toBe(false)
})
