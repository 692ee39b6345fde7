import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { PcpLists } from './pcp_lists'

type Op = { op: 'addHead' | 'addTail'; list: number; pfn: number } | { op: 'popHead' | 'popTail'; list: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('addHead' as const, 'addTail' as const), list: fc.integer({ min: 0, max: 2 }), pfn: fc.integer({ min: 0, max: 2 ** 30 }) }),
  fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const), list: fc.integer({ min: 0, max: 2 }) }),
)

describe('PcpLists (per-CPU lists as rings)', () => {
  it('keeps the order of a list.h list through any adds and takes at both ends, across ring growth and wrap-around', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const lists = new PcpLists(3)
        const model: number[][] = [[], [], []]
        for (const o of ops) {
          const m = model[o.list]
          if (o.op === 'addHead') {
            lists.addHead(o.list, o.pfn)
            m.unshift(o.pfn)
          } else if (o.op === 'addTail') {
            lists.addTail(o.list, o.pfn)
            m.push(o.pfn)
          } else if (m.length > 0) {
            expect(o.op === 'popHead' ? lists.popHead(o.list) : lists.popTail(o.list)).toBe(o.op === 'popHead' ? m.shift() : m.pop())
          }
          expect(lists.length[o.list]).toBe(m.length)
        }
        for (let id = 0; id < 3; id++) {
          expect(lists.entries(id)).toEqual(model[id])
          model[id].forEach((pfn, k) => expect(lists.fromTail(id, model[id].length - 1 - k)).toBe(pfn))
        }
      }),
      { numRuns: 300 },
    )
  })
})
