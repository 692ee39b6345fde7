// The cluster examples of docs/sweeps.md, read from the document itself so that the tests run
// them as written.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const SWEEPS_DOC = join(import.meta.dirname, '..', 'docs', 'sweeps.md')

function section(doc: string, heading: string): string {
  const start = doc.indexOf(`\n### ${heading}\n`)
  if (start < 0) throw new Error(`docs/sweeps.md: no "### ${heading}" section`)
  // the next heading outside a code block ends it (the sbatch script has '#' lines of its own)
  const rest = doc.slice(start + heading.length + 6)
  const end = /\n#{2,3} /.exec(rest.replace(/```[\s\S]*?```/g, (b) => b.replace(/#/g, '.')))
  return rest.slice(0, end ? end.index : undefined)
}

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1])
}

export interface SweepExamples {
  /** sweep.sbatch as the document shows it */
  sbatch: string
  /** the shell lines that submit it and the merge job */
  submit: string
  /** the `npx prlab sweep …` command of the sbatch script, one line */
  slurmCommand: string
  /** the same command of the Kubernetes indexed Job (its container args) */
  kubernetesCommand: string
  arrayTasks: number
  completions: number
}

export function readSweepExamples(): SweepExamples {
  const doc = readFileSync(SWEEPS_DOC, 'utf8')
  const slurm = blocks(section(doc, 'Slurm array job'), 'bash')
  if (slurm.length < 2) throw new Error('docs/sweeps.md: the Slurm section needs the sbatch script and the submit lines')
  const [sbatch, submit] = slurm
  const slurmCommand = /npx prlab sweep (?:[^\\\n]|\\\n)*/.exec(sbatch)?.[0].replace(/\\\n\s*/g, '') ?? ''
  const yaml = blocks(section(doc, 'Kubernetes indexed Job'), 'yaml')[0] ?? ''
  const folded = /args:\n\s*- >-\n((?:\s{14,}\S[^\n]*\n)+)/.exec(yaml)?.[1] ?? ''
  const kubernetesCommand = folded.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ')
  const array = /#SBATCH --array=(\d+)-(\d+)/.exec(sbatch)
  return {
    sbatch,
    submit,
    slurmCommand,
    kubernetesCommand,
    arrayTasks: array ? Number(array[2]) - Number(array[1]) + 1 : 0,
    completions: Number(/completions: (\d+)/.exec(yaml)?.[1] ?? 0),
  }
}

/** The arguments of a `prlab sweep` command line as [flag, value] pairs (quotes removed). */
export function sweepArgs(command: string): [string, string][] {
  const tokens = [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3])
  const out: [string, string][] = []
  for (let i = tokens.indexOf('sweep') + 1; i < tokens.length; i++) {
    if (tokens[i].startsWith('--')) {
      const flag = tokens[i]
      const value = tokens[i + 1] !== undefined && !tokens[i + 1].startsWith('--') ? tokens[++i] : ''
      out.push([flag, value])
    } else out.push(['', tokens[i]])
  }
  return out
}
