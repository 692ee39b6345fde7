// The Host view and the fit in the Sweep view (issue 15), in the real app (browser mode, the real
// lab server): a shipped host example opened from the start screen and run, the OOM killer's
// victim named; an uploaded host file whose guests swap, its charts, explanations and guest
// table; and prlab fit's answer on the small case from the Sweep view.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, expect } from '../fixtures'
import { fileCommand } from './lab_ui'

const FIX = join(process.cwd(), 'test/fixtures/host')
const dir = mkdtempSync(join(tmpdir(), 'prlab-host-e2e-'))
test.afterAll(() => rmSync(dir, { recursive: true, force: true }))

const batch = {
  durationMs: 30000,
  guest: { memoryMiB: 1024 },
  reporting: { device: 'none' },
  workload: {
    phases: [
      { op: 'alloc', mib: 700, durationMs: 2000 },
      { op: 'idle', ms: 5000 },
      { op: 'free', fraction: 1 },
      { op: 'idle', ms: 8000 },
      { op: 'alloc', mib: 700, durationMs: 2000 },
      { op: 'idle', ms: 5000 },
      { op: 'free', fraction: 1 },
    ],
  },
  recorder: { sampleIntervalMs: 500 },
}

test('a host example opens from the start screen into the Host view, runs as a task, and names the OOM killer’s victim', async ({ labPage: page }) => {
  await page.getByTestId('example-lal-v12-3-guests-no-reporting').click()
  await expect(page.getByTestId('host-view')).toBeVisible()
  await expect(page.getByTestId('host-name')).toContainText('Lal v12: 3 guests')
  await page.getByTestId('host-run').click()
  await expect(page.getByTestId('host-explain')).toBeVisible({ timeout: 90_000 })
  await expect(page.getByTestId('host-sentence').filter({ hasText: 'the host ran out of memory and the OOM killer killed guest' })).toHaveCount(1)
  await expect(page.getByTestId('host-no-swap')).toContainText('The host has no swap')
  await expect(page.getByTestId('host-guests').locator('tbody tr')).toHaveCount(3)
  await expect(page.getByTestId('host-guests')).toContainText('killed (OOM')
  // per-guest RSS stacked against host RAM: 3 guests and two limits
  await expect(page.getByTestId('host-rss-chart')).toHaveAttribute('data-lines', '5')
})

test('an uploaded host file whose guests outgrow RAM: swap per guest, swap-in stall per guest, and the sentences that say why', async ({ labPage: page }) => {
  const file = join(dir, 'three-batches.prlab.json')
  writeFileSync(file, JSON.stringify({ format: 'page-reporting-lab/experiment', version: 2, name: 'four batch jobs on 3 GiB', machine: { memoryMiB: 3072, swapMiB: 2048 }, guests: [{ name: 'batch', experiment: batch, count: 4, staggerMs: 3000 }], recorder: { sampleIntervalMs: 500 } }))
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-file').setInputFiles(file)
  await expect(page.getByTestId('host-name')).toHaveText('four batch jobs on 3 GiB')
  await page.getByTestId('host-run').click()
  await expect(page.getByTestId('host-explain')).toBeVisible({ timeout: 90_000 })
  await expect(page.getByTestId('host-sentence').filter({ hasText: /^The host swapped out / })).toHaveCount(1)
  await expect(page.getByTestId('host-sentence').filter({ hasText: /^Swap-ins cost guest \d the most/ })).toHaveCount(1)
  await expect(page.getByTestId('host-sentence').filter({ hasText: /gave nothing back/ }).first()).toBeVisible()
  await expect(page.getByTestId('host-swap-chart')).toHaveAttribute('data-lines', '5')
  await expect(page.getByTestId('host-stall-chart')).toHaveAttribute('data-lines', '4')
  await expect(page.getByTestId('host-guests').locator('tbody tr.problem')).not.toHaveCount(0)
  await expect(page.getByTestId('host-kswapd')).toContainText(/kswapd woke \d+ times and swapped out/)
  for (const [w, h] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width: w, height: h })
    await page.screenshot({ path: join(dir, `host-${w}.png`), fullPage: true })
  }
})

test('a bad host file names the field, and a guest experiment is refused with where it opens', async ({ labPage: page }) => {
  const bad = join(dir, 'bad.prlab.json')
  writeFileSync(bad, JSON.stringify({ format: 'page-reporting-lab/experiment', version: 2, machine: { memoryMiB: 'lots' }, guests: [] }))
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-file').setInputFiles(bad)
  await expect(page.getByTestId('host-error')).toContainText('machine.memoryMiB')
  await page.getByTestId('host-file').setInputFiles(join(FIX, 'batch-1g.prlab.json'))
  await expect(page.getByTestId('host-error')).toContainText('this is a guest experiment')
})

test('the Sweep view answers how many copies fit, as prlab fit does on the small case', async ({ labPage: page }) => {
  // the guest in the editor, the host from the Host view
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), fileCommand(page, 'open')])
  await chooser.setFiles(join(FIX, 'batch-1g.prlab.json'))
  await expect(page.getByTestId('editor')).toBeVisible()
  await page.getByTestId('view-host').click()
  await page.getByTestId('host-file').setInputFiles(join(FIX, 'host-3g.prlab.json'))
  await expect(page.getByTestId('host-name')).toHaveText('3 GiB host, 2 GiB swap')
  await page.getByTestId('view-sweep').click()
  await page.getByTestId('fit-slo').fill('swapin_ms_per_s<5')
  await page.getByTestId('fit-stagger').fill('3000')
  await page.getByTestId('fit-max').fill('8')
  await page.getByTestId('fit-start').click()
  await expect(page.getByTestId('fit-answer')).toContainText('3 × 1 GiB batch job, no reporting fit (swapin_ms_per_s<5)', { timeout: 120_000 })
  await expect(page.getByTestId('fit-answer')).toContainText('4 do not: swapin_ms_per_s = 438.443, not < 5')
  await expect(page.getByTestId('fit-point-3')).toContainText('meets')
  await expect(page.getByTestId('fit-point-4')).toContainText('fails')
})
