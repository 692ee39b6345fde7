// The experiment file (`.prlab.json`): the one contract users, scripts and every layer share.
// Every field but `format`, `version` and `guest.memoryMiB` has a default equal to the kernel's
// or QEMU's; each `.describe()` names the unit and where the default comes from. Unknown fields
// are errors (`z.strictObject`), so a typo never passes silently.
import { z } from 'zod'
import { hvReportingOf } from './kernel_version'

export const EXPERIMENT_FORMAT = 'page-reporting-lab/experiment'
export const EXPERIMENT_VERSION = 2
export const EXPERIMENT_SCHEMA_URL = 'https://page-reporting-lab.dev/schema/experiment-v2.json'

export const KERNEL_VERSIONS = ['5.10', '5.14', '6.1', '6.6'] as const
export type KernelVersion = (typeof KERNEL_VERSIONS)[number]

export const MIGRATETYPE_NAMES = ['unmovable', 'movable', 'reclaimable'] as const
export type MigratetypeName = (typeof MIGRATETYPE_NAMES)[number]

const order = z.number().int().min(0).max(10)
// Upper bounds keep absurd values (10^12 MiB, a year of churn) out before any estimate is made.
export const MAX_MIB = 1024 * 1024
export const MAX_MS = 7 * 24 * 3600 * 1000
const positiveMiB = z.number().positive().max(MAX_MIB)
export const nonNegMs = z.number().min(0).max(MAX_MS)
export const positiveMs = z.number().positive().max(MAX_MS)
const rateMiBps = z.number().positive().max(MAX_MIB)
/** A file an experiment names (src/host/run_inputs.ts resolves data files, host_experiment_io.ts guest experiments). */
export const inputFile = z.string().min(1).max(4096)

export const InitialFreeStateSchema = z.strictObject({
  file: inputFile.describe('A /proc/buddyinfo file: one snapshot, or a series (a `date +%s.%N` line before each). A path relative to the experiment file, or absolute; in browser mode the name of a file imported in this session (for a guest of a host experiment, first a file chosen with the host file, by its path relative to the guest file).'),
  snapshot: z.number().int().min(0).max(1e9).nullable().default(null).describe('Which snapshot of a series, counting from 0. null: the last one.'),
  perCpuPages: z
    .array(
      z.strictObject({
        zone: z.string().min(1).max(32).describe('The zone, named as /proc/buddyinfo names it (DMA, DMA32, Normal).'),
        pages: z.array(z.number().int().min(0).max(1 << 24)).max(256).describe('Pages on each CPU\'s lists of that zone, CPU 0 first (the `count:` of its /proc/zoneinfo pageset).'),
      }),
    )
    .max(8)
    .default([])
    .describe('Free pages the guest held on its per-CPU lists when the snapshot was taken (they are in neither /proc/buddyinfo nor MemFree): that many order-0 pages of the memory in use go on each CPU\'s lists, as a refill leaves them, so the first allocations on that CPU take them as the guest\'s did, and a list holds them until it drains. Each count must stay below the list\'s high. Default none.'),
})

const GuestFieldsSchema = z.strictObject({
  memoryMiB: z
    .number()
    .int()
    .min(64)
    .max(MAX_MIB)
    .describe('Guest RAM in MiB (required). The zones are laid out from it as on x86_64: DMA < 16 MiB, DMA32 < 4 GiB, Normal above.'),
  cpus: z.number().int().min(1).max(256).default(2).describe('vCPUs; one set of per-CPU page lists per CPU per zone. Default 2.'),
  kernel: z.enum(KERNEL_VERSIONS).default('6.6').describe('Guest kernel version preset; switches the documented differences (PCP orders and high, put-back placement, order selection). Default 6.6 (LTS baseline).'),
  hugetlb: z.boolean().default(true).describe('CONFIG_HUGETLB_PAGE. Without it pageblock_order is MAX_ORDER (10) on 6.6, so the default reporting order is 10. Default true.'),
  hz: z
    .union([z.literal(100), z.literal(250), z.literal(300), z.literal(1000)])
    .default(250)
    .describe('CONFIG_HZ, timer ticks per second. The reporting work (PAGE_REPORTING_DELAY = 2*HZ jiffies) runs when the timer wheel\'s bucket expires: 2.004-2.032 s after it is armed at 250, 2.001-2.064 s at 1000, and passes of a drain come every 2.016 s (250) or 2.048 s (1000). Distribution kernels: Debian 250, Ubuntu 250 (1000 from 24.04), Fedora, RHEL and CentOS 1000; check CONFIG_HZ in /boot/config-*. Default 250 (the kernel\'s own default).'),
  transparentHugepage: z.boolean().default(true).describe('CONFIG_TRANSPARENT_HUGEPAGE, a build option (every distribution kernel has it). With it, 5.13+ keep pageblock_order (THP-sized) blocks on the per-CPU lists (pcp_allowed_order()), whatever guest.thp says; without it there are no order-9 per-CPU lists and guest.thp is ignored (there is no /sys/kernel/mm/transparent_hugepage: THP is never on). Default true.'),
  thp: z.enum(['always', 'madvise', 'never']).default('madvise').describe('Guest transparent_hugepage/enabled, the runtime setting. always or madvise starts khugepaged, which raises min_free_kbytes (set_recommended_min_free_kbytes()); it does not change the per-CPU lists (guest.transparentHugepage does). Default madvise (distribution default).'),
  lowMemMiB: z.number().int().min(16).max(4096).nullable().default(null).describe('RAM QEMU places below the 32-bit PCI hole, in MiB (at most 4096: QEMU refuses max-ram-below-4g above 4G); the rest starts at 4 GiB (Normal zone). null: q35 rule (all of it if RAM < 2816 MiB, else 2048 MiB).'),
  reservedMiB: z.number().min(0).nullable().default(null).describe('Guest RAM the kernel never hands to the buddy allocator (firmware holes, kernel image, memmap, memblock reservations), in MiB: MemTotal is memoryMiB minus this. The first MiB counts in it (BIOS hole, and the kernel\'s reservation of low memory: the whole first MiB since 5.13, 64 KiB before); the rest is taken above the 16 MiB DMA zone, so it must be less than memoryMiB - 16. null: 64 bytes of struct page per 4 KiB page plus 24 MiB.'),
  minFreeKbytes: z.number().int().min(128).max(262144 * 4).nullable().default(null).describe('vm.min_free_kbytes. null: the kernel computes it (int_sqrt(lowmem_kbytes * 16), clamped 128..262144, raised by khugepaged when THP is on).'),
  watermarkScaleFactor: z.number().int().min(1).max(3000).default(10).describe('vm.watermark_scale_factor, in 1/10000 of zone memory. Default 10.'),
  watermarkBoostFactor: z.number().int().min(0).max(100000).default(15000).describe('vm.watermark_boost_factor, in 1/10000 of the high watermark. Default 15000.'),
  percpuPagelistHighFraction: z.number().int().min(0).max(1 << 20).default(0).describe('vm.percpu_pagelist_high_fraction. 0: pcp high from the low watermark (6.6 default).'),
  initOnFree: z.boolean().default(false).describe('init_on_free=1. With virtio-balloon and a device without F_PAGE_POISON, reporting is turned off. Default false.'),
  pagePoisoning: z.boolean().default(false).describe('page_poison=1 (CONFIG_PAGE_POISONING). Same effect on virtio-balloon reporting as init_on_free. Default false.'),
  shuffle: z.boolean().default(false).describe('page_alloc.shuffle=1: random head/tail placement of order-10 frees. Default false.'),
  swapMiB: z
    .number()
    .int()
    .min(0)
    .max(MAX_MIB)
    .default(0)
    .describe('Swap space of the guest (swap partition or file), in MiB. Without swap, reclaim can only drop page cache: anonymous memory (movable alloc and churn phases) is never reclaimed (get_scan_count(): SCAN_FILE). Default 0: no swap, as most cloud images and VMs run.'),
  swappiness: z.number().int().min(0).max(200).default(60).describe('vm.swappiness: the relative cost of swapping anonymous memory versus dropping page cache (0..200; get_scan_count()). Only matters with swapMiB > 0. Default 60.'),
  compactionProactiveness: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(20)
    .describe('vm.compaction_proactiveness (since 5.9; every preset here has it): kcompactd checks the fragmentation score every 500 ms and compacts while it is above 100 - proactiveness + 10, down to 100 - proactiveness. 0 turns proactive compaction off. Default 20.'),
  thpDefrag: z
    .enum(['always', 'defer', 'defer+madvise', 'madvise', 'never'])
    .default('madvise')
    .describe('/sys/kernel/mm/transparent_hugepage/defrag: whether a THP fault (an order-9 movable request while thp is not never) stalls in direct reclaim and compaction (vma_thp_gfp_mask()). The workload\'s regions count as madvised when thp is madvise. A THP fault that fails falls back to 512 small pages. Default madvise.'),
  initialFreeState: InitialFreeStateSchema.nullable()
    .default(null)
    .describe('Start from a real guest\'s free memory: right after boot, before the driver registers, every zone is left with exactly the free blocks per order of a /proc/buddyinfo snapshot (zones matched by name; the rest of the memory is in use and resident on the host). null: the freshly booted guest (all memory free).'),
})

/** The DMA zone (below 16 MiB): memblock reservations are taken above it (mm/mmzone.ts). */
export const DMA_ZONE_MIB = 16

/**
 * Rules across fields that the engine relies on: a file `prlab validate` accepts never fails to
 * start. guest.reservedMiB is taken from the RAM above the DMA zone and must leave some of it.
 */
function checkGuest(guest: z.output<typeof GuestFieldsSchema>, ctx: z.RefinementCtx): void {
  const aboveDma = guest.memoryMiB - DMA_ZONE_MIB
  if (guest.reservedMiB !== null && guest.reservedMiB >= aboveDma) {
    ctx.addIssue({
      code: 'custom',
      path: ['reservedMiB'],
      message: `${guest.reservedMiB} MiB cannot be reserved in a ${guest.memoryMiB} MiB guest: the reservation comes out of the ${aboveDma} MiB above the ${DMA_ZONE_MIB} MiB DMA zone, so it must be less than ${aboveDma} MiB`,
    })
  }
}

export const GuestSchema = GuestFieldsSchema.superRefine(checkGuest)

export const ReportingSchema = z.strictObject({
  device: z.enum(['virtio-balloon', 'hv-balloon', 'none']).default('virtio-balloon').describe('The driver that registers with page_reporting. Default virtio-balloon.'),
  order: order.nullable().default(null).describe('page_reporting.page_reporting_order= on the guest command line. null: not set (the driver or pageblock_order decides). On 5.14-6.2 registration overwrites it (kernel-spec §1.10).'),
  capacity: z.number().int().min(1).max(4096).default(32).describe('Scatterlist entries per report() (PAGE_REPORTING_CAPACITY). Upstream fixes 32; larger values model patched kernels.'),
  delayMs: z.number().min(1).max(3600000).default(2000).describe('Delay of the reporting work (PAGE_REPORTING_DELAY = 2*HZ), in ms. Default 2000.'),
  budgetDivisor: z.number().int().min(1).max(1 << 20).default(16).describe('Per-list budget divisor: budget = ceil(nr_free / (capacity * divisor)) reports per visit. Kernel: 16.'),
  registerAtMs: nonNegMs.default(0).describe('When the driver registers (page_reporting_register), in ms of simulated time. Default 0 (boot).'),
})

export const DeviceSchema = z.strictObject({
  offerPagePoison: z.boolean().default(true).describe('virtio-balloon: the device offers VIRTIO_BALLOON_F_PAGE_POISON. QEMU default true (page-poison=on); Firecracker and Cloud Hypervisor: false.'),
  queueSize: z.number().int().min(1).max(32768).default(32).describe('virtio-balloon reporting virtqueue size. QEMU and Cloud Hypervisor 32, Firecracker 256. Below 32 the driver probe fails (-ENOSPC): no reporting.'),
  hvAcceptsSmallOrders: z.boolean().default(false).describe('hv_balloon: the host accepts ranges below order 9. false: an order < 9 report fails with HV_STATUS_INVALID_PARAMETER. Default false.'),
  hvFailAfterReports: z.number().int().min(0).nullable().default(null).describe('hv_balloon: make every hypercall after this many reports fail (fault injection). null: never.'),
})

export const HostSchema = z.strictObject({
  backing: z.enum(['anon-4k', 'anon-thp', 'hugetlb-2m', 'hugetlb-1g']).default('anon-thp').describe('How the host backs guest RAM. Default anon-thp (QEMU madvises guest RAM MADV_HUGEPAGE).'),
  discard: z.boolean().default(true).describe('false models a discard-inhibited host (VFIO device assigned, postcopy, background snapshot): reports are acked, nothing is freed.'),
  poisonVal: z.number().int().min(0).max(0xffffffff).default(0).describe('poison_val the guest wrote to the device config. QEMU skips discards when it is non-zero.'),
  reportLatencyUs: z.number().min(0).max(1e7).default(20).describe('Fixed part of one report() round trip (virtqueue kick, QEMU main loop, ack), in µs. Not published; 20 µs assumed.'),
  discardUsPer4k: z.number().min(0).max(1e6).default(1.9).describe('Host discard (MADV_DONTNEED) of one resident 4 KiB page, in µs (HyperAlloc inflate artifact).'),
  discardUsPer2m: z.number().min(0).max(1e7).default(8.5).describe('Host discard of one resident 2 MiB huge page, in µs (HyperAlloc inflate artifact).'),
  refaultUsPer4k: z.number().min(0).max(1e6).default(3.6).describe('Refault of a discarded 4 KiB page on first touch (EPT violation, host fault, zeroing), in µs.'),
  refaultUsPer2m: z.number().min(0).max(1e7).default(340).describe('Refault of a discarded 2 MiB huge page on first touch, in µs.'),
  prepopulate: z.boolean().default(false).describe('Guest RAM is resident on the host from boot (mem-prealloc / -mem-prealloc). Default false: pages become resident when first touched.'),
})

const phaseBase = { label: z.string().max(200).optional().describe('Free text shown on charts.') }

export const AllocPhaseSchema = z
  .strictObject({
    op: z.literal('alloc').describe('Allocate memory into an allocation set (memhog, a process growing its heap).'),
    ...phaseBase,
    mib: positiveMiB.describe('How much to allocate, in MiB.'),
    order: order.default(0).describe('Allocation order of each request. Default 0 (4 KiB).'),
    migratetype: z.enum(MIGRATETYPE_NAMES).default('movable').describe('Migratetype of the requests (GFP_HIGHUSER_MOVABLE = movable). Default movable.'),
    rateMiBps: rateMiBps.optional().describe('Allocation rate in MiB per simulated second. Omitted with durationMs too: as fast as the guest allocates (about 4 GiB/s).'),
    durationMs: positiveMs.optional().describe('Spread the allocation evenly over this time, in ms (instead of rateMiBps).'),
    touch: z.boolean().default(true).describe('Write every page after allocation (host faults in a backing page). Default true.'),
    tag: z.string().max(64).default('default').describe('Name of the allocation set; a later free phase frees from it.'),
  })
  .refine((p) => p.rateMiBps === undefined || p.durationMs === undefined, {
    message: 'give rateMiBps or durationMs, not both',
    path: ['durationMs'],
  })

export const FreePhaseSchema = z
  .strictObject({
    op: z.literal('free').describe('Free memory from an allocation set (a process exits or shrinks).'),
    ...phaseBase,
    mib: positiveMiB.optional().describe('How much to free, in MiB. Give mib or fraction.'),
    fraction: z.number().min(0).max(1).optional().describe('Fraction of the set to free, 0..1.'),
    pattern: z.enum(['lifo', 'fifo', 'random', 'every-other']).default('lifo').describe('Which allocations go first. every-other frees every other chunk of chunkKiB, leaving the holes fragmentation studies need. Default lifo.'),
    chunkKiB: z.number().int().positive().max(MAX_MIB * 1024).default(4).describe('Chunk size for every-other, in KiB. Default 4.'),
    durationMs: positiveMs.optional().describe('Spread the frees over this time, in ms. Omitted: as fast as the guest frees.'),
    tag: z.string().max(64).default('default').describe('The allocation set to free from.'),
  })
  .refine((p) => (p.mib === undefined) !== (p.fraction === undefined), {
    message: 'give exactly one of mib or fraction',
    path: ['mib'],
  })

export const IdlePhaseSchema = z.strictObject({
  op: z.literal('idle').describe('Nothing runs; reporting catches up.'),
  ...phaseBase,
  ms: positiveMs.describe('Idle time in ms.'),
})

export const ChurnPhaseSchema = z.strictObject({
  op: z.literal('churn').describe('Steady allocate/free traffic around a working set (a server under load).'),
  ...phaseBase,
  durationMs: positiveMs.describe('How long the churn runs, in ms.'),
  rateMiBps: rateMiBps.describe('Allocation rate in MiB per simulated second; frees follow at the same rate once liveMiB is reached.'),
  liveMiB: z.number().min(0).max(MAX_MIB).default(64).describe('Working set kept allocated during the churn, in MiB. Default 64.'),
  orders: z
    .array(
      z.strictObject({
        order: order.describe('Allocation order of this share of the requests.'),
        weight: z.number().positive().max(1e6).describe('Relative weight of this order in the mix (any positive number; weights are normalised).'),
      }),
    )
    .min(1)
    .max(11)
    .default([{ order: 0, weight: 1 }])
    .describe('Order mix of the requests with relative weights. Default all order 0.'),
  migratetype: z.enum(MIGRATETYPE_NAMES).default('movable').describe('Migratetype of the requests. Default movable.'),
  touch: z.boolean().default(true).describe('Write every page after allocation (host faults in a backing page). Default true.'),
})

export const PageCachePhaseSchema = z.strictObject({
  op: z.literal('pagecache').describe('Read files into the page cache: long-lived order-0 movable memory.'),
  ...phaseBase,
  mib: positiveMiB.describe('Long-lived page-cache-like memory to read in (order-0, movable, touched), in MiB.'),
  rateMiBps: rateMiBps.default(1024).describe('Read-in rate, MiB per second. Default 1024.'),
  reads: z
    .number()
    .int()
    .min(1)
    .max(1000000)
    .default(1)
    .describe('How often each page is read (folio_mark_accessed() per read). 1: use-once data, left on the inactive file list and the first to be reclaimed. 2 or more: the working set, activated onto the active file list, reclaimed only after aging moves it back (inactive_is_low()). Default 1.'),
})

export const DropCachesPhaseSchema = z.strictObject({
  op: z.literal('drop-caches').describe('echo 1 > /proc/sys/vm/drop_caches: frees everything the pagecache phases read in.'),
  ...phaseBase,
})

export const CompactMemoryPhaseSchema = z.strictObject({
  op: z.literal('compact-memory').describe('echo 1 > /proc/sys/vm/compact_memory: compact every zone now (compact_node(), synchronous migration, whole zones); the phase ends when compaction does.'),
  ...phaseBase,
})

export const SysfsOrderPhaseSchema = z.strictObject({
  op: z.literal('sysfs-order').describe('Change page_reporting_order through sysfs at run time.'),
  ...phaseBase,
  order: z.number().int().min(0).max(4096).describe('Write to /sys/module/page_reporting/parameters/page_reporting_order. 6.3+ rejects values above 10; 5.14-6.2 accept them (reporting stops).'),
})

export const RegisterPhaseSchema = z.strictObject({
  op: z.literal('register').describe('The balloon driver registers with page_reporting (page_reporting_register(), e.g. module load).'),
  ...phaseBase,
})
export const UnregisterPhaseSchema = z.strictObject({
  op: z.literal('unregister').describe('The driver unregisters (page_reporting_unregister(), e.g. module unload).'),
  ...phaseBase,
})

export const ReplayPhaseSchema = z.strictObject({
  op: z.literal('replay').describe('Replay a kmem ftrace (mm_page_alloc, mm_page_free, mm_page_free_batched) as the workload: each traced allocation and free at its own time. The phase ends after the last operation; an event then says what could not be replayed and why.'),
  ...phaseBase,
  file: inputFile.describe('The trace: tracefs `trace` text or `trace-cmd report` output (docs/importing.md). A path relative to the experiment file, or absolute; in browser mode the name of a file imported in this session (for a guest of a host experiment, first a file chosen with the host file, by its path relative to the guest file).'),
  speed: z.number().positive().max(1e6).default(1).describe('Time scale of the replay: 1 keeps the trace\'s own timing, 2 runs it twice as fast, 0.5 half as fast. Default 1.'),
  touch: z.boolean().default(true).describe('Write every page after allocation (host faults in a backing page), as alloc phases do. Default true.'),
})

export const PhaseSchema = z.discriminatedUnion('op', [
  AllocPhaseSchema,
  FreePhaseSchema,
  IdlePhaseSchema,
  ChurnPhaseSchema,
  PageCachePhaseSchema,
  DropCachesPhaseSchema,
  SysfsOrderPhaseSchema,
  RegisterPhaseSchema,
  UnregisterPhaseSchema,
  ReplayPhaseSchema,
  CompactMemoryPhaseSchema,
])

export const PlacementSchema = z.strictObject({
  layout: z
    .enum(['realistic', 'aligned'])
    .default('realistic')
    .describe('Where the workload\'s pages are in physical memory, as every-other frees see it. realistic: every-other frees every other chunk of the process\'s virtual memory (allocation order); the pages sit where the allocator put them: runs handed out by per-CPU refills of `batch` pages, offset by whatever the lists held, interleaved by other tasks and by moves between CPUs, so a freed chunk is split into blocks of several orders. aligned: the ideal case, each chunk one physically contiguous block aligned to its size (every other physical chunk is freed). Default realistic.'),
  cpus: z
    .array(z.number().int().min(0).max(255))
    .min(1)
    .max(256)
    .default([0])
    .describe('The CPUs the workload\'s threads run on (each below guest.cpus): its allocations and frees go round robin over them and use their per-CPU lists. Default [0]: one single-threaded process. Replay phases keep the trace\'s CPUs.'),
  migrateMs: z.number().positive().max(MAX_MS).nullable().default(null).describe('The scheduler moves the workload every this many ms: each of its CPUs becomes the next one (modulo guest.cpus); the per-CPU lists left behind keep their pages and the new ones are used. null: it never moves. Default null.'),
})

export const WorkloadSchema = z.strictObject({
  placement: PlacementSchema.prefault({}).describe('Which CPUs the workload runs on and how its pages are laid out in physical memory.'),
  phases: z.array(PhaseSchema).max(10000).default([]).describe('Phases run one after another; the run idles after the last one until durationMs.'),
})

export const RecorderSchema = z.strictObject({
  sampleIntervalMs: z.number().min(1).max(3600000).default(100).describe('One sample row per this much simulated time, in ms. Default 100.'),
  events: z.boolean().default(true).describe('Record reporting events (reports, passes, state changes, discards). Default true.'),
  allocEvents: z.boolean().default(false).describe('Also record every allocation and free (large). Default false.'),
})

/** The experiment's fields without the rules across sections (ExperimentSchema adds them). */
export const ExperimentFieldsSchema = z.strictObject({
  $schema: z.string().max(2048).optional().describe('JSON Schema reference for editors.'),
  format: z.literal(EXPERIMENT_FORMAT).describe(`Required. Always "${EXPERIMENT_FORMAT}": tells the lab (and people) what the file is.`),
  version: z.literal(EXPERIMENT_VERSION).describe(`Required. File format version, ${EXPERIMENT_VERSION}. Older versions are migrated on load; newer ones are refused.`),
  name: z.string().max(200).default('untitled').describe('Shown in the title bar and in run comparisons.'),
  seed: z.number().int().min(0).max(0xffffffff).default(1).describe('PRNG seed: the same file and seed give a byte-identical samples.csv.'),
  durationMs: positiveMs.default(60000).describe('Simulated time to run, in ms. Default 60000.'),
  guest: GuestSchema,
  reporting: ReportingSchema.prefault({}),
  device: DeviceSchema.prefault({}),
  host: HostSchema.prefault({}),
  workload: WorkloadSchema.prefault({}),
  recorder: RecorderSchema.prefault({}),
})

/**
 * Rules across sections: CPU numbers the workload and the initial state name exist in the guest;
 * the reporting driver exists in the guest's kernel.
 */
export function crossChecks(e: Pick<z.output<typeof ExperimentFieldsSchema>, 'guest' | 'reporting' | 'workload'>, ctx: z.RefinementCtx): void {
  // zod runs this on a document whose fields failed too: check only what parsed
  const cpus = e.guest?.cpus
  if (Number.isInteger(cpus) && cpus >= 1) {
    if (Array.isArray(e.workload?.placement?.cpus)) {
      e.workload.placement.cpus.forEach((cpu, i) => {
        if (cpu >= cpus) ctx.addIssue({ code: 'custom', path: ['workload', 'placement', 'cpus', i], message: `CPU ${cpu} does not exist: the guest has ${cpus} CPU${cpus === 1 ? '' : 's'} (0..${cpus - 1}, guest.cpus)` })
      })
    }
    e.guest.initialFreeState?.perCpuPages?.forEach((z, i) => {
      if (Array.isArray(z?.pages) && z.pages.length > cpus) ctx.addIssue({ code: 'custom', path: ['guest', 'initialFreeState', 'perCpuPages', i, 'pages'], message: `${z.pages.length} CPUs given; the guest has ${cpus} (guest.cpus)` })
    })
  }
  if (e.reporting?.device === 'hv-balloon' && typeof e.guest?.kernel === 'string' && hvReportingOf(e.guest.kernel) === 'none') {
    ctx.addIssue({ code: 'custom', path: ['reporting', 'device'], message: `hv-balloon has no free page reporting on Linux ${e.guest.kernel}: hv_balloon registers with page_reporting from 5.13 on (guest.kernel 5.14, 6.1 or 6.6), or use virtio-balloon` })
  }
}

export const ExperimentSchema = ExperimentFieldsSchema.superRefine(crossChecks)

/** A validated experiment with every default filled in: what the engine receives. */
export type Experiment = z.output<typeof ExperimentSchema>
/**
 * What a user may write: defaults optional. A version 1 file has the same shape (it is migrated
 * to the current version on load, src/common/experiment_migrate.ts).
 */
export type ExperimentInput = Omit<z.input<typeof ExperimentSchema>, 'version'> & { version: typeof EXPERIMENT_VERSION | 1 }
export type Phase = z.output<typeof PhaseSchema>
export type AllocPhase = z.output<typeof AllocPhaseSchema>
export type FreePhase = z.output<typeof FreePhaseSchema>
export type ChurnPhase = z.output<typeof ChurnPhaseSchema>
export type ReplayPhase = z.output<typeof ReplayPhaseSchema>
export type PageCachePhase = z.output<typeof PageCachePhaseSchema>
export type InitialFreeState = z.output<typeof InitialFreeStateSchema>
export type Placement = z.output<typeof PlacementSchema>
