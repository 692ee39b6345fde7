// Steps the UI specs share: open a shipped example, run to the end, read the run's progress.
import { expect, type Page } from '@playwright/test'

export async function openExample(page: Page, name = 'quick-drain-2g'): Promise<void> {
  await page.getByTestId(`example-${name}`).click()
  await expect(page.getByTestId('editor')).toBeVisible()
}

/** Starts a run and waits for THAT run to finish (the one before it may show 'finished' still). */
export async function runToEnd(page: Page, timeout_ms = 60_000): Promise<void> {
  const state = page.getByTestId('run-state')
  const before = (await state.count()) > 0 ? await state.getAttribute('data-run-id') : null
  await page.getByTestId('run-start').click()
  if (before !== null && before !== '') await expect(state).not.toHaveAttribute('data-run-id', before, { timeout: timeout_ms })
  await expect(state).toHaveText('finished', { timeout: timeout_ms })
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

/** Runs an item of the browser-mode File menu (new, open, save, save-as, export-csv, export-perfetto, open-run-folder). */
export async function fileCommand(page: Page, id: string): Promise<void> {
  await page.getByTestId('file-menu').click()
  await page.getByTestId(`menu-${id}`).click()
}

/** Whether an item of the File menu can be chosen now (the menu is closed again after looking). */
export async function fileCommandEnabled(page: Page, id: string): Promise<boolean> {
  await page.getByTestId('file-menu').click()
  const enabled = await page.getByTestId(`menu-${id}`).isEnabled()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('file-menu-list')).toHaveCount(0)
  return enabled
}

/** Elements whose box passes the window's right edge and that no clipping ancestor inside the window holds. */
export const OVERFLOWING = `(() => {
  const limit = window.innerWidth + 1
  const out = []
  const clipped = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a)
      if (s.overflowX !== 'visible' && a.getBoundingClientRect().right <= limit) return true
    }
    return false
  }
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect()
    if (r.width === 0 || r.height === 0 || r.right <= limit) continue
    if (clipped(el)) continue
    out.push((el.getAttribute('data-testid') || el.tagName.toLowerCase() + '.' + [...el.classList].join('.')) + ' right=' + Math.round(r.right))
  }
  return { out: out.slice(0, 10), scrollWidth: document.documentElement.scrollWidth, bodyScrollWidth: document.body.scrollWidth, width: window.innerWidth }
})()`
