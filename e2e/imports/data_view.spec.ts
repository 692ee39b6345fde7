// The Data and Sweep views in the real app (browser mode, the real lab server): real data
// imported beside a run and overlaid on it, a buddyinfo snapshot made the guest's initial free
// state, a kmem trace made the workload, and a sweep's result as a table and a chart.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { fileCommand, openExample, runToEnd } from '../ui/lab_ui'
import { importFile } from '../../src/host/import/index'
import { rssError } from '../../src/renderer/src/features/imports/rss_error'

const FIXTURES = join(process.cwd(), 'test/fixtures/imports')

/** The canvas as the page sees it (the Node config has no DOM types). */
interface Canvas2d {
  readonly width: number
  readonly height: number
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null
}

/** Pixels of the chart's canvas within `tolerance` of `rgb` (a line drawn in that colour). */
function pixelsOf(chart: Locator, rgb: readonly [number, number, number], tolerance = 24): Promise<number> {
  return chart
    .locator('canvas')
    .first()
    .evaluate(
      (el, [[r, g, b], tol]) => {
        const canvas = el as unknown as Canvas2d
        const d = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data
        let n = 0
        if (d === undefined) return n
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 200 && Math.abs(d[i] - r) <= tol && Math.abs(d[i + 1] - g) <= tol && Math.abs(d[i + 2] - b) <= tol) n++
        }
        return n
      },
      [rgb, tolerance] as const,
    )
}

async function importFixture(page: Page, name: string): Promise<void> {
  await page.getByTestId('view-data').click()
  await page.getByTestId('import-file').setInputFiles(join(FIXTURES, name))
  await expect(page.getByTestId('import-summary')).toContainText(name)
}

async function downloadText(page: Page, command: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), fileCommand(page, command)])
  return readFileSync(await download.path(), 'utf8')
}

test('a measured RSS CSV is overlaid on the run with the error figures of the exported samples, and on the host-memory chart', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  await importFixture(page, 'rss-hyperalloc.csv')
  await expect(page.getByTestId('import-summary')).toContainText('40 RSS samples (time, rss in bytes)')

  // the figures the view shows are those of the run's own samples.csv against the file
  const csv = (await downloadText(page, 'export-csv')).trimEnd().split('\n')
  const header = csv[0].split(',')
  const [ti, ri] = [header.indexOf('t_ms'), header.indexOf('host_rss_kib')]
  const rows = csv.slice(1).map((l) => l.split(','))
  const simulated = { t_ms: rows.map((r) => Number(r[ti])), kib: rows.map((r) => Number(r[ri])) }
  const imported = await importFile('rss', join(FIXTURES, 'rss-hyperalloc.csv'))
  if (!imported.ok || imported.value.kind !== 'rss') throw new Error('the fixture did not import')
  const expected = rssError(simulated, { t_ms: imported.value.t_ms, kib: imported.value.rss_kib })
  if (expected === null) throw new Error('the run and the fixture do not overlap')
  const figure = page.getByTestId('rss-error')
  await expect(figure).toContainText(`RMSE ${expected.rmse_mib.toFixed(1)} MiB · MAE ${expected.mae_mib.toFixed(1)} MiB · bias ${expected.bias_mib.toFixed(1)} MiB`)
  await expect(figure).toContainText(`over ${expected.points} measured samples`)

  // both curves are drawn: the run's host RSS (#e8590c) and the measured series (#2b8fe0)
  const overlay = page.getByTestId('rss-overlay')
  await expect.poll(() => pixelsOf(overlay, [0xe8, 0x59, 0x0c])).toBeGreaterThan(100)
  await expect.poll(() => pixelsOf(overlay, [0x2b, 0x8f, 0xe0])).toBeGreaterThan(100)

  // moving the measured series past the run's end leaves no overlap
  await page.getByTestId('rss-offset').fill('100')
  await page.getByTestId('rss-offset').dispatchEvent('change')
  await expect(figure).toHaveText('No overlap between the run and the measured series at this offset.')
  await page.getByTestId('rss-offset').fill('0')
  await page.getByTestId('rss-offset').dispatchEvent('change')
  await expect(figure).toContainText(`RMSE ${expected.rmse_mib.toFixed(1)} MiB`)
  // the 30 s run holds 18 of the 40 samples (67 s): too few to fit an offset
  await page.getByTestId('rss-fit').click()
  await expect(page.getByTestId('rss-fit-note')).toContainText('No offset puts at least half of the 40 measured samples inside the run')
  await expect(page.getByTestId('rss-offset')).toHaveValue('0.00')
  // a 90 s run holds them all; fitting the offset can only lower the error
  await page.getByTestId('field-durationMs').fill('90000')
  await runToEnd(page)
  await expect(figure).toContainText('over 40 measured samples')
  const rmse = async (): Promise<number> => Number(/RMSE ([\d.]+) MiB/.exec((await figure.textContent()) ?? '')?.[1])
  const atZero = await rmse()
  await page.getByTestId('rss-fit').click()
  await expect(page.getByTestId('rss-fit-note')).toHaveCount(0)
  expect(await rmse()).toBeLessThanOrEqual(atZero)

  // the import belongs to the run it was opened with (issue 11): the 90 s run's host-memory chart
  // does not draw it until it is pinned; removing it takes it off
  const measuredPixels = (): Promise<number> => pixelsOf(page.getByTestId('chart-host'), [0x0b, 0x72, 0x85])
  await expect(page.getByTestId('import-item-rss-hyperalloc.csv')).toHaveAttribute('title', /belongs to an earlier run/)
  await page.getByTestId('view-charts').click()
  await expect(page.getByTestId('chart-host-legend')).not.toContainText('measured')
  await page.getByTestId('view-data').click()
  await page.getByTestId('import-pin-rss-hyperalloc.csv').click()
  await expect(page.getByTestId('import-pin-rss-hyperalloc.csv')).toHaveAttribute('aria-pressed', 'true')
  // pinned, the Charts view draws the measured series (#0b7285, dashed) over the run's host memory
  await page.getByTestId('view-charts').click()
  await expect.poll(measuredPixels).toBeGreaterThan(50)
  await page.getByTestId('view-data').click()
  await page.getByTestId('import-remove-rss-hyperalloc.csv').click()
  await expect(page.getByTestId('import-rss-hyperalloc.csv')).toHaveCount(0)
  await page.getByTestId('view-charts').click()
  await expect.poll(measuredPixels).toBe(0)
})

test('lines a file could not use are listed with their line numbers', async ({ labPage: page }) => {
  await openExample(page)
  await importFixture(page, 'buddyinfo-malformed.txt')
  const problems = page.getByTestId('import-problems')
  // test/fixtures/imports/README.md: a truncated DMA32 line (7, which also leaves its snapshot of
  // line 6 without DMA32) and a garbage line (13)
  await expect(problems).toContainText('3 lines not used')
  await problems.locator('summary').click()
  await expect(problems.locator('li')).toHaveText([/^line 7 expected 11 counts/, /^line 6 snapshot lacks zone\(s\) 0:DMA32/, /^line 13 expected "Node <n>, zone <name>"/])
  await expect(page.getByTestId('import-item-buddyinfo-malformed.txt')).toContainText('⚠ 3')
})

test('a buddyinfo series is drawn over the run, and one snapshot becomes the initial free state of the next run', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  await importFixture(page, 'buddyinfo-series.txt')
  await expect(page.getByTestId('import-summary')).toContainText('5 buddyinfo snapshots of DMA, DMA32 over 4.0 s')
  const overlay = page.getByTestId('buddyinfo-overlay')
  // order 10 (#c23a76) is drawn by both the run (solid) and the file (dashed)
  await expect.poll(() => pixelsOf(overlay, [0xc2, 0x3a, 0x76])).toBeGreaterThan(100)
  await expect(page.getByTestId('buddyinfo-zone').locator('option')).toHaveText(['all', 'DMA', 'DMA32'])

  await page.getByTestId('buddyinfo-snapshot').fill('2')
  await page.getByTestId('buddyinfo-use').click()
  await expect(page.getByTestId('notice-info')).toContainText('snapshot 2 of buddyinfo-series.txt')
  await expect(page.getByTestId('field-guest.initialFreeState.file')).toHaveValue('buddyinfo-series.txt')
  await expect(page.getByTestId('field-guest.initialFreeState.snapshot')).toHaveValue('2')
  await expect(page.getByTestId('named-inputs')).toContainText('buddyinfo-series.txt ✓')

  // the host finds the file among this session's imports and the run starts from it
  await runToEnd(page)
  const state = await downloadText(page, 'save')
  expect(JSON.parse(state)).toMatchObject({ guest: { initialFreeState: { file: 'buddyinfo-series.txt', snapshot: 2 } } })
})

test('an imported kmem trace becomes the workload and replays in a run', async ({ labPage: page }) => {
  await openExample(page)
  await importFixture(page, 'ftrace-6.6-trace.txt')
  const panel = page.getByTestId('ftrace-replay')
  // the fixture's scenario (test/fixtures/imports/README.md): allocs 1, 3 and 11 (12 reuses a live block)
  await expect(panel.locator('tr', { hasText: 'failed allocations' })).toContainText('1')
  await expect(panel.locator('tr', { hasText: 'frees of unknown pages' })).toContainText('1')
  await page.getByTestId('ftrace-speed').fill('2')
  await page.getByTestId('ftrace-replay-start').click()
  await expect(page.getByTestId('notice-info')).toContainText('ftrace-6.6-trace.txt')
  await expect(page.getByTestId('phase-0-op')).toHaveValue('replay')
  await expect(page.getByTestId('phase-1')).toHaveCount(0)
  await runToEnd(page)
})

test('a sweep.csv opens as a table and a chart of a figure against a parameter', async ({ labPage: page }) => {
  const out = mkdtempSync(join(tmpdir(), 'prlab-sweep-e2e-'))
  try {
    const r = spawnSync(
      process.execPath,
      ['bin/prlab.mjs', 'sweep', 'resources/examples/quick-drain-2g.prlab.json', '--grid', 'reporting.order=7,9', '--grid', 'guest.kernel=5.10,6.6', '--out', out, '--jobs', '1'],
      { encoding: 'utf8' },
    )
    expect(r.status, r.stderr).toBe(0)
    await openExample(page)
    await page.getByTestId('view-sweep').click()
    await expect(page.getByTestId('sweep-empty')).toBeVisible()
    await page.getByTestId('sweep-file').setInputFiles(join(out, 'sweep.csv'))

    const table = page.getByTestId('sweep-table')
    await expect(table).toContainText('sweep.csv: 4 points over reporting.order × guest.kernel')
    await expect(table.locator('tbody tr')).toHaveCount(4)
    // the table sorts by a column: order 9 first when descending
    await table.locator('th', { hasText: 'reporting.order' }).click()
    await table.locator('th', { hasText: 'reporting.order' }).click()
    await expect(table.locator('tbody tr').first().locator('td').nth(1)).toHaveText('9')

    const chart = page.getByTestId('sweep-chart')
    await expect(page.getByTestId('sweep-x')).toHaveValue('reporting.order')
    await expect(page.getByTestId('sweep-by').locator('option')).toHaveText(['—', 'guest.kernel'])
    await expect(page.getByTestId('sweep-y')).toHaveValue('final_host_rss_kib')
    // one line per kernel, in the first two series colours (SERIES_COLORS)
    await expect.poll(() => pixelsOf(chart, [0x2b, 0x8f, 0xe0])).toBeGreaterThan(30)
    await expect.poll(() => pixelsOf(chart, [0xe8, 0x59, 0x0c])).toBeGreaterThan(30)
    await page.getByTestId('sweep-by').selectOption('—')
    await expect.poll(() => pixelsOf(chart, [0xe8, 0x59, 0x0c])).toBe(0)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

test('a data file dropped on the window is imported into the Data view, with its kind from its name', async ({ labPage: page }) => {
  await openExample(page)
  const text = readFileSync(join(FIXTURES, 'buddyinfo-6.6.txt'), 'utf8')
  // page-side code as text: this file is type-checked without the DOM library
  const transfer = await page.evaluateHandle(`(() => {
    const dt = new DataTransfer()
    dt.items.add(new File([${JSON.stringify(text)}], 'buddyinfo-6.6.txt', { type: 'text/plain' }))
    return dt
  })()`)
  await page.locator('.app').dispatchEvent('dragenter', { dataTransfer: transfer })
  await expect(page.getByTestId('drop-overlay')).toContainText('real data')
  await page.locator('.app').dispatchEvent('drop', { dataTransfer: transfer })
  await expect(page.getByTestId('view-data')).toHaveClass(/active/)
  await expect(page.getByTestId('import-summary')).toContainText('buddyinfo-6.6.txt: 1 buddyinfo snapshot of')
  await expect(page.getByTestId('buddyinfo-overlay')).toBeVisible()
  await expect(page).toHaveTitle('quick-drain-2g.prlab.json • Page Reporting Lab')
})
