// The run library (issue 11): a finished run is kept on disk (the server's data folder) with its
// name, date and key figures, and stays after a reload; it reopens with its charts and past
// states, can be renamed and deleted; Compare picks any runs from it; a `prlab run --out` folder
// opens as a run, and a folder that is not one is refused with the file and the reason.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { fileCommand, openExample, runToEnd } from './lab_ui'

const rows = (page: Page) => page.locator('[data-testid^="run-row-"]')
const rowId = async (page: Page, i: number): Promise<string> => ((await rows(page).nth(i).getAttribute('data-testid')) ?? '').slice('run-row-'.length)

test('runs persist over a reload, reopen with their charts and past states, rename, compare and delete', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  await page.getByTestId('field-seed').fill('2')
  await runToEnd(page)
  await page.getByTestId('view-runs').click()
  await expect(rows(page)).toHaveCount(2)
  await expect(rows(page).first()).toHaveAttribute('data-name', 'Quick drain: 2 GiB guest frees 1.5 GiB')
  // key figures: simulated time, returned and its share of the freed memory, final host RSS
  await expect(rows(page).first()).toContainText('30.0 s')
  await expect(rows(page).first()).toContainText(/1\.48 GiB\s+9\d(\.\d)?\s?%/)
  await expect(page.getByTestId('library-policy')).toContainText('2 runs')

  // the library is on disk: a reload lists the same runs
  await page.reload()
  await openExample(page)
  await page.getByTestId('view-runs').click()
  await expect(rows(page)).toHaveCount(2)
  const first = await rowId(page, 0)
  const second = await rowId(page, 1)

  // rename (Enter commits); the name stays over a reload
  await page.getByTestId(`run-rename-${first}`).click()
  await page.getByTestId('run-rename-input').fill('baseline, seed 1')
  await page.getByTestId('run-rename-input').press('Enter')
  await expect(page.getByTestId(`run-row-${first}`)).toHaveAttribute('data-name', 'baseline, seed 1')
  await page.reload()
  await openExample(page)
  await page.getByTestId('view-runs').click()
  await expect(page.getByTestId(`run-row-${first}`)).toHaveAttribute('data-name', 'baseline, seed 1')

  // reopen: its charts, sample count and a past state recomputed from its experiment
  await page.getByTestId(`run-open-${first}`).click()
  await page.getByTestId('view-charts').click()
  await expect(page.getByTestId('status-rows')).toContainText('301 samples')
  await expect(page.getByTestId('chart-host')).toHaveAttribute('data-window', '0-30000')
  await page.getByTestId('view-snapshot').click()
  await page.getByTestId('snapshot-time').fill('10')
  await page.getByTestId('snapshot-time').dispatchEvent('change')
  await expect(page.getByTestId('state-time')).toHaveAttribute('data-t-ms', '10000')
  await expect(page.getByTestId('state-time')).toHaveAttribute('data-live', 'false')
  await expect(page.getByTestId('snapshot-buddyinfo')).toContainText('zone   DMA32')

  // Compare picks any runs of the library
  await page.getByTestId('view-runs').click()
  for (const id of [first, second]) {
    const box = page.getByTestId(`run-compare-${id}`)
    if (!(await box.isChecked())) await box.check()
  }
  await page.getByTestId('view-compare').click()
  await expect(page.getByTestId('compare-runs')).toContainText('baseline, seed 1')
  await expect(page.getByTestId(`compare-select-${first}`)).toBeChecked()
  await expect(page.getByTestId(`compare-select-${second}`)).toBeChecked()
  await expect(page.getByTestId('compare-figures')).toContainText('Returned to the host')

  // delete asks first; Cancel keeps it, Delete removes it from disk (gone after a reload)
  await page.getByTestId('view-runs').click()
  await page.getByTestId(`run-delete-${second}`).click()
  await page.getByTestId('confirm-cancel').click()
  await expect(rows(page)).toHaveCount(2)
  await page.getByTestId(`run-delete-${second}`).click()
  await page.getByTestId('confirm-ok').click()
  await expect(rows(page)).toHaveCount(1)
  await page.reload()
  await openExample(page)
  await page.getByTestId('view-runs').click()
  await expect(rows(page)).toHaveCount(1)
  await expect(page.getByTestId(`run-row-${second}`)).toHaveCount(0)
})

test('a prlab run --out folder opens as a run; a folder that is not one is refused', async ({ labPage: page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'prlab-e2e-folder-'))
  try {
    const out = join(dir, 'hyperv')
    const r = spawnSync(process.execPath, ['bin/prlab.mjs', 'run', 'resources/examples/quick-drain-2g.prlab.json', '--out', out], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    await openExample(page)
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), fileCommand(page, 'open-run-folder')])
    await chooser.setFiles(out)
    await expect(page.getByTestId('notice-info')).toContainText('in the run library')
    await page.getByTestId('view-runs').click()
    await expect(rows(page)).toHaveCount(1)
    await expect(rows(page).first()).toContainText('run folder')
    await expect(rows(page).first()).toContainText('1.48 GiB')
    const id = await rowId(page, 0)
    await page.getByTestId(`run-open-${id}`).click()
    await page.getByTestId('view-charts').click()
    await expect(page.getByTestId('status-rows')).toContainText('301 samples')
    // its experiment came with it: past states are recomputed
    await page.getByTestId('view-snapshot').click()
    await page.getByTestId('snapshot-time').fill('5')
    await page.getByTestId('snapshot-time').dispatchEvent('change')
    await expect(page.getByTestId('state-time')).toHaveAttribute('data-t-ms', '5000')

    // untrusted input: a samples.csv with a bad cell is refused with the file, line and reason
    const bad = join(dir, 'bad')
    spawnSync('mkdir', ['-p', bad])
    writeFileSync(join(bad, 'samples.csv'), 't_ms,free_kib\n0,100\n100,lots\n')
    const [again] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('view-runs').click().then(() => page.getByTestId('open-run-folder').click())])
    await again.setFiles(bad)
    await expect(page.getByTestId('notice-error')).toContainText('samples.csv')
    await expect(page.getByTestId('notice-error')).toContainText(/line 3/)
    await expect(rows(page)).toHaveCount(1)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
