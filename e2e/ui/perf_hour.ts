// The hour the UI's speed is measured on (perf.spec.ts) and past states are benchmarked on
// (bench/past_state.bench.ts): a memhog and its exit, ten idle minutes, ten of churn, the page
// cache filled, ten idle minutes, drop_caches; 36,001 samples at 100 ms.
import type { ExperimentInput } from '../../src/common/experiment'

export type Phases = NonNullable<NonNullable<ExperimentInput['workload']>['phases']>

export const PERF_HOUR_PHASES: Phases = [
  { op: 'alloc', mib: 1536, durationMs: 5000, label: 'memhog' },
  { op: 'free', fraction: 1, label: 'exit' },
  { op: 'idle', ms: 600_000 },
  { op: 'churn', durationMs: 600_000, rateMiBps: 32, liveMiB: 256, label: 'churn' },
  { op: 'pagecache', mib: 512, label: 'read files' },
  { op: 'idle', ms: 600_000 },
  { op: 'drop-caches', label: 'drop_caches' },
]
