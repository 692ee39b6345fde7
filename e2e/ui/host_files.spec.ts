// Host experiments whose guests are given by `file` (issue 15), browser mode against the real lab
// server: the host file is chosen together with its guest files, as a folder or by multi-select,
// and each `file` entry resolves among them by its path relative to the host file; what is
// missing is listed; the run uses the guest files chosen. The guests' data files (a replay trace,
// a buddyinfo snapshot) come with them, or from the Data view's imports.
import { join } from 'node:path'
import { test, expect } from '../fixtures'
import { OVERFLOWING, openExample } from './lab_ui'

const FOLDER = join(process.cwd(), 'test/fixtures/host-folder')
const HOST = join(FOLDER, 'host.prlab.json')
const GUEST = join(FOLDER, 'guests/batch-1g.prlab.json')
// a host whose guests name a trace (`../traces/…` from guests/) and a buddyinfo snapshot
const DATA = join(process.cwd(), 'test/fixtures/host-data')
const DATA_FILES = ['host.prlab.json', 'guests/replay-1g.prlab.json', 'traces/cc1-exit-1g.trace.txt', 'buddyinfo-1g-guest.txt'].map((f) => join(DATA, f))

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

test("a host folder's guests replay the trace and start from the snapshot chosen with it; files no guest names stay behind", async ({ labPage: page }) => {
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-folder').setInputFiles(DATA)
  await expect(page.getByTestId('host-name')).toHaveText('a replayed compiler job beside a guest started from a snapshot')
  await expect(page.getByTestId('host-error')).toHaveCount(0)
  await page.getByTestId('host-run').click()
  await expect(page.getByTestId('host-explain')).toBeVisible({ timeout: 90_000 })
  await expect(page.getByTestId('host-guests').locator('tbody tr')).toHaveCount(2)
  await expect(page.getByTestId('host-guests')).toContainText('cc1')
  await expect(page.getByTestId('host-error')).toHaveCount(0)
})

test('several files chosen: a trace left out is listed with the guest naming it; imported in the Data view, it is found there', async ({ labPage: page }) => {
  await page.getByTestId('view-host').click()
  const withoutTrace = DATA_FILES.filter((f) => !f.endsWith('.trace.txt'))
  await page.getByTestId('host-file').setInputFiles(withoutTrace)
  await expect(page.getByTestId('host-error')).toContainText('1 data file is missing from the files chosen: guests[0] -> workload.phases[0].file ../traces/cc1-exit-1g.trace.txt (looked for traces/cc1-exit-1g.trace.txt)')
  await expect(page.getByTestId('host-run')).toHaveCount(0)
  // chosen with the rest (flat: by base name)
  await page.getByTestId('host-file').setInputFiles(DATA_FILES)
  await expect(page.getByTestId('host-error')).toHaveCount(0)
  await expect(page.getByTestId('host-run')).toBeVisible()
  // or imported in this session (the Data view needs an experiment open)
  await page.getByTestId('view-data').click()
  await openExample(page)
  await page.getByTestId('view-data').click()
  await page.getByTestId('import-file').setInputFiles(DATA_FILES[2])
  await expect(page.getByTestId('import-summary')).toContainText('cc1-exit-1g.trace.txt')
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-file').setInputFiles(withoutTrace)
  await expect(page.getByTestId('host-error')).toHaveCount(0)
  await page.getByTestId('host-run').click()
  await expect(page.getByTestId('host-explain')).toBeVisible({ timeout: 90_000 })
  await expect(page.getByTestId('host-guests').locator('tbody tr')).toHaveCount(2)
})
