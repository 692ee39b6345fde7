// Paths into the experiment document as the editor and the schema name them:
// ['workload', 'phases', 2, 'mib'] <-> "workload.phases[2].mib" (the form of Issue.path in api.ts).
// Edits return a new document; the document keeps only what the user wrote (no defaults filled in).

export type DocPath = readonly (string | number)[]
export type JsonObject = { [key: string]: unknown }

export function pathKey(path: readonly PropertyKey[]): string {
  let key = ''
  for (const part of path) {
    if (typeof part === 'number') key += `[${part}]`
    else key += key === '' ? String(part) : `.${String(part)}`
  }
  return key
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

export function getAt(doc: unknown, path: DocPath): unknown {
  let node: unknown = doc
  for (const part of path) {
    if (Array.isArray(node) && typeof part === 'number') node = node[part]
    else if (isObject(node) && typeof part === 'string') node = node[part]
    else return undefined
  }
  return node
}

/** A copy of `doc` with `value` at `path`, creating objects on the way; `undefined` removes the key. */
export function setAt<T>(doc: T, path: DocPath, value: unknown): T {
  if (path.length === 0) return value as T
  const root = structuredClone(doc) as unknown
  let node: unknown = root
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i]
    const holder = node as JsonObject & unknown[]
    let next: unknown = Array.isArray(node) ? holder[part as number] : holder[part as string]
    if (next === undefined || next === null || typeof next !== 'object') {
      if (value === undefined) return root as T
      next = typeof path[i + 1] === 'number' ? [] : {}
      if (Array.isArray(node)) holder[part as number] = next
      else holder[part as string] = next
    }
    node = next
  }
  const leaf = path[path.length - 1]
  if (Array.isArray(node) && typeof leaf === 'number') {
    node[leaf] = value
  } else if (isObject(node)) {
    if (value === undefined) delete node[String(leaf)]
    else node[String(leaf)] = value
  }
  return root as T
}
