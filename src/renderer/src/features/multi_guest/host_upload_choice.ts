// Browser mode: which of the files chosen with a host file go to the lab. Every experiment file
// (.json) goes: the lab finds the host file among them and resolves its guests. Any other file
// goes only when an experiment chosen names it (a string in a .json file ends in its name): a
// folder also holds run outputs and notes no guest reads, and the whole upload is one message of
// at most MAX_CLIENT_MESSAGE_BYTES. The lab matches the names exactly (src/host/host_upload_set.ts);
// this only leaves out files no experiment chosen could name.
import { MAX_CLIENT_MESSAGE_BYTES } from '../../../../common/websocket_limits'

export const isExperimentFile = (name: string): boolean => /\.json$/i.test(name)

/** The base name of a path written with / or \ separators. */
const baseName = (path: string): string => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1)

/** The base names of every string in the JSON texts (texts that do not parse name nothing). */
export function namedBaseNames(texts: readonly string[]): Set<string> {
  const names = new Set<string>()
  const walk = (v: unknown): void => {
    if (typeof v === 'string') names.add(baseName(v))
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk)
  }
  for (const text of texts) {
    try {
      walk(JSON.parse(text))
    } catch {
      // the lab says what is wrong with it
    }
  }
  return names
}

/** The files other than experiment files that the experiment texts name, by base name. */
export function namedDataFiles<F extends { readonly name: string }>(files: readonly F[], experimentTexts: readonly string[]): F[] {
  const named = namedBaseNames(experimentTexts)
  return files.filter((f) => !isExperimentFile(f.name) && named.has(baseName(f.name)))
}

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`

/** Why files of these sizes cannot go in one browser-mode message, or null when they can. */
export function uploadTooLarge(files: readonly { readonly name: string; readonly size: number }[]): string | null {
  const total = files.reduce((n, f) => n + f.size, 0)
  if (total <= MAX_CLIENT_MESSAGE_BYTES) return null
  const largest = [...files].sort((a, b) => b.size - a.size).slice(0, 3)
  return `the host file with its guest and data files is ${mib(total)}; browser mode sends them in one message of at most ${mib(MAX_CLIENT_MESSAGE_BYTES)} (largest: ${largest.map((f) => `${f.name} ${mib(f.size)}`).join(', ')}): run it in the desktop app, or with prlab run`
}
