// From a host experiment to the guests it runs: each entry's copies numbered 1, 2, ... over all
// entries, each with its start, its seed and the backing the host machine gives it. Pure, so the
// CLI, the host layer and the UI agree on what "guest 3" is.
import type { Experiment } from './experiment'
import type { HostExperiment, HostGuestEntry } from './host_experiment'

/** One guest of a host experiment, ready to run. */
export interface PlannedGuest {
  /** 1-based number over all entries and copies. */
  readonly guest: number
  /** The entry it comes from (index into HostExperiment.guests) and which copy (from 0). */
  readonly entry: number
  readonly copy: number
  /** How charts and explanations call it: the entry's name, with #k when the entry has copies. */
  readonly label: string
  /** Host time its VM starts, ms. */
  readonly start_ms: number
  /** Its guest experiment as it runs: seed per copy, backing as the host gives it. */
  readonly experiment: Experiment
  /** Why the experiment differs from the file's, one note per change (shown as host events). */
  readonly notes: readonly string[]
}

export interface HostPlan {
  readonly name: string
  readonly guests: readonly PlannedGuest[]
  /** Host time the run ends, ms. */
  readonly end_ms: number
}

/** An entry's guest experiment, resolved (the inline one, or the file it names, loaded). */
export type ResolvedEntry = { readonly entry: HostGuestEntry; readonly experiment: Experiment }

export function planHost(host: HostExperiment, resolved: readonly ResolvedEntry[]): HostPlan {
  const guests: PlannedGuest[] = []
  resolved.forEach(({ entry, experiment }, e) => {
    const name = entry.name ?? experiment.name
    for (let k = 0; k < entry.count; k++) {
      const notes: string[] = []
      const seed = (experiment.seed + k * entry.seedStride) >>> 0
      let hostCfg = experiment.host
      if (host.machine.thp === 'never' && hostCfg.backing === 'anon-thp') {
        hostCfg = { ...hostCfg, backing: 'anon-4k' }
        notes.push('host THP is never: anon-thp guest RAM is backed by 4 KiB pages (anon-4k)')
      }
      guests.push({
        guest: guests.length + 1,
        entry: e,
        copy: k,
        label: entry.count > 1 ? `${name} #${k + 1}` : name,
        start_ms: entry.startMs + k * entry.staggerMs,
        experiment: { ...experiment, seed, host: hostCfg },
        notes,
      })
    }
  })
  const lastEnd = guests.reduce((t, g) => Math.max(t, g.start_ms + g.experiment.durationMs), 0)
  return { name: host.name, guests, end_ms: host.durationMs ?? lastEnd }
}
