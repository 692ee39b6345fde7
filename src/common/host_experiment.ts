// The host experiment (version 2 of the experiment file): one host machine and the guests it
// runs, each an existing guest experiment (inline, or a file by path) with a start offset, a
// count and a stagger. The same `format` as a guest experiment; `machine` and `guests` tell the
// two apart (experimentKind()). Every field but `machine.memoryMiB` and `guests` has a default,
// named in its description with where it comes from.
import { z } from 'zod'
import { EXPERIMENT_FORMAT, EXPERIMENT_VERSION, ExperimentFieldsSchema, MAX_MIB, crossChecks, inputFile, nonNegMs, positiveMs } from './experiment'

/** Most guests one host experiment may run at once (all entries' counts together). */
export const MAX_HOST_GUESTS = 1024

/** The fields of a guest experiment, as written inline in a host experiment (no format or version of its own). */
// zod refuses omit() on a refined object: omit from the plain fields, then add the same rules
export const InlineGuestSchema = ExperimentFieldsSchema.omit({ $schema: true, format: true, version: true }).superRefine(crossChecks)

export const MachineSchema = z.strictObject({
  memoryMiB: z
    .number()
    .int()
    .min(256)
    .max(16 * MAX_MIB)
    .describe('Host RAM in MiB (required): MemTotal of the host, before the host kernel and the VMM take their share (reservedMiB).'),
  reservedMiB: z
    .number()
    .min(0)
    .nullable()
    .default(null)
    .describe(
      'Host RAM that guest memory can never use, in MiB: the host kernel and its struct pages, slab and page tables, the VMM processes and other host services. null: 64 bytes of struct page per 4 KiB page plus 512 MiB. Must leave room for at least the min watermark.',
    ),
  swapMiB: z.number().min(0).max(16 * MAX_MIB).default(0).describe('Host swap size in MiB. Default 0: no swap, so memory pressure ends in the OOM killer.'),
  swapInUsPer4k: z
    .number()
    .min(0)
    .max(1e6)
    .default(80)
    .describe('Stall of one 4 KiB swap-in (do_swap_page(): a synchronous read of the slot plus the fault), in µs, charged to the guest that touched the page. Default 80, a TLC NVMe SSD at queue depth 1 (an assumption: about 10 for zram, 150 for a SATA SSD, 8000 for a disk).'),
  swapOutUsPer4k: z
    .number()
    .min(0)
    .max(1e6)
    .default(5)
    .describe('Host time to reclaim one 4 KiB page to swap (unmap, TLB flush, batched write), in µs. kswapd spends it in the background; direct reclaim stalls the faulting guest by it. Default 5 (an assumption: NVMe write bandwidth of about 1 GB/s per reclaimer).'),
  thp: z
    .enum(['always', 'madvise', 'never'])
    .default('madvise')
    .describe('Host /sys/kernel/mm/transparent_hugepage/enabled. QEMU madvises guest RAM MADV_HUGEPAGE, so madvise and always back anon-thp guests with THPs; never backs them with 4 KiB pages (anon-4k and hugetlb backings are unaffected). Default madvise (distribution default).'),
  minFreeKbytes: z
    .number()
    .int()
    .min(128)
    .max(16 * 1048576)
    .nullable()
    .default(null)
    .describe('Host vm.min_free_kbytes. null: the kernel computes it (int_sqrt(lowmem_kbytes * 16), clamped 128..262144, raised for THP as khugepaged does).'),
  watermarkScaleFactor: z.number().int().min(1).max(3000).default(10).describe('Host vm.watermark_scale_factor, in 1/10000 of memory: the gap between the min, low and high watermarks kswapd works between. Default 10.'),
})

export const HostGuestEntrySchema = z
  .strictObject({
    name: z.string().min(1).max(200).optional().describe("What these guests are called in charts, explanations and folder names. Omitted: the guest experiment's name."),
    experiment: InlineGuestSchema.optional().describe('The guest experiment, inline: the fields of a guest experiment file without format and version. Give experiment or file.'),
    file: inputFile
      .optional()
      .describe('A guest experiment file (.json; any version the lab reads, older ones are migrated), relative to this file or absolute. The desktop app reads it only inside the host file\'s folder (no symbolic link out), or at an absolute path the user chose in this session; browser mode looks it up among the files chosen with the host file (its folder, or several files), by its path relative to the host file, then among the shipped examples. Give experiment or file.'),
    count: z.number().int().min(1).max(MAX_HOST_GUESTS).default(1).describe('How many copies of this guest run. Default 1.'),
    startMs: nonNegMs.default(0).describe('When the first copy starts (QEMU launched, the guest boots), in ms of host time. Default 0.'),
    staggerMs: nonNegMs.default(0).describe('Time between the starts of consecutive copies, in ms. Default 0 (all start together).'),
    seedStride: z
      .number()
      .int()
      .min(0)
      .max(0xffffffff)
      .default(1)
      .describe("Copy k (counting from 0) runs with the guest's seed + k * seedStride (mod 2^32), so copies do not move in lockstep. 0: identical copies. Default 1."),
  })
  .refine((g) => (g.experiment === undefined) !== (g.file === undefined), { message: 'give exactly one of experiment (inline) or file', path: ['experiment'] })

export const HostRecorderSchema = z.strictObject({
  sampleIntervalMs: z.number().min(1).max(3600000).default(1000).describe('One host sample row (host_samples.csv) per this much simulated time, in ms. Each guest keeps its own recorder settings. Default 1000.'),
  events: z.boolean().default(true).describe('Record host events (guest start and exit, kswapd runs, direct reclaim, OOM kills) in host_events.csv. Default true.'),
})

export const HostExperimentSchema = z
  .strictObject({
    $schema: z.string().max(2048).optional().describe('JSON Schema reference for editors.'),
    format: z.literal(EXPERIMENT_FORMAT).describe(`Required. Always "${EXPERIMENT_FORMAT}".`),
    version: z.literal(EXPERIMENT_VERSION).describe(`Required. File format version, ${EXPERIMENT_VERSION}; host experiments exist from version 2 on.`),
    name: z.string().max(200).default('untitled host').describe('Shown in the title bar, charts and fit results.'),
    durationMs: positiveMs
      .nullable()
      .default(null)
      .describe("Host time to run, in ms. A guest lives from its start for its own durationMs (then its VM exits and its memory returns to the host), or until this ends. null: until the last guest's VM exits."),
    machine: MachineSchema.describe('The host machine: RAM, swap and its costs, THP, watermarks.'),
    guests: z
      .array(HostGuestEntrySchema)
      .max(MAX_HOST_GUESTS)
      .describe('The guests, in start order of their entries. Guests are numbered 1, 2, ... over all entries and copies. An empty list is a host description for `prlab fit`.'),
    recorder: HostRecorderSchema.prefault({}),
  })
  .superRefine((h, ctx) => {
    const total = h.guests.reduce((n, g) => n + g.count, 0)
    if (total > MAX_HOST_GUESTS) ctx.addIssue({ code: 'custom', path: ['guests'], message: `${total} guests over all entries; at most ${MAX_HOST_GUESTS}` })
  })

export type HostExperiment = z.output<typeof HostExperimentSchema>
export type HostExperimentInput = z.input<typeof HostExperimentSchema>
export type Machine = z.output<typeof MachineSchema>
export type HostGuestEntry = z.output<typeof HostGuestEntrySchema>
export type InlineGuest = z.output<typeof InlineGuestSchema>

/** Which schema a parsed document is checked against: a document with `machine` or `guests` is a host experiment. */
export function experimentKind(document: unknown): 'guest' | 'host' {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return 'guest'
  return Object.hasOwn(document, 'machine') || Object.hasOwn(document, 'guests') ? 'host' : 'guest'
}
