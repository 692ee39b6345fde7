// Host experiments whose guests are given by `file` (issue 15), browser mode against the real lab
// server: the host file is chosen together with its guest files, as a folder or by multi-select,
// and each `file` entry resolves among them by its path relative to the host file; what is
// missing is listed; the run uses the guest files chosen.
import { join } from 'node:path'
import { test, expect } from '../fixtures'
import { OVERFLOWING } from './lab_ui'

const FOLDER = join(process.cwd(), 'test/fixtures/host-folder')
const HOST = join(FOLDER, 'host.prlab.json')
const GUEST = join(FOLDER, 'guests/batch-1g.prlab.json')

test('a host file chosen with its folder resolves its guests by relative path and runs them', async ({ labPage: page }) => {
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-folder').setInputFiles(FOLDER)
  await expect(page.getByTestId('host-name')).toHaveText('two batch jobs on 3 GiB, guests in a folder')
  await expect(page.getByTestId('host-error')).toHaveCount(0)
  await page.getByTestId('host-run').click()
  await expect(page.getByTestId('host-explain')).toBeVisible({ timeout: 90_000 })
  // two copies of the guest file's 1 GiB batch job
  await expect(page.getByTestId('host-guests').locator('tbody tr')).toHaveCount(2)
  await expect(page.getByTestId('host-guests')).toContainText('batch')
})

test('the Host view\'s file pickers fit 1024×700 to 1440×900 in both themes', async ({ labPage: page }, info) => {
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-file').setInputFiles(HOST)
  await expect(page.getByTestId('host-error')).toBeVisible()
  for (const size of [{ width: 1024, height: 700 }, { width: 1280, height: 720 }, { width: 1440, height: 900 }]) {
    for (const theme of ['light', 'dark'] as const) {
      await page.setViewportSize(size)
      await page.emulateMedia({ colorScheme: theme })
      const r = await page.evaluate<{ out: string[] }>(OVERFLOWING)
      expect(r.out, `${size.width}×${size.height} ${theme}`).toEqual([])
      await page.screenshot({ path: info.outputPath(`${size.width}x${size.height}-${theme}-host-files.png`) })
    }
  }
})

test('a host file chosen without its guest files lists what is missing; chosen together they open', async ({ labPage: page }) => {
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-file').setInputFiles(HOST)
  await expect(page.getByTestId('host-error')).toContainText('1 guest file is missing from the files chosen: guests[0].file guests/batch-1g.prlab.json (looked for guests/batch-1g.prlab.json)')
  await expect(page.getByTestId('host-run')).toHaveCount(0)
  await page.getByTestId('host-file').setInputFiles([HOST, GUEST])
  await expect(page.getByTestId('host-error')).toHaveCount(0)
  await expect(page.getByTestId('host-name')).toHaveText('two batch jobs on 3 GiB, guests in a folder')
  await page.getByTestId('host-run').click()
  await expect(page.getByTestId('host-explain')).toBeVisible({ timeout: 90_000 })
  await expect(page.getByTestId('host-guests').locator('tbody tr')).toHaveCount(2)
})
