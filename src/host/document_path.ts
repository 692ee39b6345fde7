// `path=value` edits of an experiment document (prlab run --set, prlab sweep --grid):
// dotted paths with array indices, e.g. `workload.phases[1].mib=512`.

export type PathSegment = string | number

/** Parses `a.b[2].c` into segments; throws on syntax that is not a field path. */
export function parsePath(path: string): PathSegment[] {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d{1,6}\])*$/.test(path)) {
    throw new Error(`"${path}" is not a field path (expected e.g. reporting.delayMs or workload.phases[0].mib)`)
  }
  const segments: PathSegment[] = []
  for (const m of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) segments.push(m[1] !== undefined ? m[1] : Number(m[2]))
  for (const s of segments) {
    if (s === '__proto__' || s === 'constructor' || s === 'prototype') throw new Error(`"${path}": ${s} is not a field`)
  }
  return segments
}

/** A value as written on the command line: JSON when it parses (numbers, booleans, null, arrays), else the string. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Returns a copy of `document` with the value at `path` replaced (intermediate objects created). */
export function setPath(document: unknown, path: string, value: unknown): unknown {
  const segments = parsePath(path)
  const root: unknown = structuredClone(document)
  if (root === null || typeof root !== 'object') throw new Error('the experiment is not a JSON object')
  let node = root as Record<PathSegment, unknown>
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i]
    let next = node[key]
    if (next === undefined || next === null) {
      next = typeof segments[i + 1] === 'number' ? [] : {}
      node[key] = next
    }
    if (typeof next !== 'object') throw new Error(`${path}: ${segments.slice(0, i + 1).join('.')} is not an object`)
    node = next as Record<PathSegment, unknown>
  }
  node[segments[segments.length - 1]] = value
  return root
}
