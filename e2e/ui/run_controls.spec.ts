// Run controls: start, pause, single step to the next reporting pass, resume, stop; keyboard.
import { test, expect } from '../fixtures'
import { openExample, settledSimMs, simMs } from './lab_ui'

test('run, pause, step, resume and stop', async ({ labPage: page }) => {
  await openExample(page)
  // real time, so the run is still going when we pause it
  await page.getByTestId('run-speed').selectOption('1')
  await page.getByTestId('run-start').click()
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await expect.poll(() => simMs(page)).toBeGreaterThan(0)

  await page.getByTestId('run-pause').click()
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  const paused = await settledSimMs(page)
  await page.waitForTimeout(500)
  expect(await simMs(page)).toBe(paused)

  await page.getByTestId('run-step').click()
  await expect.poll(() => simMs(page), { message: 'a step runs to the end of the next reporting pass' }).toBeGreaterThan(paused)
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  const stepped = await simMs(page)

  await page.getByTestId('run-resume').click()
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await expect.poll(() => simMs(page)).toBeGreaterThan(stepped)

  await page.getByTestId('run-stop').click()
  await expect(page.getByTestId('run-state')).toHaveText('stopped')
  await expect(page.getByTestId('run-start')).toBeEnabled()
})

// Browser mode keeps the browser's own keys (F5 reloads there): the page's keys are the browser-safe set.
test('browser-safe keys: Ctrl+Enter runs, Space pauses, N steps, Ctrl+Enter resumes, Shift+X stops', async ({ labPage: page }) => {
  await openExample(page)
  await page.getByTestId('run-speed').selectOption('1')
  await page.locator('body').click({ position: { x: 2, y: 2 } })
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await page.keyboard.press('Space')
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  const paused = await settledSimMs(page)
  await page.keyboard.press('n')
  await expect.poll(() => simMs(page)).toBeGreaterThan(paused)
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await page.keyboard.press('Shift+X')
  await expect(page.getByTestId('run-state')).toHaveText('stopped')
})
