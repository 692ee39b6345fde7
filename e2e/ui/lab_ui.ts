// Steps the UI specs share: open a shipped example, run to the end, read the run's progress.
import { expect, type Page } from '@playwright/test'

export async function openExample(page: Page, name = 'quick-drain-2g'): Promise<void> {
  await page.getByTestId(`example-${name}`).click()
  await expect(page.getByTestId('editor')).toBeVisible()
}

export async function runToEnd(page: Page, timeout_ms = 60_000): Promise<void> {
  await page.getByTestId('run-start').click()
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: timeout_ms })
}

export async function simMs(page: Page): Promise<number> {
  return Number(await page.getByTestId('run-progress').getAttribute('data-sim-ms'))
}

/**
 * The simulated time once it stops moving: a progress update the engine sent before it took a
 * pause can arrive after the UI already shows 'paused' (one sample later).
 */
export async function settledSimMs(page: Page): Promise<number> {
  let last = await simMs(page)
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(250)
    const now = await simMs(page)
    if (now === last) return now
    last = now
  }
  return last
}
