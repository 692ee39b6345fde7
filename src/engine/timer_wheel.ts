// When a delayed work item armed with schedule_delayed_work(dwork, delay) runs: jiffies, and the
// timer wheel's rounding (kernel/time/timer.c, the same from 4.8 to 6.6; read in the 6.1 copy of
// Andrews571/SAGA-Kernel-6.1, calc_index() and calc_wheel_index()):
//   __queue_delayed_work():  timer->expires = jiffies + delay
//   calc_wheel_index():      the level from delta = expires - base->clk (LVL_START(n) = 63 << 3(n-1))
//   calc_index():            bucket_expiry = ((expires >> LVL_SHIFT(lvl)) + 1) << LVL_SHIFT(lvl)
// The timer fires at the tick where jiffies reaches bucket_expiry: never early, up to one level
// granularity late. PAGE_REPORTING_DELAY (2*HZ) is 500 jiffies at HZ=250 (level 1, 8 jiffies =
// 32 ms) and 2000 at HZ=1000 (level 2, 64 jiffies = 64 ms). Jiffies start at INITIAL_JIFFIES at
// boot (simulated time 0), which fixes where the buckets' edges fall.
// Not modelled: jiffies lagging behind the clock on a NOHZ-idle CPU, and the few microseconds
// from the timer softirq to the kworker running the work.

/** The CONFIG_HZ choices of kernel/Kconfig.hz. */
export const HZ_CHOICES = [100, 250, 300, 1000] as const
export type Hz = (typeof HZ_CHOICES)[number]

const LVL_CLK_SHIFT = 3n
const LVL_BITS = 6n
const LVL_SIZE = 1n << LVL_BITS
/** 9 levels for HZ > 100, 8 for HZ = 100 (LVL_DEPTH). */
const lvlDepth = (hz: number): bigint => (hz > 100 ? 9n : 8n)
const lvlShift = (lvl: bigint): bigint => lvl * LVL_CLK_SHIFT
/** LVL_START(n): the smallest delta of level n. */
export const lvlStart = (n: bigint): bigint => (LVL_SIZE - 1n) << ((n - 1n) * LVL_CLK_SHIFT)

/** INITIAL_JIFFIES: ((unsigned long)(unsigned int)(-300 * HZ)), so that jiffies wrap 5 minutes after boot on 32-bit. */
export const initialJiffies = (hz: number): bigint => (1n << 32n) - BigInt(300 * hz)

/** The level calc_wheel_index() puts a timer on for a delta of `delta` jiffies. */
export function wheelLevel(delta: bigint, hz: number): bigint {
  const depth = lvlDepth(hz)
  for (let lvl = 0n; lvl < depth - 1n; lvl++) if (delta < lvlStart(lvl + 1n)) return lvl
  return depth - 1n
}

/**
 * bucket_expiry of calc_wheel_index(expires, clk): the jiffy at which a timer expiring at
 * `expires`, armed when the base's clock was `clk`, fires. (A delta past the wheel's capacity is
 * cut to WHEEL_TIMEOUT_MAX in the kernel; delays here stay far below it.)
 */
export function bucketExpiry(expires: bigint, clk: bigint, hz: number): bigint {
  const delta = expires - clk
  if (delta < 0n) return clk
  const shift = lvlShift(wheelLevel(delta, hz))
  return ((expires >> shift) + 1n) << shift
}

/** msecs_to_jiffies(): rounded up. */
export function msecsToJiffies(ms: number, hz: number): number {
  return Math.ceil((ms * hz) / 1000 - 1e-9)
}

const NS_PER_S = 1_000_000_000n

/** The guest's jiffies clock, started at boot (simulated time 0). */
export class Jiffies {
  private readonly initial: bigint
  private readonly hzBig: bigint

  constructor(readonly hz: number) {
    this.initial = initialJiffies(hz)
    this.hzBig = BigInt(hz)
  }

  /** jiffies at simulated time t_ns: the ticks since boot. */
  at(t_ns: number): bigint {
    return this.initial + (BigInt(Math.floor(t_ns)) * this.hzBig) / NS_PER_S
  }

  /** The simulated time (ns) of the tick that makes jiffies equal `j`. */
  tickTime(j: bigint): number {
    const ticks = j - this.initial
    return Number((ticks * NS_PER_S + this.hzBig - 1n) / this.hzBig)
  }

  /** schedule_delayed_work(dwork, delayJiffies) at t_ns: when the timer fires and the work is queued, ns. */
  delayedWorkFires(t_ns: number, delayJiffies: number): number {
    const now = this.at(t_ns)
    return this.tickTime(bucketExpiry(now + BigInt(delayJiffies), now, this.hz))
  }
}
