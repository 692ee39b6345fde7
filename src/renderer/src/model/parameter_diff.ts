// The experiment parameters that differ between runs, as dotted paths with each run's value.

export interface ParameterDiff {
  readonly path: string
  /** One display value per run; '–' where the run has no such field. */
  readonly values: readonly string[]
}

function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out))
    if (value.length === 0) out.set(path, '[]')
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, path === '' ? k : `${path}.${k}`, out)
  } else {
    out.set(path, value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value))
  }
}

const IGNORED = new Set(['name', '$schema'])

export function differingParameters(documents: readonly unknown[]): ParameterDiff[] {
  const flat = documents.map((d) => {
    const m = new Map<string, string>()
    flatten(d, '', m)
    return m
  })
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))].filter((p) => !IGNORED.has(p))
  return paths
    .map((path) => ({ path, values: flat.map((m) => m.get(path) ?? '–') }))
    .filter((d) => d.values.some((v) => v !== d.values[0]))
}
