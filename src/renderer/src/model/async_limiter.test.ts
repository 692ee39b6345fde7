import { describe, expect, it } from 'vitest'
import { AsyncLimiter } from './async_limiter'

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

describe('AsyncLimiter', () => {
  it('runs one task at a time and, of those that waited, only the latest', async () => {
    const limiter = new AsyncLimiter()
    const ran: number[] = []
    let release: () => void = () => undefined
    limiter.schedule(async () => {
      ran.push(1)
      await new Promise<void>((r) => (release = r))
    })
    for (const n of [2, 3, 4]) limiter.schedule(async () => void ran.push(n))
    await tick()
    expect(ran).toEqual([1])
    expect(limiter.busy).toBe(true)
    release()
    await tick()
    await tick()
    expect(ran).toEqual([1, 4])
    expect(limiter.busy).toBe(false)
  })

  it('goes on after a task that throws', async () => {
    const limiter = new AsyncLimiter()
    const ran: string[] = []
    limiter.schedule(async () => {
      throw new Error('boom')
    })
    limiter.schedule(async () => void ran.push('after'))
    await tick()
    await tick()
    expect(ran).toEqual(['after'])
  })
})
