// Measurement, not a test (issues 4 and 11): prints the UI's figures for a 1-hour churn run
// sampled every 100 ms (36,001 samples, every series of every chart): frames per second while
// zooming (Ctrl+wheel) and panning (Shift+drag) the charts, each the median of ROUNDS rounds, the
// time from a click on the Charts tab to the second animation frame after it (the charts laid out
// and painted), the median of SWITCHES switches, and simulation speed with the UI attached against
// headless runs of the same experiment: the lab host and its engine worker with no UI
// (host_speed.ts), and the in-process CLI (`prlab run`).
// Run it with:  PRLAB_MEASURE=1 npx playwright test e2e/ui/perf.spec.ts --project browser
// (PRLAB_MEASURE_REPEATS=N runs the engine-speed part N times instead of 5; 0 skips the headless runs.)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { test, expect } from '../fixtures'
import { PERF_HOUR_PHASES } from './perf_hour'

const HOUR = {
  format: 'page-reporting-lab/experiment',
  version: 1,
  name: 'One hour, sampled every 100 ms',
  seed: 1,
  durationMs: 3_600_000,
  guest: { memoryMiB: 2048, cpus: 2 },
  workload: {
    phases: PERF_HOUR_PHASES,
  },
  recorder: { sampleIntervalMs: 100, events: true },
}
const REPEATS = Number(process.env.PRLAB_MEASURE_REPEATS ?? 5)
const ROUNDS = 5
const SWITCHES = 7

// Playwright's trace recording takes screenshots and DOM snapshots: not while measuring.
test.use({ trace: 'off' })

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function headlessRate(file: string): number {
  const out = mkdtempSync(join(tmpdir(), 'prlab-measure-'))
  try {
    const r = spawnSync(process.execPath, ['bin/prlab.mjs', 'run', file, '--out', out], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`prlab run failed: ${r.stderr}`)
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { sim_ms: number; wall_ms: number }
    return summary.sim_ms / summary.wall_ms
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

function hostRate(file: string): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'e2e/ui/host_speed.ts', file], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`host_speed failed: ${r.stderr}`)
  return (JSON.parse(r.stdout) as { rate: number }).rate
}

async function uiRate(page: Page, file: string): Promise<{ rate: number; rows: string }> {
  await page.getByTestId('file-menu').click()
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('menu-open').click()])
  await chooser.setFiles(file)
  await page.getByTestId('view-charts').click()
  await page.getByTestId('run-start').click()
  await expect(page.getByTestId('run-state')).toHaveText(/starting|running/)
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 300_000 })
  const progress = page.getByTestId('run-progress')
  const sim = Number(await progress.getAttribute('data-sim-ms'))
  const wall = Number(await progress.getAttribute('data-wall-ms'))
  return { rate: sim / wall, rows: (await page.getByTestId('status-rows').textContent()) ?? '' }
}

/** Frames per second the page renders while `interact` runs (requestAnimationFrame count). */
// page-side code as text: this file is type-checked without the DOM library
const START_COUNTING = `(() => {
  window.__frames = []
  window.__counting = true
  const tick = (t) => {
    window.__frames.push(t)
    if (window.__counting) requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})()`
const STOP_COUNTING = `(() => {
  window.__counting = false
  const f = window.__frames
  let worst = 0
  for (let i = 1; i < f.length; i++) worst = Math.max(worst, f[i] - f[i - 1])
  return { fps: ((f.length - 1) * 1000) / (f[f.length - 1] - f[0]), worstFrameMs: worst }
})()`

/** ms from a click on the Charts tab to the second animation frame after it. */
const SWITCH_TO_CHARTS = `new Promise((resolve) => {
  const tab = document.querySelector('[data-testid="view-charts"]')
  const t0 = performance.now()
  tab.click()
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)))
})`

interface Interaction {
  readonly fps: number
  readonly worstFrameMs: number
  /** Main-thread task time of the page while `interact` ran (Chrome's Performance.getMetrics TaskDuration), ms: steadier than fps on a loaded machine. */
  readonly busyMs: number
}

/** Frames per second the page renders while `interact` runs (requestAnimationFrame count), and the main thread's busy time. */
async function fpsDuring(page: Page, interact: () => Promise<void>): Promise<Interaction> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const taskMs = async (): Promise<number> => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000
  const busy0 = await taskMs()
  await page.evaluate(START_COUNTING)
  await interact()
  const frames = await page.evaluate<{ fps: number; worstFrameMs: number }>(STOP_COUNTING)
  const busyMs = (await taskMs()) - busy0
  await cdp.detach()
  return { ...frames, busyMs }
}

test('measure: chart fps on 36,001 samples and engine speed with the UI attached', async ({ labPage: page }) => {
  test.skip(!process.env.PRLAB_MEASURE, 'measurement only: PRLAB_MEASURE=1 npx playwright test e2e/ui/perf.spec.ts')
  test.setTimeout(900_000)
  const dir = mkdtempSync(join(tmpdir(), 'prlab-hour-'))
  const file = join(dir, 'one-hour.prlab.json')
  writeFileSync(file, JSON.stringify(HOUR, null, 2))

  const headless: number[] = []
  const host: number[] = []
  const attached: number[] = []
  let rows = ''
  await page.getByTestId('start-new').click()
  for (let i = 0; i < Math.max(1, REPEATS); i++) {
    if (REPEATS > 0) {
      headless.push(headlessRate(file))
      host.push(hostRate(file))
    }
    const r = await uiRate(page, file)
    attached.push(r.rate)
    rows = r.rows
  }
  await page.waitForTimeout(1000)

  // Ctrl+wheel zooms in and out over the host-memory chart (the Grafana/Perfetto gesture; plain
  // wheel scrolls the page), Shift+drag pans
  const chart = page.getByTestId('chart-host').locator('canvas').first()
  await chart.scrollIntoViewIfNeeded()
  const box = await chart.boundingBox()
  if (!box) throw new Error('chart not laid out')
  const cx = box.x + box.width / 2
  const cy = box.y + box.height / 2
  await page.mouse.move(cx, cy)
  const zooms: Interaction[] = []
  await page.keyboard.down('Control')
  for (let round = 0; round < ROUNDS; round++) {
    zooms.push(
      await fpsDuring(page, async () => {
        for (let i = 0; i < 60; i++) {
          await page.mouse.wheel(0, i < 30 ? -120 : 120)
          await page.waitForTimeout(30)
        }
      }),
    )
  }
  for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -120)
  await page.keyboard.up('Control')
  await page.waitForTimeout(300)
  const pans: Interaction[] = []
  for (let round = 0; round < ROUNDS; round++) {
    pans.push(
      await fpsDuring(page, async () => {
        await page.mouse.move(cx, cy)
        await page.keyboard.down('Shift')
        await page.mouse.down()
        for (let i = 0; i < 120; i++) {
          await page.mouse.move(cx + Math.sin(i / 12) * box.width * 0.35, cy)
          await page.waitForTimeout(16)
        }
        await page.mouse.up()
        await page.keyboard.up('Shift')
      }),
    )
  }
  // Charts tab: from the click to the second frame after it (the first frame has painted the charts)
  const switches: number[] = []
  for (let i = 0; i < SWITCHES; i++) {
    await page.getByTestId('view-memory').click()
    await page.waitForTimeout(700)
    switches.push(await page.evaluate<number>(SWITCH_TO_CHARTS))
    await page.waitForTimeout(300)
  }
  const summary = (xs: Interaction[], steps: number): string =>
    `${median(xs.map((x) => x.fps)).toFixed(1)} fps (rounds: ${xs.map((x) => x.fps.toFixed(0)).join(', ')}), worst frame ${Math.max(...xs.map((x) => x.worstFrameMs)).toFixed(0)} ms, main thread ${median(xs.map((x) => x.busyMs / steps)).toFixed(1)} ms per step`

  console.log(`[measure] samples in the UI: ${rows}`)
  console.log(`[measure] zoom (Ctrl+wheel, 60 steps), median of ${ROUNDS}: ${summary(zooms, 60)}`)
  console.log(`[measure] pan (Shift+drag, 120 moves), median of ${ROUNDS}: ${summary(pans, 120)}`)
  console.log(`[measure] switch to Charts, median of ${SWITCHES}: ${median(switches).toFixed(0)} ms (each: ${switches.map((x) => x.toFixed(0)).join(', ')})`)
  rmSync(dir, { recursive: true, force: true })
  if (REPEATS === 0) return
  const h = median(headless)
  const w = median(host)
  const a = median(attached)
  const runs = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ')
  console.log(`[measure] headless CLI (in-process engine): ${h.toFixed(0)}x real time (runs: ${runs(headless)})`)
  console.log(`[measure] headless host (engine worker, no UI): ${w.toFixed(0)}x real time (runs: ${runs(host)})`)
  console.log(`[measure] UI attached (browser, live charts): ${a.toFixed(0)}x real time (runs: ${runs(attached)})`)
  console.log(`[measure] UI-attached / headless host: ${((a / w) * 100).toFixed(0)} %; / headless CLI: ${((a / h) * 100).toFixed(0)} %`)
})
