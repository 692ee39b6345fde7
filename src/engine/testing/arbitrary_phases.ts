// fast-check pieces the engine's property tests share for random experiments: the phase type, the
// churn order mixes (one order, mostly order 0 with THPs, two high orders) and the phases that
// drive the reporting device (sysfs page_reporting_order, unregister, register), kernels and devices.
import fc from 'fast-check'
import type { ExperimentInput } from '../../common/experiment'

export type Phase = NonNullable<NonNullable<ExperimentInput['workload']>['phases']>[number]

/** churn.orders */
export const churnOrderMix = fc.constantFrom<{ order: number; weight: number }[]>([{ order: 0, weight: 1 }], [{ order: 0, weight: 8 }, { order: 9, weight: 1 }], [{ order: 3, weight: 1 }, { order: 10, weight: 1 }])

/** The device phases, each as likely as one phase kind of the caller's fc.oneof(). */
export const devicePhases: readonly fc.Arbitrary<Phase>[] = [
  fc.record({ op: fc.constant('sysfs-order' as const), order: fc.integer({ min: 0, max: 10 }) }),
  fc.constant({ op: 'unregister' as const }),
  fc.constant({ op: 'register' as const }),
]

/** guest.kernel: every preset. */
export const anyKernel = fc.constantFrom('5.10' as const, '5.14' as const, '6.1' as const, '6.6' as const)

/** reporting.device: both devices and none. */
export const anyDevice = fc.constantFrom('virtio-balloon' as const, 'hv-balloon' as const, 'none' as const)

/** reporting.order: unset or any order. */
export const anyReportingOrder = fc.option(fc.integer({ min: 0, max: 10 }))
