// Layout (issue 11): from 1024×700 up, in both themes, no view scrolls sideways and nothing sticks
// out of the window (content wider than its pane scrolls inside it, like the run table); the
// toolbar folds its view tabs into a menu when narrow; the editor has a fixed default width, can
// be resized (pointer or arrow keys) and collapsed, and keeps that over a reload. Every view is
// photographed at each size and theme into the test's output folder (to look at).
import type { Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { OVERFLOWING, openExample, runToEnd } from './lab_ui'

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const
const THEMES = ['light', 'dark'] as const
const VIEWS = ['charts', 'memory', 'snapshot', 'runs', 'compare', 'data', 'sweep', 'host'] as const

async function showView(page: Page, id: string): Promise<void> {
  const tab = page.getByTestId(`view-${id}`)
  if (await tab.isVisible()) await tab.click()
  else {
    await page.getByTestId('view-menu').click()
    await page.getByTestId(`menu-${id}`).click()
  }
}

for (const size of SIZES) {
  for (const theme of THEMES) {
    test(`${size.width}×${size.height} ${theme}: no view scrolls sideways or overflows the window`, async ({ labPage: page }, info) => {
      await page.setViewportSize(size)
      await page.emulateMedia({ colorScheme: theme })
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
      await page.screenshot({ path: info.outputPath(`${size.width}x${size.height}-${theme}-start.png`) })
      await openExample(page)
      await runToEnd(page)
      // the toolbar folds its view tabs below 1180 px of toolbar
      await expect(page.locator('header.toolbar')).toHaveAttribute('data-fold', size.width < 1180 ? 'views' : 'none')
      for (const view of VIEWS) {
        await showView(page, view)
        await page.waitForTimeout(300)
        const r = await page.evaluate<{ out: string[]; scrollWidth: number; bodyScrollWidth: number; width: number }>(OVERFLOWING)
        expect(r.out, `${view} at ${size.width}×${size.height} ${theme}`).toEqual([])
        expect(r.scrollWidth).toBeLessThanOrEqual(r.width)
        expect(r.bodyScrollWidth).toBeLessThanOrEqual(r.width)
        // the view's own scroller does not scroll sideways either
        const sideways = await page.getByTestId('view').evaluate((el) => el.scrollWidth - el.clientWidth)
        expect(sideways, `${view} scrolls sideways`).toBeLessThanOrEqual(1)
        await page.screenshot({ path: info.outputPath(`${size.width}x${size.height}-${theme}-${view}.png`) })
      }
      // help overlay fits the window
      await page.locator('body').click({ position: { x: 2, y: 2 } })
      await page.keyboard.press('?')
      await expect(page.getByTestId('help')).toBeVisible()
      const help = await page.getByTestId('help').locator('.help').boundingBox()
      expect(help && help.x >= 0 && help.x + help.width <= size.width && help.y >= 0).toBe(true)
      await page.screenshot({ path: info.outputPath(`${size.width}x${size.height}-${theme}-help.png`) })
    })
  }
}

test('the editor has a fixed default width, resizes with the pointer or the arrow keys, collapses, and keeps that over a reload', async ({ labPage: page }) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  await openExample(page)
  const pane = page.locator('.editor-pane')
  const width = async (): Promise<number> => (await pane.boundingBox())?.width ?? 0
  // the default width, whatever the longest phase label
  expect(await width()).toBeCloseTo(340, -1)
  const resizer = page.getByTestId('editor-resizer')
  const box = await resizer.boundingBox()
  if (!box) throw new Error('no resizer')
  await page.mouse.move(box.x + box.width / 2, box.y + 200)
  await page.mouse.down()
  await page.mouse.move(box.x + 120, box.y + 200, { steps: 5 })
  await page.mouse.up()
  await expect.poll(width).toBeGreaterThan(420)
  await resizer.focus()
  const before = await width()
  await page.keyboard.press('ArrowLeft')
  await expect.poll(width).toBeCloseTo(before - 20, 0)
  // bounded: it never takes more than half the window
  await page.mouse.move(box.x + 2, box.y + 200)
  await page.mouse.down()
  await page.mouse.move(1200, box.y + 200, { steps: 5 })
  await page.mouse.up()
  expect(await width()).toBeLessThanOrEqual(640)
  const kept = await width()
  await page.reload()
  await openExample(page)
  expect(await width()).toBeCloseTo(kept, 0)
  // double click: the default width again
  await page.getByTestId('editor-resizer').dblclick()
  await expect.poll(width).toBeCloseTo(340, -1)
  // a field's help shows two lines, and all of it while the field has the focus
  const help = page.getByTestId('field-guest.memoryMiB').locator('xpath=ancestor::div[contains(concat(" ", normalize-space(@class), " "), " field ")][1]').locator('.field-help')
  const cut = (): Promise<boolean> => help.evaluate((el) => el.scrollHeight > el.clientHeight + 1)
  expect(await cut()).toBe(true)
  await page.getByTestId('field-guest.memoryMiB').focus()
  await expect.poll(cut).toBe(false)
  // collapse and show again (toolbar button, and the key set's B)
  await page.getByTestId('editor-toggle').click()
  await expect(page.getByTestId('editor')).toHaveCount(0)
  await page.locator('body').click({ position: { x: 2, y: 2 } })
  await page.keyboard.press('b')
  await expect(page.getByTestId('editor')).toBeVisible()
})
