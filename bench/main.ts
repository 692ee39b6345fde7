// npm run bench: prints every figure the issues ask for (speed is measured here, never asserted in tests).
import { runPageAllocBench } from './page_alloc.bench'
import { runSimulationBench } from './simulation.bench'
import { runChurnBench } from './churn.bench'
import { runChurnFloorBench } from './churn_floor.bench'
import { runImportsBench } from './imports.bench'
import { runInputsBench } from './inputs.bench'
import { runHostBench } from './host.bench'
import { runPastStateBench } from './past_state.bench'

const started = Date.now()
console.log(`Page Reporting Lab benchmarks — node ${process.version}, ${new Date().toISOString()}`)
for (const [title, run] of [
  ['Buddy allocator (src/engine/mm)', runPageAllocBench],
  ['Simulation (src/engine)', runSimulationBench],
  ['Sustained churn (issue 14)', runChurnBench],
  ['The floor of churn on this layout (issue 14)', runChurnFloorBench],
  ['Imports and sweeps (src/host/import, src/host/sweep.ts)', runImportsBench],
  ['Real data in the engine (replay, initial free state)', runInputsBench],
  ['A host full of guests (src/engine/machine)', runHostBench],
  ['Past states: engine checkpoints (issue 11)', runPastStateBench],
] as const) {
  console.log(`\n## ${title}`)
  for (const line of await run()) console.log(line)
}
console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(1)} s)`)
