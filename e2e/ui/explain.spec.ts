// Issue 10: each failure kind produces its notice, its mark on the time axis and its event row
// (which moves the time cursor); the editor warns before the run from the engine's own rules; the
// run summary and the Explain panel say what came back and why not the rest.
import type { Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { openExample, runToEnd } from './lab_ui'

async function expectFailureShown(page: Page, kind: string, label: string, notice: RegExp): Promise<void> {
  await expect(page.getByTestId('notice-error').filter({ hasText: notice }).first()).toBeVisible()
  await expect(page.getByTestId('chart-free')).toHaveAttribute('data-marks', new RegExp(label))
  await expect(page.getByTestId('chart-reported')).toHaveAttribute('data-marks', new RegExp(label))
  const row = page.getByTestId(`event-row-${kind}`).first()
  await expect(row).toBeVisible()
  // the time cell: the notices sit over the right end of the list
  await row.locator('td').first().click()
  await expect(page.getByTestId('time-cursor')).toBeVisible()
  const t = (await row.locator('td').first().innerText()).trim()
  await expect(page.getByTestId('time-cursor')).toContainText(t)
}

test('probe failure: capacity above the virtqueue size warns, then the run says why nothing came back', async ({ labPage: page }) => {
  await openExample(page)
  await page.getByTestId('field-reporting.capacity').fill('128')
  await expect(page.getByTestId('editor-warnings')).toContainText('-ENOSPC')
  await runToEnd(page)
  await expectFailureShown(page, 'probe-failure', 'probe failure', /Probe failure/)
  await expect(page.getByTestId('summary-failure')).toContainText('probe failed: -ENOSPC')
  await expect(page.getByTestId('summary-returned')).toContainText('0 KiB')
  await expect(page.getByTestId('summary-stayed')).toContainText('no reporting')
  await expect(page.getByTestId('explain')).toContainText('virtballoon_probe()')
})

test('hv_balloon: report error, order change and unregister after repeated hypercall failures', async ({ labPage: page }) => {
  await openExample(page, 'hyperv-order-5')
  await expect(page.getByTestId('editor-warnings')).toContainText('HV_STATUS_INVALID_PARAMETER')
  await page.getByTestId('field-device.hvFailAfterReports').fill('0')
  await runToEnd(page)
  await expectFailureShown(page, 'report-error', 'report error', /Report error/)
  // an order change is news, not a failure: an info notice (it fades), a mark and a row
  await expect(page.getByTestId('event-row-order-change').first()).toBeVisible()
  await expect(page.getByTestId('chart-host')).toHaveAttribute('data-marks', /order change/)
  await expectFailureShown(page, 'unregister', 'unregister', /Unregister/)
  await page.getByTestId('event-kind').selectOption('order-change')
  await expect(page.getByTestId('event-row-order-change').first()).toContainText('INVALID_PARAMETER')
  await expect(page.getByTestId('event-row-report-error')).toHaveCount(0)
  await page.getByTestId('event-kind').selectOption('all')
  await page.getByTestId('event-search').fill('no such text')
  await expect(page.getByTestId('event-list')).toContainText('No event matches')
})

test('allocation failure: more than the guest has', async ({ labPage: page }) => {
  await openExample(page)
  await page.getByTestId('field-workload.phases[0].mib').fill('4096')
  await runToEnd(page)
  await expectFailureShown(page, 'alloc-failure', 'allocation failure', /Allocation failure/)
})

test('a healthy run: the summary answers, passes are bands, Compare colours by meaning', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  // what CPU 0's per-CPU lists keep is never returned (the workload runs on one CPU: workload.placement)
  await expect(page.getByTestId('summary-returned')).toContainText('1.48 GiB')
  await expect(page.getByTestId('summary-freed')).toContainText('1.50 GiB')
  await expect(page.getByTestId('summary-passes')).toContainText('8')
  await expect(page.getByTestId('explain')).toContainText('page_reporting_cycle()')
  await expect(page.getByTestId('chart-watermarks')).toHaveAttribute('data-bands', '8')
  await expect(page.getByTestId('notice-error')).toHaveCount(0)
  // a second run without reporting: less returned is worse, report calls are not coloured
  await page.getByTestId('field-reporting.capacity').fill('128')
  await runToEnd(page)
  await page.getByTestId('view-compare').click()
  await expect(page.getByTestId('figure-returned_kib').locator('.delta.worse')).toBeVisible()
  await expect(page.getByTestId('figure-report_calls').locator('.delta')).not.toHaveClass(/better|worse/)
  await expect(page.getByTestId('compare-parameters')).toContainText('reporting.capacity')
})
