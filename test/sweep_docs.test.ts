// docs/sweeps.md shows the same sharded sweep as a Slurm array job and as a Kubernetes indexed
// Job: the two must run the same grid in the same shards (issue 13 part 3). The Slurm example
// itself runs on a real Slurm in slurm_sweep.test.ts.
import { basename } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSweepExamples, sweepArgs } from './sweep_docs'

describe('docs/sweeps.md cluster examples', () => {
  const ex = readSweepExamples()
  const slurm = sweepArgs(ex.slurmCommand)
  const k8s = sweepArgs(ex.kubernetesCommand)
  const values = (args: [string, string][], flag: string): string[] => args.filter(([f]) => f === flag).map(([, v]) => v)

  it('both run the same experiment file and grid, in the same order', () => {
    expect(values(slurm, '--grid').length).toBeGreaterThan(0)
    expect(values(k8s, '--grid')).toEqual(values(slurm, '--grid'))
    expect(basename(values(k8s, '')[0])).toBe(basename(values(slurm, '')[0]))
    expect(basename(values(k8s, '--out')[0])).toBe(basename(values(slurm, '--out')[0]))
  })
  it('both split it into the same shards: one per array task or completion index', () => {
    expect(ex.arrayTasks).toBe(16)
    expect(ex.completions).toBe(ex.arrayTasks)
    expect(values(slurm, '--shard')).toEqual([`\${SLURM_ARRAY_TASK_ID}/${ex.arrayTasks}`])
    expect(values(k8s, '--shard')).toEqual([`\${JOB_COMPLETION_INDEX}/${ex.completions}`])
  })
  it('both resume a retried shard and run quietly; the merge names the same folder', () => {
    for (const args of [slurm, k8s]) {
      expect(args.map(([f]) => f)).toContain('--resume')
      expect(args.map(([f]) => f)).toContain('--quiet')
    }
    expect(ex.submit).toContain(`npx prlab sweep --merge ${values(slurm, '--out')[0]}`)
  })
})
