// Warnings before a run: a valid experiment whose settings the kernel or the host will defeat.
// Each comes from the same rule the engine applies (reporting_rules.ts, kernel_version.ts), so
// the editor's warning and the run's outcome cannot disagree.
import type { Experiment } from './experiment'
import { bootReportingOrder, kernelPreset, orderAtRegister, pageblockOrderOf, REPORTING_ORDER_UNSET, sysfsWriteOrder } from './kernel_version'
import { backingOrder, discardRefusal, HV_LARGE_REPORTING_ORDER, hvRefusesOrder, PAGE_REPORTING_CAPACITY, probeVirtioBalloon } from './reporting_rules'

export interface ExperimentWarning {
  /** Field path the warning is about, e.g. `reporting.capacity`. */
  readonly path: string
  readonly message: string
  /** Kernel or QEMU function whose rule predicts it, and the kernel-spec section. */
  readonly fn: string
  readonly spec: string
}

/** page_reporting_order once the driver has registered (both drivers leave prdev->order 0 on x86_64). */
export function effectiveReportingOrder(e: Experiment): number {
  const pageblockOrder = pageblockOrderOf(e.guest.hugetlb)
  const rule = kernelPreset(e.guest.kernel, e.guest.transparentHugepage, pageblockOrder).orderRule
  return orderAtRegister(rule, bootReportingOrder(rule, e.reporting.order, pageblockOrder), 0, pageblockOrder)
}

export function experimentWarnings(e: Experiment): ExperimentWarning[] {
  const out: ExperimentWarning[] = []
  const rep = e.reporting
  const dev = e.device
  const pageblockOrder = pageblockOrderOf(e.guest.hugetlb)
  const { orderRule: rule, hvReporting } = kernelPreset(e.guest.kernel, e.guest.transparentHugepage, pageblockOrder)
  const order = effectiveReportingOrder(e)
  let reporting = rep.device !== 'none'
  let poisonVal = 0

  if (rep.device === 'none') {
    out.push({ path: 'reporting.device', message: 'No reporting device: nothing will be reported and host RSS will not drop.', fn: 'page_reporting_register()', spec: '§1.10' })
  }
  if (rep.device === 'virtio-balloon') {
    const probe = probeVirtioBalloon({ queueSize: dev.queueSize, offerPagePoison: dev.offerPagePoison, initOnFree: e.guest.initOnFree, pagePoisoning: e.guest.pagePoisoning, capacity: rep.capacity, hostPoisonVal: e.host.poisonVal })
    poisonVal = probe.poisonVal
    if (!probe.reporting) {
      reporting = false
      const capacityProblem = dev.queueSize < rep.capacity
      out.push({
        path: capacityProblem ? 'reporting.capacity' : 'device.offerPagePoison',
        message: capacityProblem
          ? `The reporting virtqueue has ${dev.queueSize} entries, fewer than the ${rep.capacity} the scatterlist needs: the probe will fail with -ENOSPC and nothing is reported.`
          : 'init_on_free or page poisoning without F_PAGE_POISON from the device: the driver clears F_REPORTING and nothing is reported.',
        fn: capacityProblem ? 'virtballoon_probe()' : 'virtballoon_validate()',
        spec: '§3.1',
      })
    }
  }
  if (reporting) {
    if (rep.device === 'hv-balloon' && hvReporting === 'any-order' && hvRefusesOrder(dev.hvAcceptsSmallOrders, order)) {
      out.push({ path: 'reporting.order', message: `Order ${order} is below ${HV_LARGE_REPORTING_ORDER} and the host refuses small ranges: the first report fails with HV_STATUS_INVALID_PARAMETER, the driver forces page_reporting_order to ${pageblockOrder}, and nothing re-arms reporting until a later free.`, fn: 'hv_free_page_report()', spec: '§3.2' })
    }
    const refusal = discardRefusal({ discard: e.host.discard, poisonVal, backing: e.host.backing }, Math.max(order, 0))
    if (refusal === 'discard-inhibited') {
      out.push({ path: 'host.discard', message: 'Discards are inhibited (VFIO, postcopy, background snapshot): reports are acked and pages flagged reported, but the host frees nothing.', fn: 'virtio_balloon_handle_report() (QEMU)', spec: '§3.3' })
    } else if (refusal === 'poison-val') {
      const negotiated = e.host.poisonVal === 0
      out.push({
        path: negotiated ? 'guest.pagePoisoning' : 'host.poisonVal',
        message: `poison_val is 0x${poisonVal.toString(16)}${negotiated ? ' (page poisoning with F_PAGE_POISON)' : ''}: QEMU acks every report and frees nothing.`,
        fn: 'virtio_balloon_handle_report() (QEMU)',
        spec: '§3.3',
      })
    } else if (refusal === 'backing-page') {
      const size = e.host.backing === 'hugetlb-1g' ? '1 GiB' : '2 MiB'
      out.push({ path: 'host.backing', message: `${size} host pages: a reported block of order ${order} (${order >= 8 ? `${(4 << order) / 1024} MiB` : `${4 << order} KiB`}) is smaller than the backing page, so QEMU skips the discard${backingOrder(e.host.backing) > 10 ? ' of every report (no buddy block reaches 1 GiB)' : ''}.`, fn: 'ram_block_discard_range() (QEMU)', spec: '§3.3' })
    }
    if (e.durationMs < rep.registerAtMs + rep.delayMs) {
      out.push({ path: 'durationMs', message: `The run lasts ${e.durationMs} ms, less than registration at ${rep.registerAtMs} ms plus the reporting delay of ${rep.delayMs} ms: no pass will run.`, fn: 'page_reporting_register() / __page_reporting_request()', spec: '§1.3' })
    }
  }
  if (rule === 'fixed-pageblock' && rep.order !== null) {
    out.push({ path: 'reporting.order', message: `${e.guest.kernel} has no page_reporting_order parameter: the order stays pageblock_order (${pageblockOrder}).`, fn: 'page_reporting_register()', spec: '§1.10, §1.12' })
  }
  if (order === REPORTING_ORDER_UNSET || order > 10) {
    out.push({ path: 'reporting.order', message: 'page_reporting_order is above every buddy order: no free block qualifies.', fn: 'page_reporting_notify_free()', spec: '§1.4' })
  }
  e.workload.phases.forEach((p, i) => {
    if (p.op !== 'sysfs-order') return
    const r = sysfsWriteOrder(rule, p.order)
    const path = `workload.phases[${i}].order`
    if (!r.ok) out.push({ path, message: `The kernel refuses this write: ${r.error}.`, fn: 'param_set_uint_minmax()', spec: '§1.10' })
    else if (r.order > 10) out.push({ path, message: `Order ${r.order} is above MAX_ORDER: ${e.guest.kernel} accepts it and reporting stops.`, fn: 'page_reporting_notify_free()', spec: '§1.10' })
    else if (rep.device === 'hv-balloon' && hvReporting === 'large-pages' && r.order < HV_LARGE_REPORTING_ORDER) {
      out.push({ path, message: `hv_balloon on ${e.guest.kernel} sends every range as 2 MiB pages: a block of order ${r.order} gets additional_pages = -1 (2047 in its 11 bits), a hint naming 4 GiB from the block's 2 MiB frame, memory in use included (6.3 fixed this).`, fn: 'hv_free_page_report()', spec: '§3.2' })
    }
  })
  if (rep.capacity !== PAGE_REPORTING_CAPACITY) {
    out.push({ path: 'reporting.capacity', message: `Upstream kernels fix PAGE_REPORTING_CAPACITY at ${PAGE_REPORTING_CAPACITY}; ${rep.capacity} models a patched kernel.`, fn: 'page_reporting_process()', spec: '§1.1' })
  }
  if (!e.recorder.events) {
    out.push({ path: 'recorder.events', message: 'Events are off: the charts will show no passes, failures or order changes, and the event list stays empty.', fn: '', spec: '' })
  }
  return out
}
