import { describe, expect, it } from 'vitest'
import type { TaskStatus } from '../../../common/api'
import { applyTask } from './tasks'

const t = (id: string, state: TaskStatus['state'], done = 0): TaskStatus => ({ id, label: `export ${id}`, done, total: 10, state })

describe('running tasks', () => {
  it('adds, updates in place of the old entry, and drops a task once it ends in any way', () => {
    let running = applyTask([], t('a', 'running'))
    running = applyTask(running, t('b', 'running'))
    running = applyTask(running, t('a', 'running', 5))
    expect(running.map((x) => [x.id, x.done])).toEqual([['b', 0], ['a', 5]])
    expect(applyTask(running, t('a', 'cancelled')).map((x) => x.id)).toEqual(['b'])
    expect(applyTask(running, t('b', 'done')).map((x) => x.id)).toEqual(['a'])
    expect(applyTask(running, t('b', 'error')).map((x) => x.id)).toEqual(['a'])
  })
})
