// Long host operations (exports) in flight: their progress, and a way to cancel them.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { TaskStatus } from '../../../common/api'
import { useLab } from '../lab'

/** The running tasks after a push: a running task is added or updated, an ended one removed. */
export function applyTask(running: readonly TaskStatus[], task: TaskStatus): TaskStatus[] {
  const others = running.filter((t) => t.id !== task.id)
  return task.state === 'running' ? [...others, task] : others
}

export const useTasksStore = defineStore('tasks', () => {
  const running = ref<TaskStatus[]>([])
  const onTask = (task: TaskStatus): void => {
    running.value = applyTask(running.value, task)
  }
  const cancel = async (id: string): Promise<void> => {
    await useLab().cancelTask(id)
  }
  return { running, onTask, cancel }
})
