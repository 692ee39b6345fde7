// Presets users know. Each sets the fields the real VMM or deployment fixes and leaves the rest
// of the experiment alone; the values are the ones kernel-spec.md §3 and field-data.md cite.
import type { ExperimentInput } from '../../../common/experiment'
import { setAt, type DocPath } from './document_path'

export interface Preset {
  readonly id: string
  readonly title: string
  readonly description: string
  /** Fields to set; undefined removes the field (back to the kernel/QEMU default). */
  readonly fields: readonly (readonly [DocPath, unknown])[]
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'qemu',
    title: 'QEMU virtio-balloon',
    description: 'virtio-balloon,free-page-reporting=on: page-poison=on, reporting vq of 32, guest RAM madvised MADV_HUGEPAGE, discard allowed (kernel-spec §3.3).',
    fields: [
      [['reporting', 'device'], 'virtio-balloon'],
      [['reporting', 'order'], undefined],
      [['reporting', 'capacity'], undefined],
      [['reporting', 'delayMs'], undefined],
      [['device', 'offerPagePoison'], true],
      [['device', 'queueSize'], 32],
      [['host', 'backing'], 'anon-thp'],
      [['host', 'discard'], true],
      [['host', 'poisonVal'], 0],
    ],
  },
  {
    id: 'firecracker',
    title: 'Firecracker',
    description: 'free_page_reporting: true (v1.14+): no F_PAGE_POISON, balloon queues of 256, anonymous 4 KiB guest memory, MADV_DONTNEED (kernel-spec §3.4).',
    fields: [
      [['reporting', 'device'], 'virtio-balloon'],
      [['device', 'offerPagePoison'], false],
      [['device', 'queueSize'], 256],
      [['host', 'backing'], 'anon-4k'],
      [['host', 'discard'], true],
      [['host', 'poisonVal'], 0],
    ],
  },
  {
    id: 'cloud-hypervisor',
    title: 'Cloud Hypervisor',
    description: '--balloon free_page_reporting=on (v22+): no F_PAGE_POISON, reporting queue of 32, THP-backed memory (thp=on), MADV_DONTNEED (kernel-spec §3.5).',
    fields: [
      [['reporting', 'device'], 'virtio-balloon'],
      [['device', 'offerPagePoison'], false],
      [['device', 'queueSize'], 32],
      [['host', 'backing'], 'anon-thp'],
      [['host', 'discard'], true],
      [['host', 'poisonVal'], 0],
    ],
  },
  {
    id: 'hyper-v',
    title: 'Hyper-V',
    description: 'hv_balloon cold discard hints: the host accepts only ranges of order 9 and above (kernel-spec §3.2).',
    fields: [
      [['reporting', 'device'], 'hv-balloon'],
      [['device', 'hvAcceptsSmallOrders'], false],
      [['device', 'hvFailAfterReports'], undefined],
      [['host', 'discard'], true],
    ],
  },
  {
    id: 'vfio',
    title: 'VFIO device assigned',
    description: 'A device pins guest RAM: QEMU inhibits discards, reports are acked and nothing is freed on the host (ram_block_discard_is_disabled()).',
    fields: [[['host', 'discard'], false]],
  },
  {
    id: 'tuned',
    title: 'Tuned reporting (100 ms, 512)',
    description: 'HyperAlloc knob sweep: delay 100 ms and capacity 512 at order 9 returned ≈3.1 GiB within one sample after drop_caches (field-data.md row 14; needs a patched kernel).',
    fields: [
      [['reporting', 'delayMs'], 100],
      [['reporting', 'capacity'], 512],
      [['reporting', 'order'], 9],
    ],
  },
]

export function applyPreset(document: ExperimentInput, preset: Preset): ExperimentInput {
  return preset.fields.reduce<ExperimentInput>((doc, [path, value]) => setAt(doc, path, value), document)
}
