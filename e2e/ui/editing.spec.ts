// Undo and redo of every editor change, a removed phase included (Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y,
// the toolbar's buttons); the help overlay with the browser-safe key set shown; notices that
// stack under the views (never over a chart), close on demand, and leave unless they are errors.
import { test, expect } from '../fixtures'
import { fileCommand, openExample, runToEnd } from './lab_ui'

test('undo and redo every edit, a removed phase included', async ({ labPage: page }) => {
  await openExample(page)
  await expect(page.getByTestId('undo')).toBeDisabled()
  const cpus = page.getByTestId('field-guest.cpus')
  await cpus.fill('4')
  await cpus.blur()
  await expect(page.getByTestId('undo')).toBeEnabled()
  await expect(page.getByTestId('undo')).toHaveAttribute('title', /^Undo: .*\(Ctrl\+Z\)$/)
  await page.locator('body').click({ position: { x: 2, y: 2 } })
  await page.keyboard.press('Control+z')
  await expect(cpus).toHaveValue('2')
  await expect(page.getByTestId('doc-dirty')).toHaveCount(0)
  await page.keyboard.press('Control+Shift+z')
  await expect(cpus).toHaveValue('4')
  await page.keyboard.press('Control+z')
  await expect(cpus).toHaveValue('2')
  await page.keyboard.press('Control+y')
  await expect(cpus).toHaveValue('4')

  // remove the 'exit' phase, then put it back with the toolbar's undo, and take it out again
  const phases = page.getByTestId('phases').locator('[data-testid^="phase-"][data-testid$="-remove"]')
  await expect(phases).toHaveCount(3)
  await page.getByTestId('phase-1-remove').click()
  await expect(phases).toHaveCount(2)
  await expect(page.getByTestId('undo')).toHaveAttribute('title', /Undo: .*phase/i)
  await page.getByTestId('undo').click()
  await expect(phases).toHaveCount(3)
  await expect(page.getByTestId('phase-1-op')).toHaveValue('free')
  await page.getByTestId('redo').click()
  await expect(phases).toHaveCount(2)
  await expect(page.getByTestId('phase-1-op')).toHaveValue('idle')
  // undo all the way back to the file as opened: clean again
  await page.getByTestId('undo').click()
  await page.getByTestId('undo').click()
  await expect(cpus).toHaveValue('2')
  await expect(phases).toHaveCount(3)
  await expect(page.getByTestId('doc-dirty')).toHaveCount(0)
})

test('? opens the keys and gestures; browser mode shows and uses its browser-safe set', async ({ labPage: page }) => {
  await openExample(page)
  await expect(page.getByTestId('status-keys')).toContainText('Ctrl+Enter run')
  await page.locator('body').click({ position: { x: 2, y: 2 } })
  await page.keyboard.press('?')
  const help = page.getByTestId('help')
  await expect(help).toBeVisible()
  await expect(page.getByTestId('help-key-set')).toHaveText('browser-mode keys')
  await expect(page.getByTestId('help-run')).toContainText('Ctrl+Enter')
  await expect(page.getByTestId('help-undo')).toContainText('Ctrl+Z')
  // no key the browser owns: F5/Ctrl+R reload, Ctrl+S saves the page, F6/F10 move the focus, Alt/Ctrl+digit switch tabs
  const keys = (await help.locator('kbd').allTextContents()).map((k) => k.trim())
  expect(keys.length).toBeGreaterThan(15)
  for (const k of keys) expect(k).not.toMatch(/^(F5|F6|F10|Ctrl\+R|Ctrl\+S|Ctrl\+Shift\+S|Ctrl\+O|Ctrl\+N|Ctrl\+W|Ctrl\+T|Alt\+\d|Ctrl\+\d)$/)
  await expect(help).toContainText('Ctrl/⌘ + wheel on a chart')
  await page.getByTestId('help-close').click()
  await expect(help).toHaveCount(0)
  // a plain key does not fire while a field has the focus: '?' typed into the name stays text
  await page.getByTestId('field-name').focus()
  await page.keyboard.press('?')
  await expect(help).toHaveCount(0)
  // the view keys of the browser set
  await page.locator('body').click({ position: { x: 2, y: 2 } })
  await page.keyboard.press('4')
  await expect(page.getByTestId('runs-view')).toBeVisible()
})

test('notices stack under the views, never over a chart; info leaves, errors stay until closed', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  // an error notice: a file that is not an experiment
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), fileCommand(page, 'open')])
  await chooser.setFiles({ name: 'broken.prlab.json', mimeType: 'application/json', buffer: Buffer.from('{ "format": ') })
  await expect(page.getByTestId('notice-error')).toContainText('broken.prlab.json')
  // an info notice: a preset applied
  const preset = page.getByTestId('preset-select')
  const value = await preset.locator('option').nth(1).getAttribute('value')
  await preset.selectOption(value ?? '')
  await expect(page.getByTestId('notice-info')).toBeVisible()
  const notices = await page.getByTestId('notices').boundingBox()
  if (!notices) throw new Error('no notices')
  // the shelf is below the views' scroller: what a chart shows is never under a notice
  const view = await page.getByTestId('view').boundingBox()
  if (!view) throw new Error('no view')
  expect(notices.y).toBeGreaterThanOrEqual(view.y + view.height - 1)
  expect(notices.x + notices.width).toBeLessThanOrEqual(1440)
  // the info notice leaves by itself (6 s); the error stays until closed
  await expect(page.getByTestId('notice-info')).toHaveCount(0, { timeout: 10_000 })
  await expect(page.getByTestId('notice-error')).toBeVisible()
  await page.getByTestId('notice-error').getByTestId('notice-close').click()
  await expect(page.getByTestId('notices')).toHaveCount(0)
})
