// File commands in browser mode: export CSV and trace, save and open (upload and drop), the
// dirty marker in the title and the prompt before losing changes.
import { readFile } from 'node:fs/promises'
import { test, expect } from '../fixtures'
import type { Page } from '@playwright/test'
import { fileCommand, fileCommandEnabled, openExample, runToEnd } from './lab_ui'

/** samples.csv columns DESIGN.md fixes, in order (more may follow). */
const DOCUMENTED_HEADER = [
  't_ms',
  'free_kib',
  'reported_kib',
  'isolated_kib',
  'pcp_kib',
  'host_rss_kib',
  'reclaimed_kib',
  'refaulted_kib',
  'report_calls',
  'reporting_state',
  ...Array.from({ length: 11 }, (_, o) => `nr_free_${o}`),
  ...Array.from({ length: 11 }, (_, o) => `nr_reported_${o}`),
]

async function downloadText(page: Page, command: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), fileCommand(page, command)])
  const path = await download.path()
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') }
}

test('export produces a samples CSV with the documented header, and a Perfetto trace', async ({ labPage: page }) => {
  await openExample(page)
  expect(await fileCommandEnabled(page, 'export-csv')).toBe(false)
  await runToEnd(page)

  const csv = await downloadText(page, 'export-csv')
  expect(csv.name).toMatch(/\.csv$/)
  const lines = csv.text.trimEnd().split(/\r?\n/)
  expect(lines[0].split(',').slice(0, DOCUMENTED_HEADER.length)).toEqual(DOCUMENTED_HEADER)
  // 30 s at one row per 100 ms, from t = 0
  expect(lines.length - 1).toBeGreaterThanOrEqual(300)

  const trace = await downloadText(page, 'export-perfetto')
  const parsed = JSON.parse(trace.text) as { traceEvents: { ph: string }[] }
  expect(parsed.traceEvents.some((e) => e.ph === 'C')).toBe(true)
})

test('edits mark the title dirty, save downloads the edited file, and it opens again', async ({ labPage: page }) => {
  await openExample(page)
  await expect(page).toHaveTitle('quick-drain-2g.prlab.json • Page Reporting Lab')
  await page.getByTestId('field-guest.cpus').fill('4')
  await expect(page).toHaveTitle('● quick-drain-2g.prlab.json • Page Reporting Lab')
  await expect(page.getByTestId('doc-dirty')).toBeVisible()

  const saved = await downloadText(page, 'save')
  expect(JSON.parse(saved.text)).toMatchObject({ format: 'page-reporting-lab/experiment', guest: { memoryMiB: 2048, cpus: 4 } })
  await expect(page).toHaveTitle('quick-drain-2g.prlab.json • Page Reporting Lab')

  // New on a dirty document asks first; Cancel keeps the edits
  await page.getByTestId('field-guest.cpus').fill('8')
  await fileCommand(page, 'new')
  await expect(page.getByTestId('confirm-dialog')).toBeVisible()
  await page.getByTestId('confirm-cancel').click()
  await expect(page.getByTestId('field-guest.cpus')).toHaveValue('8')
  await fileCommand(page, 'new')
  await page.getByTestId('confirm-alternative').click()
  await expect(page).toHaveTitle('untitled.prlab.json • Page Reporting Lab')

  // open the saved file by upload
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), fileCommand(page, 'open')])
  await chooser.setFiles({ name: 'mine.prlab.json', mimeType: 'application/json', buffer: Buffer.from(saved.text) })
  await expect(page).toHaveTitle('mine.prlab.json • Page Reporting Lab')
  await expect(page.getByTestId('field-guest.cpus')).toHaveValue('4')
})

test('a dropped invalid file is refused with its name, field and line', async ({ labPage: page }) => {
  await openExample(page)
  const text = '{\n  "format": "page-reporting-lab/experiment",\n  "version": 1,\n  "guest": { "memoryMiB": 2048, "cpu": 2 }\n}\n'
  // page-side code as text: this file is type-checked without the DOM library
  const transfer = await page.evaluateHandle(`(() => {
    const dt = new DataTransfer()
    dt.items.add(new File([${JSON.stringify(text)}], 'typo.prlab.json', { type: 'application/json' }))
    return dt
  })()`)
  await page.locator('.app').dispatchEvent('dragenter', { dataTransfer: transfer })
  await expect(page.getByTestId('drop-overlay')).toBeVisible()
  await page.locator('.app').dispatchEvent('drop', { dataTransfer: transfer })
  const notice = page.getByTestId('notice-error')
  await expect(notice).toContainText('typo.prlab.json')
  await expect(notice).toContainText('guest.cpu')
  await expect(page).toHaveTitle('quick-drain-2g.prlab.json • Page Reporting Lab')
})
