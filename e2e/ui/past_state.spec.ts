// Any past state at the cursor (issue 11): the memory map, buddyinfo and pagetypeinfo (per
// migratetype, with reported counts) at a recorded time, each view saying which time it shows
// and following the cursor. The state at t is the state the run had at t: buddyinfo at a cursor
// equals the nr_free columns of that sample row of the run's own samples.csv.
import { readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { fileCommand, openExample, runToEnd } from './lab_ui'

const ORDERS = 11

async function samplesCsv(page: Page): Promise<Map<number, Record<string, number>>> {
  const [download] = await Promise.all([page.waitForEvent('download'), fileCommand(page, 'export-csv')])
  const [head, ...lines] = readFileSync(await download.path(), 'utf8').trimEnd().split(/\r?\n/)
  const names = head.split(',')
  const rows = new Map<number, Record<string, number>>()
  for (const line of lines) {
    const cells = line.split(',')
    const row = Object.fromEntries(names.map((n, i) => [n, Number(cells[i])]))
    rows.set(row.t_ms, row)
  }
  return rows
}

/** buddyinfo's counts per order summed over its zones. */
function buddyinfoTotals(text: string): number[] {
  const totals = new Array<number>(ORDERS).fill(0)
  for (const line of text.split('\n')) {
    const m = /^Node \d+, zone\s+\S+\s+(.*)$/.exec(line)
    if (!m) continue
    m[1].trim().split(/\s+/).map(Number).forEach((n, o) => (totals[o] += n))
  }
  return totals
}

/** The per-migratetype tables' cells: "free" or "free / reported", summed per order over zones and migratetypes. */
async function areaTotals(page: Page): Promise<{ free: number[]; reported: number[] }> {
  const free = new Array<number>(ORDERS).fill(0)
  const reported = new Array<number>(ORDERS).fill(0)
  for (const table of await page.locator('table.area').all()) {
    for (const row of await table.locator('tbody tr').all()) {
      const cells = await row.locator('td').allTextContents()
      for (let o = 0; o < ORDERS; o++) {
        const [f, r] = cells[o].split('/').map((x) => Number(x.trim()))
        free[o] += f
        reported[o] += r || 0
      }
    }
  }
  return { free, reported }
}

test('buddyinfo and pagetypeinfo at the cursor equal the run at that time; the memory map follows the cursor', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  const rows = await samplesCsv(page)

  await page.getByTestId('view-snapshot').click()
  const shown = page.getByTestId('state-time')
  await expect(shown).toContainText('latest state, +0:30')
  // during the 1.5 GiB allocation, between two samples (the state is that of the sample at or before)
  for (const [typed, t_ms] of [
    ['1.05', 1000],
    ['+0:04', 4000],
    ['20', 20_000],
  ] as const) {
    await page.getByTestId('snapshot-time').fill(typed)
    await page.getByTestId('snapshot-time').dispatchEvent('change')
    await expect(shown).toHaveAttribute('data-t-ms', String(t_ms))
    await expect(shown).toContainText(`state at ${t_ms === 1000 ? '+0:01' : t_ms === 4000 ? '+0:04' : '+0:20'}`)
    const row = rows.get(t_ms)
    if (!row) throw new Error(`no sample at ${t_ms} ms`)
    const buddyinfo = (await page.getByTestId('snapshot-buddyinfo').textContent()) ?? ''
    const expected = Array.from({ length: ORDERS }, (_, o) => row[`nr_free_${o}`])
    expect(buddyinfoTotals(buddyinfo)).toEqual(expected)
    const area = await areaTotals(page)
    expect(area.free).toEqual(expected)
    expect(area.reported).toEqual(Array.from({ length: ORDERS }, (_, o) => row[`nr_reported_${o}`]))
    await expect(page.getByTestId('snapshot-pagetypeinfo')).toContainText('Free pages count per migrate type at order')
  }
  // the free at +0:02 was reported by +0:20: some reported counts are not zero there
  expect((await areaTotals(page)).reported.some((n) => n > 0)).toBe(true)

  // the memory map shows the same time (the cursor is shared by the views)
  await page.getByTestId('view-memory').click()
  await expect(page.getByTestId('state-time')).toHaveAttribute('data-t-ms', '20000')
  await expect(page.getByTestId('state-time')).toContainText('state at +0:20')
  await page.getByTestId('view-charts').click()
  await expect(page.getByTestId('time-cursor')).toContainText('cursor +0:20')
  // a click on a chart moves the cursor; the map follows
  const plot = page.getByTestId('chart-host').locator('.plot')
  const box = await plot.boundingBox()
  if (!box) throw new Error('not laid out')
  await plot.click({ position: { x: 56 + (box.width - 72) * 0.05, y: box.height / 2 } })
  await expect(page.getByTestId('time-cursor')).toContainText(/cursor \+0:0[12]/)
  await page.getByTestId('view-memory').click()
  await expect.poll(async () => Number(await page.getByTestId('state-time').getAttribute('data-t-ms'))).toBeLessThan(3000)
  // Esc clears the cursor: the latest state again
  await page.locator('body').click({ position: { x: 2, y: 2 } })
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('state-time')).toContainText('latest state')
})
