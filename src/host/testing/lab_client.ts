// A LabHost client for tests and measurements: it ignores every push but the ones it is given.
import type { LabEvents, RunStatus } from '../../common/api'

const ignore = (): void => undefined

export function labClient(handlers: Partial<LabEvents> = {}): LabEvents {
  return { frame: ignore, status: ignore, events: ignore, menu: ignore, task: ignore, library: ignore, stateProgress: ignore, ...handlers }
}

/** The run is over: finished, stopped or failed. */
export const runEnded = (s: RunStatus): boolean => s.state === 'finished' || s.state === 'stopped' || s.state === 'error'
