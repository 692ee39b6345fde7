// Steps the UI specs share: open a shipped example, run to the end, read the run's progress.
import { expect, type Page } from '@playwright/test'

export async function openExample(page: Page, name = 'quick-drain-2g'): Promise<void> {
  await page.getByTestId(`example-${name}`).click()
  await expect(page.getByTestId('editor')).toBeVisible()
}

export async function runToEnd(page: Page): Promise<void> {
  await page.getByTestId('run-start').click()
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 })
}

export async function simMs(page: Page): Promise<number> {
  return Number(await page.getByTestId('run-progress').getAttribute('data-sim-ms'))
}
