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

test('keyboard: F6 pauses, F10 steps, F5 resumes, Shift+F5 stops', async ({ labPage: page }) => {
  await openExample(page)
  await page.getByTestId('run-speed').selectOption('1')
  await page.keyboard.press('F5')
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await page.keyboard.press('F6')
  await expect(page.getByTestId('run-state')).toHaveText('paused')
  const paused = await settledSimMs(page)
  await page.keyboard.press('F10')
  await expect.poll(() => simMs(page)).toBeGreaterThan(paused)
  await page.keyboard.press('F5')
  await expect(page.getByTestId('run-state')).toHaveText('running')
  await page.keyboard.press('Shift+F5')
  await expect(page.getByTestId('run-state')).toHaveText('stopped')
})
