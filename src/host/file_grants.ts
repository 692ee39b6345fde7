// The desktop's files, by opaque id. The host acts only on paths the shell handed out itself (its
// open and save dialogs, its recent-files list, the command line and the OS's "open with"); the
// renderer names them by id and never by path, so a compromised page can neither read nor
// overwrite a file the user did not choose.
//
// - Opening a file (dialog, recent list, command line) and saving through the save dialog make it
//   writable: Save writes there without asking. A recent-list entry not opened yet is read-only.
// - Runs read the files an experiment names (replay traces, the initial free state) only when they
//   were imported through a dialog in this session, lie in the experiment file's folder, or were
//   named by the experiment file itself when the lab read it from disk. Names a save of this
//   session wrote into the file earn no trust when it is read again: the page chose them.
import { randomUUID } from 'node:crypto'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import type { Experiment } from '../common/experiment'

export interface FileGrant {
  readonly id: string
  /** Absolute path. */
  readonly path: string
  /** Save may replace the file without a dialog. */
  writable: boolean
  /** This session saved the document into the file. */
  writtenByLab: boolean
  /** Input names the file itself gave when the lab read it (see the header). */
  trustedNames: Set<string>
}

/** The data files an experiment names: the initial free state, then each replay phase's trace. */
export function namedInputs(experiment: Experiment): string[] {
  const names: string[] = []
  if (experiment.guest.initialFreeState !== null) names.push(experiment.guest.initialFreeState.file)
  for (const phase of experiment.workload.phases) if (phase.op === 'replay') names.push(phase.file)
  return names
}

/** `path` is `dir` itself or inside it. */
function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

export class FileGrants {
  private readonly byId = new Map<string, FileGrant>()
  private readonly idByPath = new Map<string, string>()
  private readonly inputs = new Set<string>()

  /** The grant of an experiment file the shell handed out; a path keeps its id for the session. */
  experiment(path: string): FileGrant {
    const absolute = resolve(path)
    const known = this.idByPath.get(absolute)
    if (known !== undefined) return this.byId.get(known) as FileGrant
    const grant: FileGrant = { id: randomUUID(), path: absolute, writable: false, writtenByLab: false, trustedNames: new Set() }
    this.byId.set(grant.id, grant)
    this.idByPath.set(absolute, grant.id)
    return grant
  }

  get(id: string): FileGrant | undefined {
    return this.byId.get(id)
  }

  /**
   * The user chose this file in this session: an import or "allow" dialog, or an experiment file
   * the shell handed out (open dialog, recent list, command line, the OS).
   */
  chosen(path: string): boolean {
    const absolute = resolve(path)
    return this.inputs.has(absolute) || this.idByPath.has(absolute)
  }

  /** A file the user picked in an import dialog: runs may read it by its path. */
  addInput(path: string): void {
    this.inputs.add(resolve(path))
  }

  /** The lab read `experiment` from the grant's file. */
  loaded(grant: FileGrant, experiment: Experiment): void {
    const names = namedInputs(experiment)
    grant.trustedNames = grant.writtenByLab ? new Set(names.filter((n) => grant.trustedNames.has(n))) : new Set(names)
    grant.writable = true
  }

  /** The lab saved `experiment` into the grant's file; `source` is the file the document came from. */
  saved(grant: FileGrant, experiment: Experiment, source: FileGrant | undefined): void {
    const before = grant === source || source === undefined ? grant.trustedNames : new Set([...grant.trustedNames, ...[...source.trustedNames].filter((n) => isAbsolute(n))])
    grant.trustedNames = new Set(namedInputs(experiment).filter((n) => before.has(n) || this.inputs.has(resolve(dirname(grant.path), n))))
    grant.writtenByLab = true
    grant.writable = true
  }

  /**
   * Which files a run of an experiment from `grant` (null: not saved) may read: `file` is the
   * resolved path of the name the document gives.
   */
  readable(grant: FileGrant | null): (file: string, name: string) => boolean {
    return (file, name) => this.inputs.has(resolve(file)) || (grant !== null && (inside(dirname(grant.path), resolve(file)) || grant.trustedNames.has(name)))
  }
}
