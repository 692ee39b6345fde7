// Experiment editor: inline validation from the file schema blocks the run; presets set the
// fields the VMM fixes; phases can be added, reordered and removed.
import { test, expect } from '../fixtures'
import { openExample } from './lab_ui'

test('an invalid value shows an inline error at the field and the run cannot start', async ({ labPage: page }) => {
  await openExample(page)
  const memory = page.getByTestId('field-guest.memoryMiB')
  await memory.fill('10')
  await expect(page.getByTestId('error-guest.memoryMiB')).toHaveText('expected a number >= 64, got 10')
  await expect(page.getByTestId('run-start')).toBeDisabled()
  await expect(page.getByTestId('run-blocked')).toHaveText('1 error in the experiment')

  await memory.fill('2 GiB')
  await expect(page.getByTestId('error-guest.memoryMiB')).toHaveText('expected a number, got the string "2 GiB"')
  await page.keyboard.press('F5')
  await expect(page.getByTestId('run-state')).toHaveText('idle')

  await memory.fill('2048')
  await expect(page.getByTestId('error-guest.memoryMiB')).toHaveCount(0)
  await expect(page.getByTestId('run-start')).toBeEnabled()
})

test('a phase field error points into the workload, and phases reorder and go away', async ({ labPage: page }) => {
  await openExample(page)
  await expect(page.getByTestId('phase-0-op')).toHaveValue('alloc')
  await page.getByTestId('field-workload.phases[0].mib').fill('-5')
  await expect(page.getByTestId('error-workload.phases[0].mib')).toHaveText('expected a number > 0, got -5')
  await expect(page.getByTestId('run-start')).toBeDisabled()
  await page.getByTestId('field-workload.phases[0].mib').fill('1024')

  await page.getByTestId('phase-add-op').selectOption('drop-caches')
  await page.getByTestId('phase-add').click()
  await expect(page.getByTestId('phase-3-op')).toHaveValue('drop-caches')
  await page.getByTestId('phase-3-up').click()
  await expect(page.getByTestId('phase-2-op')).toHaveValue('drop-caches')
  await expect(page.getByTestId('phase-3-op')).toHaveValue('idle')
  await page.getByTestId('phase-2-remove').click()
  await expect(page.getByTestId('phase-3')).toHaveCount(0)
  await expect(page.getByTestId('phase-2-op')).toHaveValue('idle')
})

test('presets change the right fields', async ({ labPage: page }) => {
  await openExample(page)
  await page.getByTestId('preset-select').selectOption('firecracker')
  await expect(page.getByTestId('field-device.offerPagePoison')).toHaveValue('false')
  await expect(page.getByTestId('field-device.queueSize')).toHaveValue('256')
  await expect(page.getByTestId('field-host.backing')).toHaveValue('anon-4k')
  await expect(page.getByTestId('field-reporting.device')).toHaveValue('virtio-balloon')
  await expect(page.getByTestId('field-guest.memoryMiB')).toHaveValue('2048')

  await page.getByTestId('preset-select').selectOption('vfio')
  await expect(page.getByTestId('field-host.discard')).toHaveValue('false')
  await expect(page.getByTestId('field-host.backing')).toHaveValue('anon-4k')

  await page.getByTestId('preset-select').selectOption('tuned')
  await expect(page.getByTestId('field-reporting.delayMs')).toHaveValue('100')
  await expect(page.getByTestId('field-reporting.capacity')).toHaveValue('512')
  await expect(page.getByTestId('field-reporting.order')).toHaveValue('9')

  await page.getByTestId('preset-select').selectOption('hyper-v')
  await expect(page.getByTestId('field-reporting.device')).toHaveValue('hv-balloon')
  await expect(page.getByTestId('field-device.hvAcceptsSmallOrders')).toHaveValue('false')

  await page.getByTestId('preset-select').selectOption('qemu')
  await expect(page.getByTestId('field-reporting.device')).toHaveValue('virtio-balloon')
  await expect(page.getByTestId('field-device.offerPagePoison')).toHaveValue('true')
  await expect(page.getByTestId('field-device.queueSize')).toHaveValue('32')
  await expect(page.getByTestId('field-host.backing')).toHaveValue('anon-thp')
  await expect(page.getByTestId('field-reporting.delayMs')).toHaveValue('')
  await expect(page.getByTestId('run-start')).toBeEnabled()
})
