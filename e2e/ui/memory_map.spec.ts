// Physical memory map: hovering a cell asks the lab for that frame and shows its pfn.
import { test, expect } from '../fixtures'
import { openExample, runToEnd } from './lab_ui'

interface Geometry {
  start: number
  end: number
  cells: number
  cols: number
  cellPx: number
}

test('memory-map hover shows the pfn under the pointer', async ({ labPage: page }) => {
  await openExample(page)
  await runToEnd(page)
  await page.getByTestId('view-memory').click()
  const map = page.getByTestId('memory-map')
  await expect(map).toHaveAttribute('data-cells', /\d+/)
  await expect(page.getByTestId('memory-map-range')).toContainText('pfn 0x0')

  const geometry = async (): Promise<Geometry> => {
    const a = (name: string) => map.getAttribute(name).then(Number)
    return { start: await a('data-start-pfn'), end: await a('data-end-pfn'), cells: await a('data-cells'), cols: await a('data-cols'), cellPx: await a('data-cell-px') }
  }
  const expectedPfn = (g: Geometry, x: number, y: number): number => {
    const cell = Math.floor(y / g.cellPx) * g.cols + Math.floor(x / g.cellPx)
    return g.start + Math.floor((cell * (g.end - g.start)) / g.cells)
  }

  const box = await map.boundingBox()
  if (!box) throw new Error('memory map not laid out')
  for (const [x, y] of [
    [10, 5],
    [333, 120],
  ]) {
    await page.mouse.move(box.x + x + 0.5, box.y + y + 0.5)
    const pfn = expectedPfn(await geometry(), x, y)
    const hover = page.getByTestId('memory-map-hover-pfn')
    await expect(hover).toHaveAttribute('data-pfn', String(pfn))
    await expect(hover).toHaveText(`pfn 0x${pfn.toString(16)} (${pfn})`)
    await expect(page.getByTestId('memory-map-hover')).toContainText('migratetype')
  }

  // zooming in with the wheel narrows the range around the pointer, and hover follows it
  const before = await geometry()
  await page.mouse.move(box.x + 200.5, box.y + 50.5)
  const anchor = expectedPfn(before, 200, 50)
  await page.mouse.wheel(0, -300)
  await expect.poll(async () => (await geometry()).end - (await geometry()).start).toBeLessThan(before.end - before.start)
  const after = await geometry()
  expect(after.start).toBeLessThanOrEqual(anchor)
  expect(after.end).toBeGreaterThan(anchor)
  await page.mouse.move(box.x + 40.5, box.y + 30.5)
  await expect(page.getByTestId('memory-map-hover-pfn')).toHaveAttribute('data-pfn', String(expectedPfn(after, 40, 30)))
})
