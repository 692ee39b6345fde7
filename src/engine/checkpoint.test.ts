// The generic checkpoint (src/engine/checkpoint.ts) on hand-made graphs: what it copies faithfully
// (prototypes, cycles, aliasing, typed arrays, Maps, Sets, wired closures, bindMethod() callbacks,
// chunks shared with the previous checkpoint) and what it refuses, loudly, rather than copy wrongly.
import { describe, expect, it } from 'vitest'
import { bindMethod, CheckpointError, heldBytes, restoreCheckpoint, takeCheckpoint } from './checkpoint'

class Counter {
  n = 0
  readonly log: number[] = []
  onTick: () => void
  pending: (() => void) | null = null
  constructor(readonly config: { readonly step: number }) {
    // wired in the constructor: a counterpart exists in every Counter
    this.onTick = () => {
      this.n += this.config.step
    }
  }
  add(k: number): void {
    this.n += k
    this.log.push(k)
  }
}

class Graph {
  readonly big = new Int32Array(100_000)
  readonly small = new Float64Array(8)
  readonly byName = new Map<string, { v: number }>()
  readonly set = new Set<Counter>()
  readonly self: { g: Graph | null } = { g: null }
  a: Counter
  b: Counter
  constructor(readonly config: { readonly step: number }) {
    this.a = new Counter(config)
    this.b = this.a
    this.self.g = this
  }
}

describe('takeCheckpoint / restoreCheckpoint', () => {
  it('restores data, prototypes, cycles and aliasing in place, keeping the target’s wired closures and shared config', () => {
    const config = Object.freeze({ step: 3 })
    const g = new Graph(config)
    g.big[5] = 7
    g.small[1] = -0
    g.byName.set('x', { v: 1 })
    g.set.add(g.a)
    g.a.add(2)
    const cp = takeCheckpoint(g, [config])
    g.big[5] = 99
    g.a.add(40)
    g.byName.get('x')!.v = 5
    g.b = new Counter(config)

    const target = new Graph(config)
    const tick = target.a.onTick
    const big = target.big
    restoreCheckpoint(target, cp)
    expect(target.big).toBe(big)
    expect(target.big[5]).toBe(7)
    expect(Object.is(target.small[1], -0)).toBe(true)
    expect(target.a).toBeInstanceOf(Counter)
    expect(target.a.n).toBe(2)
    expect(target.a.log).toEqual([2])
    expect(target.b).toBe(target.a)
    expect(target.self.g).toBe(target)
    expect([...target.set][0]).toBe(target.a)
    expect(target.byName.get('x')).toEqual({ v: 1 })
    expect(target.config).toBe(config)
    // the target's own closure, acting on the target
    expect(target.a.onTick).toBe(tick)
    target.a.onTick()
    expect(target.a.n).toBe(5)
    // the checkpoint itself is untouched: a second restore gives the same state
    restoreCheckpoint(target, cp)
    expect(target.a.n).toBe(2)
    // and the original went on independently
    expect(g.a.n).toBe(42)
  })

  it('recreates a bindMethod() callback on the restored object, with its arguments', () => {
    const c = new Counter({ step: 1 })
    c.pending = bindMethod(c.add, c, 10)
    const cp = takeCheckpoint(c)
    const target = new Counter({ step: 1 })
    restoreCheckpoint(target, cp, [])
    expect(target.pending).not.toBe(c.pending)
    target.pending?.()
    expect(target.n).toBe(10)
    expect(c.n).toBe(0)
    // and a checkpoint of the restored object holds it again
    const again = takeCheckpoint(target)
    const third = new Counter({ step: 1 })
    restoreCheckpoint(third, again)
    third.pending?.()
    expect(third.n).toBe(20)
  })

  it('shares the unchanged chunks of large arrays with the previous checkpoint', () => {
    const g = new Graph({ step: 1 })
    const first = takeCheckpoint(g)
    expect(first.bytes).toBe(first.totalBytes)
    g.big[70_000] = 1
    const second = takeCheckpoint(g, [], first)
    // one 16 KiB chunk of the 400 KB array changed; the small array is copied whole
    expect(second.bytes).toBe(16384 + g.small.byteLength)
    expect(heldBytes([first, second])).toBe(first.bytes + second.bytes)
    const target = new Graph({ step: 1 })
    restoreCheckpoint(target, second)
    expect(target.big[70_000]).toBe(1)
    restoreCheckpoint(target, first)
    expect(target.big[70_000]).toBe(0)
  })

  it('refuses what it cannot copy faithfully', () => {
    const refuses = (root: object, match: RegExp): void => {
      expect(() => restoreCheckpoint({ ...root }, takeCheckpoint(root))).toThrow(CheckpointError)
      expect(() => restoreCheckpoint({ ...root }, takeCheckpoint(root))).toThrow(match)
    }
    refuses({ w: new WeakMap() }, /built-in WeakMap/)
    refuses({ p: Promise.resolve(1) }, /built-in Promise/)
    refuses({ d: new DataView(new ArrayBuffer(8)) }, /built-in DataView/)
    const buffer = new ArrayBuffer(16)
    refuses({ x: new Int32Array(buffer, 0, 2), y: new Int32Array(buffer, 8, 2) }, /sharing one buffer/)
    refuses(
      Object.defineProperty({}, 'v', {
        get: () => 1,
        enumerable: true,
      }),
      /accessor property/,
    )
    class Hidden {
      #secret = 1
      reveal(): number {
        return this.#secret
      }
    }
    refuses({ h: new Hidden() }, /#private fields/)
    // a closure only the checkpoint has: nothing in the target to act on
    const c = new Counter({ step: 1 })
    let hidden = 0
    c.pending = () => {
      hidden++
    }
    expect(() => restoreCheckpoint(new Counter({ step: 1 }), takeCheckpoint(c))).toThrow(/closure .*hidden\+\+.* cannot be recreated/)
    expect(hidden).toBe(0)
    // a bindMethod() of a function that is not a method of its object
    c.pending = bindMethod(function (this: Counter) {
      this.n = -1
    }, c)
    expect(() => takeCheckpoint(c)).toThrow(/not a method of its object/)
    // a target of another class
    expect(() => restoreCheckpoint({}, takeCheckpoint(new Counter({ step: 1 })))).toThrow(/the target is a plain object/)
  })
})
