// Writes the clang-build examples (issue 15): a 16 GiB, 8-vCPU guest building clang three times,
// with and without free page reporting, and HyperAlloc's multi-VM run of three of them on one
// host, staggered by 2400 s. A build has no loop in the experiment format, so its ~150 phases per
// build are generated here; run `npx tsx scripts/gen-clang-example.ts` after changing the model.
//
// Workload assumptions (the artifact publishes RSS traces, not the guests' allocations):
// - a build reads 4 GiB of sources, headers and toolchain into the page cache once (they stay);
// - it runs in 48 waves of 200 s; in each, 8 compilers' heaps (2.5 GiB together) are freed and
//   allocated anew within 30 s (the processes of the next translation units), and 145 MiB of
//   object files are written (page cache that stays until `ninja clean`): 7 GiB per build;
// - `ninja clean` deletes the object files (their page cache is freed over 15 s), and the next
//   build starts at once (the artifact's builds take longer than its 7200 s slot);
// - after the third build the VM idles 800 s (the artifact's cooldown, delay / VMs) and exits.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EXPERIMENT_SCHEMA_URL } from '../src/common/experiment'

const BUILDS = 3
const WAVES = 48
const WAVE_MS = 200_000
const COMPILERS_MIB = 2560
const COMPILERS_ALLOC_MS = 30_000
const OBJECTS_MIB = 145
const SOURCES_MIB = 4096
const CLEAN_MS = 15_000
const COOLDOWN_MS = 800_000
const OBJECT_WRITE_MS = 500

type Phase = Record<string, unknown>

function buildPhases(n: number): Phase[] {
  const phases: Phase[] = []
  if (n === 1) phases.push({ op: 'pagecache', mib: SOURCES_MIB, rateMiBps: 100, label: 'sources, headers and toolchain into the page cache' })
  for (let w = 0; w < WAVES; w++) {
    if (w > 0) phases.push({ op: 'free', tag: 'compilers', fraction: 1 })
    phases.push({ op: 'alloc', mib: COMPILERS_MIB, durationMs: COMPILERS_ALLOC_MS, tag: 'compilers', ...(w === 0 ? { label: `build ${n}: 8 compilers` } : {}) })
    phases.push({ op: 'alloc', mib: OBJECTS_MIB, durationMs: OBJECT_WRITE_MS, tag: 'objects' })
    phases.push({ op: 'idle', ms: WAVE_MS - COMPILERS_ALLOC_MS - OBJECT_WRITE_MS })
  }
  phases.push({ op: 'free', tag: 'compilers', fraction: 1, label: `build ${n} done` })
  phases.push({ op: 'free', tag: 'objects', fraction: 1, pattern: 'random', durationMs: CLEAN_MS, label: 'ninja clean' })
  return phases
}

function guest(reporting: boolean): object {
  const phases = Array.from({ length: BUILDS }, (_, i) => buildPhases(i + 1)).flat()
  phases.push({ op: 'idle', ms: COOLDOWN_MS, label: 'cooldown' })
  const buildMs = WAVES * WAVE_MS + CLEAN_MS
  return {
    $schema: EXPERIMENT_SCHEMA_URL,
    format: 'page-reporting-lab/experiment',
    version: 2,
    name: `clang built 3 times in a 16 GiB guest, ${reporting ? 'free page reporting on' : 'no free page reporting'}`,
    seed: 1,
    durationMs: BUILDS * buildMs + COOLDOWN_MS + 60_000,
    guest: { memoryMiB: 16384, cpus: 8, kernel: '6.1' },
    reporting: { device: reporting ? 'virtio-balloon' : 'none' },
    host: { backing: 'anon-thp' },
    workload: { phases },
    recorder: { sampleIntervalMs: 2000, events: true },
  }
}

function host(reporting: boolean): object {
  const file = reporting ? 'clang-build-16g.prlab.json' : 'clang-build-16g-no-reporting.prlab.json'
  return {
    $schema: EXPERIMENT_SCHEMA_URL,
    format: 'page-reporting-lab/experiment',
    version: 2,
    name: `HyperAlloc multi-VM: 3 × 16 GiB clang builds, staggered, ${reporting ? 'reporting on' : 'no reporting'}`,
    // the artifact's host: 2 × 24 cores, 376 GiB; the VMs never press on it
    machine: { memoryMiB: 385024 },
    guests: [{ name: 'clang', file, count: 3, staggerMs: 2_400_000 }],
    recorder: { sampleIntervalMs: 2000, events: true },
  }
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'examples')
const write = (name: string, doc: object): void => writeFileSync(join(dir, name), `${JSON.stringify(doc, null, 2)}\n`)
write('clang-build-16g.prlab.json', guest(true))
write('clang-build-16g-no-reporting.prlab.json', guest(false))
write('hyperalloc-3vm-clang.prlab.json', host(true))
write('hyperalloc-3vm-clang-no-reporting.prlab.json', host(false))
console.log(`wrote 4 files into ${dir}`)
