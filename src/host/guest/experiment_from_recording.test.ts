import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ExperimentSchema } from '../../common/experiment'
import { experimentFromRecording, formatBuddyinfo, guestHz, kernelPreset, sysfsChoice, workloadCpu, type RecordingForExperiment } from './experiment_from_recording'
import { loadRecording, type Recording } from './recording_import'

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'validation')

const input = (rec: Recording): RecordingForExperiment => ({
  scenario: String(rec.meta.scenario),
  description: String(rec.meta.description),
  script: String(rec.meta.script),
  memMiB: 1024,
  cpus: 2,
  guest: rec.guest,
  hostThp: String(rec.meta.host_thp),
  orderCmdline: null,
  orderSysfs: null,
  samplePeriodMs: 200,
  events: rec.events,
  buddy: rec.buddy,
  pcp: rec.pcp,
})

describe('guest CONFIG_HZ and the workload\'s CPU', () => {
  it('takes the recorded CONFIG_HZ, else the distribution\'s default', () => {
    expect(guestHz({ kernel: '6.1.0-56-amd64', config_hz: '1000' })).toEqual({ hz: 1000, note: null })
    expect(guestHz({ kernel: '6.1.0-56-amd64' })).toEqual({ hz: 250, note: null })
    expect(guestHz({ kernel: '6.5.6-300.fc39.x86_64' }).hz).toBe(1000)
    expect(guestHz({ kernel: '5.14.0-362.el9.x86_64' }).hz).toBe(1000)
    expect(guestHz({ kernel: '6.8.0-31-generic' }).hz).toBe(1000)
    expect(guestHz({ kernel: '5.15.0-91-generic' })).toEqual({ hz: 250, note: null })
    expect(guestHz({ kernel: '6.6.42' }).note).toMatch(/250 assumed/)
  })
  it('picks the CPU whose per-CPU list moved most while the script ran', () => {
    const row = (guest_ms: number, a: number, b: number) => ({ guest_ms, zone: 'DMA32', free_pages: 0, pcp: [a, b] })
    expect(workloadCpu([row(0, 5, 5), row(1, 900, 10), row(2, 6, 12), row(3, 6, 2000)], 0, 2)).toBe(0)
    expect(workloadCpu([row(0, 5, 5), row(1, 900, 10), row(2, 6, 12), row(3, 6, 2000)], 2, 3)).toBe(1)
    expect(workloadCpu([row(0, 5, 5)], 0, 3)).toBe(0)
  })
})

describe('kernelPreset and sysfs choices', () => {
  it('picks the newest preset not newer than the release', () => {
    expect(kernelPreset('6.1.0-56-amd64')).toEqual({ preset: '6.1', exact: true })
    expect(kernelPreset('5.15.0-91-generic')).toEqual({ preset: '5.14', exact: false })
    expect(kernelPreset('6.8.12')).toEqual({ preset: '6.6', exact: false })
    expect(kernelPreset('6.6.42')).toEqual({ preset: '6.6', exact: true })
    expect(kernelPreset('4.19.0')).toEqual({ preset: '5.10', exact: false })
  })
  it('reads the bracketed choice', () => {
    expect(sysfsChoice('always [madvise] never')).toBe('madvise')
    expect(sysfsChoice('')).toBeNull()
  })
  it('prints buddyinfo as frag_show_print() does', () => {
    expect(formatBuddyinfo([{ guest_ms: 0, zone: 'DMA32', nr_free: [1, 2, 1, 2, 1, 2, 1, 2, 2, 2, 218] }])).toBe(
      'Node 0, zone    DMA32      1      2      1      2      1      2      1      2      2      2    218 \n',
    )
  })
})

describe('experimentFromRecording on the reference recordings', () => {
  it('free_all: the phases last as long as the guest took, from script_start (no balloon_loaded there)', () => {
    const { experiment, initialBuddyinfo, notes } = experimentFromRecording(input(loadRecording(join(FIXTURES, 'free_all'))))
    const phases = experiment.workload?.phases ?? []
    // events.csv guest_ms: script_start 4104.551, cmds at 4107.463, 24113.685, 24119.476, 29888.201, 34889.764, 34899.615; script_done 94900.805
    expect(phases.map((p) => [p.op, 'ms' in p ? p.ms : 'durationMs' in p ? p.durationMs : null])).toEqual([
      ['idle', 2.912],
      ['idle', 20006.222],
      ['idle', 5.791],
      ['alloc', 5768.725],
      ['idle', 5001.563],
      ['free', 9.851],
      ['idle', 60001.19],
    ])
    expect(phases[3]).toMatchObject({ op: 'alloc', mib: 600, order: 9, touch: true })
    expect(phases[5]).toMatchObject({ op: 'free', fraction: 1 })
    expect(experiment.durationMs).toBe(90797)
    expect(experiment.guest).toMatchObject({ memoryMiB: 1024, cpus: 2, kernel: '6.1', hz: 250, thp: 'always', minFreeKbytes: 45056, reservedMiB: 65.53 })
    // pcp.csv at the snapshot (guest_ms 4104.712): DMA32 427 and 173 pages on the CPUs' lists
    expect(experiment.guest.initialFreeState).toEqual({ file: 'initial-buddyinfo.txt', snapshot: null, perCpuPages: [{ zone: 'DMA32', pages: [427, 173] }] })
    // the touch of THP pages moved CPU 1's list in 512-page steps
    expect(experiment.workload?.placement).toEqual({ cpus: [1] })
    expect(notes.join('\n')).toMatch(/the workload ran on CPU 1/)
    expect(experiment.host).toEqual({ backing: 'anon-thp' })
    expect(initialBuddyinfo.split('\n')[1]).toMatch(/zone +DMA32 +1 +2 +1 +2 +1 +2 +1 +2 +2 +2 +218 $/)
    expect(notes.join('\n')).toMatch(/no balloon_loaded event/)
    expect(ExperimentSchema.safeParse(experiment).success).toBe(true)
  })
  it('free_stripe_nothp: nohuge makes order-0 allocations; freestripe frees every other 4 KiB', () => {
    const { experiment } = experimentFromRecording(input(loadRecording(join(FIXTURES, 'free_stripe_nothp'))))
    const phases = experiment.workload?.phases ?? []
    expect(phases.filter((p) => p.op !== 'idle')).toMatchObject([
      { op: 'alloc', mib: 600, order: 0 },
      { op: 'free', fraction: 1, pattern: 'every-other', chunkKiB: 4 },
      { op: 'free', fraction: 1 },
    ])
    expect(ExperimentSchema.safeParse(experiment).success).toBe(true)
  })
  it('churn: the measured rate and mean live set; the final free also frees the churn set', () => {
    const { experiment, notes } = experimentFromRecording(input(loadRecording(join(FIXTURES, 'churn'))))
    const phases = experiment.workload?.phases ?? []
    const churn = phases.find((p) => p.op === 'churn')
    // churn_done maps=923 of 4 MiB over the 30005.211 ms the command took
    expect(churn).toMatchObject({ op: 'churn', durationMs: 30005.211, orders: [{ order: 9, weight: 1 }] })
    expect(churn && 'rateMiBps' in churn ? churn.rateMiBps : 0).toBeCloseTo((923 * 4) / 30.005211, 2)
    expect(phases.filter((p) => p.op === 'free').map((p) => ('tag' in p ? p.tag : 'default'))).toEqual(['default', 'churn'])
    expect(notes.join('\n')).toMatch(/923 chunks of 4 MiB/)
    expect(ExperimentSchema.safeParse(experiment).success).toBe(true)
  })
  it('refuses a recording whose script did not finish', () => {
    const rec = loadRecording(join(FIXTURES, 'free_all'))
    expect(() => experimentFromRecording({ ...input(rec), events: rec.events.filter((e) => !e.event.startsWith('script_done')) })).toThrow(/did not run the whole script/)
  })
})
