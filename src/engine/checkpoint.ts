// Engine checkpoints: the whole state of a simulation, saved and later written back into a
// simulation built from the same experiment and inputs, which then continues byte-identically
// (past states at any time: docs/past-state.md).
//
// Generic, so that every future engine field is covered without a line here: a deep copy of the
// object graph reachable from the root, keeping prototypes (Object.create(getPrototypeOf)),
// copying typed arrays (slice), arrays, Maps, Sets and own data fields, sharing what cannot change
// (the caller's `shared` objects, such as the parsed experiment and the output sink, and frozen
// objects). A restore walks the checkpoint and the target side by side and writes the data into the
// target in place (typed arrays by set(), so a restore allocates little), making new objects only
// where the checkpoint has one the target lacks.
//
// Closures are the one thing a copy cannot see into. The engine wires its callbacks in constructors
// (queue handlers, device hooks): a target built from the same experiment has the same callbacks
// in the same places, bound to its own objects, and the restore keeps the target's, after checking
// that each is the same code (its source text) in the same place. A callback made while the
// simulation runs (a continuation: "call this.next() when the pass ends") is made with
// bindMethod(), which says what it calls on which object with which arguments, so a checkpoint
// copies those and a restore binds the copy anew. Any other closure that only the checkpoint has
// has no counterpart and the restore refuses; so do WeakMaps, WeakRefs, Promises, typed-array views
// sharing a buffer, accessor properties, #private fields and instances of built-in classes the
// copy does not know. The rule that makes this sound, and which the engine keeps: a closure wired
// in a constructor captures only immutable values and objects that are also reachable through
// fields (so their state is restored in place); a callback made later is a bindMethod().
export class CheckpointError extends Error {
  constructor(path: string, what: string) {
    super(`checkpoint: ${path}: ${what}`)
    this.name = 'CheckpointError'
  }
}

export interface Checkpoint {
  /** The copy of the root (never handed out: restore() writes it into a target). */
  readonly root: object
  /** Bytes of typed-array data this checkpoint added (chunks shared with the previous one not counted). */
  readonly bytes: number
  /** Bytes of typed-array data it stands for (what a restore writes). */
  readonly totalBytes: number
  /** Objects in the copy (arrays, Maps, Sets and objects besides typed arrays). */
  readonly objects: number
  /** The objects kept by reference (immutable config, sinks): a target has its own counterparts. */
  readonly shared: readonly object[]
  /** The copy of each large typed array of the graph, for the next checkpoint to share unchanged chunks with. */
  readonly arrays: WeakMap<TypedArray, ChunkedCopy>
  /** Every array of data the checkpoint holds (chunks possibly shared with others): heldBytes() counts them. */
  readonly held: readonly ArrayBufferView[]
}

/** The memory a set of checkpoints holds: each array of data once, however many checkpoints share it. */
export function heldBytes(checkpoints: Iterable<Checkpoint>): number {
  const seen = new Set<ArrayBufferView>()
  let bytes = 0
  for (const cp of checkpoints) {
    for (const a of cp.held) {
      if (seen.has(a)) continue
      seen.add(a)
      bytes += a.byteLength
    }
  }
  return bytes
}

type TypedArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array

/** What a bindMethod() or bindHandler() callback calls: a method of `self`'s class, with fixed arguments before the call's own. */
interface Binding {
  method: (...args: never[]) => void
  self: object
  args: unknown[]
}
const bindings = new WeakMap<(...call: never[]) => void, Binding>()

/** The copy of a bindMethod() callback inside a checkpoint. */
class BindingCopy {
  self: unknown = null
  args: unknown[] = []
  constructor(readonly method: (...args: never[]) => void) {}
}

/**
 * A large typed array in chunks: the next checkpoint of the same simulation shares the chunks that
 * did not change (most of the per-page arrays, between two checkpoints a few simulated seconds apart).
 */
class ChunkedCopy {
  constructor(
    readonly proto: object,
    readonly length: number,
    readonly chunks: readonly TypedArray[],
  ) {}
}

/** Elements per chunk: 16 KiB of the widest element type. */
const CHUNK_BYTES = 16384
/** Arrays above this size are kept in chunks. */
const CHUNKED_ABOVE_BYTES = 4 * CHUNK_BYTES

/**
 * Whether chunk `old` holds the bytes of `v` from `byteFrom` on: 4-byte words compared as integers
 * (`words`, the whole words of v's buffer), a shorter tail byte by byte.
 */
function sameChunk(v: TypedArray, words: Int32Array, byteFrom: number, old: TypedArray): boolean {
  const n = old.byteLength >> 2
  const o = new Int32Array(old.buffer, old.byteOffset, n)
  const from = byteFrom >> 2
  for (let i = 0; i < n; i++) if (words[from + i] !== o[i]) return false
  if (old.byteLength === n << 2) return true
  const tail = new Uint8Array(v.buffer, v.byteOffset + byteFrom, old.byteLength)
  const oldTail = new Uint8Array(old.buffer, old.byteOffset, old.byteLength)
  for (let b = n << 2; b < old.byteLength; b++) if (tail[b] !== oldTail[b]) return false
  return true
}

function bound(b: Binding): (...call: never[]) => void {
  const f = (...call: unknown[]): void => {
    ;(b.method as (...args: unknown[]) => void).apply(b.self, b.args.length === 0 ? call : [...b.args, ...call])
  }
  bindings.set(f, b)
  return f
}

/** A callback, made while the simulation runs, that a checkpoint can hold: `self.method(...args)`. */
export function bindMethod<S extends object, A extends unknown[]>(method: (this: S, ...args: A) => void, self: S, ...args: A): () => void {
  return bound({ method: method as unknown as (...args: never[]) => void, self, args }) as () => void
}

/** A handler, made while the simulation runs, that a checkpoint can hold: `self.method(...the call's arguments)`. */
export function bindHandler<S extends object, P extends unknown[]>(method: (this: S, ...args: P) => void, self: S): (...args: P) => void {
  return bound({ method: method as unknown as (...args: never[]) => void, self, args: [] }) as unknown as (...args: P) => void
}

function isMethodOf(self: object, method: unknown): boolean {
  for (let p = Object.getPrototypeOf(self) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (Object.getOwnPropertyDescriptor(p, k)?.value === method) return true
  }
  return false
}

const KNOWN_NATIVE = new Set<unknown>([Object, Array, Map, Set])
const classOk = new WeakMap<object, true>()
const sourceOf = new WeakMap<(...args: never[]) => unknown, string>()

function isTypedArray(v: object): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView)
}

function fnSource(f: (...args: never[]) => unknown): string {
  let s = sourceOf.get(f)
  if (s === undefined) {
    s = Function.prototype.toString.call(f)
    sourceOf.set(f, s)
  }
  return s
}

function describe(v: object): string {
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null
  if (proto === null || proto === Object.prototype) return 'a plain object'
  return proto.constructor?.name ? `a ${proto.constructor.name}` : 'an object'
}

/** Refuses a prototype chain holding a built-in class other than Object, Array, Map, Set, or a class with #private fields. */
function checkClass(proto: object | null, path: string): void {
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (classOk.has(p)) return
    const ctor = Object.getOwnPropertyDescriptor(p, 'constructor')?.value as unknown
    if (typeof ctor === 'function') {
      if (KNOWN_NATIVE.has(ctor)) continue
      const src = fnSource(ctor as () => unknown)
      if (src.includes('[native code]')) throw new CheckpointError(path, `an instance of the built-in ${ctor.name} cannot be copied faithfully`)
      if (/(^|[\s;{}])#[A-Za-z_$]/.test(src)) throw new CheckpointError(path, `class ${ctor.name} has #private fields, which a copy cannot see`)
    }
  }
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) classOk.set(p, true)
}

class Taker {
  readonly copies = new Map<object, object>()
  readonly buffers = new Set<ArrayBufferLike>()
  readonly arrays = new WeakMap<TypedArray, ChunkedCopy>()
  readonly held: ArrayBufferView[] = []
  bytes = 0
  totalBytes = 0
  objects = 0
  constructor(
    private readonly shared: ReadonlySet<object>,
    private readonly previous: Checkpoint | null,
  ) {}

  private chunked(v: TypedArray): ChunkedCopy {
    const per = CHUNK_BYTES / v.BYTES_PER_ELEMENT
    const before = this.previous?.arrays.get(v)
    // an array chunked here is a whole buffer (byteOffset 0): its 4-byte words line up with the chunks'
    const words = new Int32Array(v.buffer, 0, v.byteLength >> 2)
    const reuse = before !== undefined && before.length === v.length && before.proto === Object.getPrototypeOf(v)
    const chunks: TypedArray[] = []
    for (let i = 0, c = 0; i < v.length; i += per, c++) {
      const old = reuse ? before.chunks[c] : undefined
      if (old !== undefined && sameChunk(v, words, i * v.BYTES_PER_ELEMENT, old)) chunks.push(old)
      else {
        const now = v.slice(i, Math.min(v.length, i + per))
        chunks.push(now)
        this.bytes += now.byteLength
      }
      this.held.push(chunks[c])
    }
    const c = new ChunkedCopy(Object.getPrototypeOf(v) as object, v.length, chunks)
    this.arrays.set(v, c)
    return c
  }

  copy(v: unknown, path: string): unknown {
    if (typeof v === 'function') {
      const b = bindings.get(v as () => void)
      if (b === undefined) return v
      const seen = this.copies.get(v)
      if (seen !== undefined) return seen
      if (!isMethodOf(b.self, b.method)) throw new CheckpointError(path, 'bindMethod() of a function that is not a method of its object')
      const c = new BindingCopy(b.method)
      this.copies.set(v, c)
      c.self = this.copy(b.self, `${path}<self>`)
      c.args = b.args.map((a, i) => this.copy(a, `${path}<arg ${i}>`))
      return c
    }
    if (v === null || typeof v !== 'object') return v
    if (this.shared.has(v) || Object.isFrozen(v)) return v
    const seen = this.copies.get(v)
    if (seen !== undefined) return seen
    if (isTypedArray(v)) {
      if (v.byteOffset !== 0 || v.byteLength !== v.buffer.byteLength || this.buffers.has(v.buffer)) {
        throw new CheckpointError(path, 'typed-array views sharing one buffer cannot be copied faithfully')
      }
      this.buffers.add(v.buffer)
      this.totalBytes += v.byteLength
      let c: object
      if (v.byteLength > CHUNKED_ABOVE_BYTES) c = this.chunked(v)
      else {
        c = v.slice()
        this.bytes += v.byteLength
        this.held.push(c as TypedArray)
      }
      this.copies.set(v, c)
      return c
    }
    this.objects++
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) throw new CheckpointError(path, 'a subclass of Array cannot be copied faithfully')
      const c: unknown[] = new Array(v.length)
      this.copies.set(v, c)
      for (let i = 0; i < v.length; i++) c[i] = this.copy(v[i], path)
      return c
    }
    if (v instanceof Map) {
      checkClass(Object.getPrototypeOf(v) as object, path)
      const c = new Map<unknown, unknown>()
      this.copies.set(v, c)
      for (const [k, x] of v as Map<unknown, unknown>) c.set(this.copy(k, `${path}<key>`), this.copy(x, `${path}.get(${String(k)})`))
      return c
    }
    if (v instanceof Set) {
      checkClass(Object.getPrototypeOf(v) as object, path)
      const c = new Set<unknown>()
      this.copies.set(v, c)
      for (const x of v as Set<unknown>) c.add(this.copy(x, `${path}<element>`))
      return c
    }
    const proto = Object.getPrototypeOf(v) as object | null
    checkClass(proto, path)
    const c = Object.create(proto) as Record<PropertyKey, unknown>
    this.copies.set(v, c)
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key) as PropertyDescriptor
      const at = `${path}.${String(key)}`
      if (!('value' in d)) throw new CheckpointError(at, 'an accessor property may hide state in a closure')
      if (!d.writable) throw new CheckpointError(at, 'a read-only property of a mutable object cannot be restored in place')
      c[key] = this.copy(d.value, at)
    }
    return c
  }
}

/**
 * Saves the state of the graph under `root`; `shared` objects (immutable config, sinks) are kept by
 * reference. With `previous` (an earlier checkpoint of the same root), the chunks of large typed
 * arrays that have not changed since are shared with it rather than copied.
 */
export function takeCheckpoint(root: object, shared: readonly object[] = [], previous: Checkpoint | null = null): Checkpoint {
  const t = new Taker(new Set(shared), previous)
  const copy = t.copy(root, describe(root).replace(/^an? /, '')) as object
  return { root: copy, bytes: t.bytes, totalBytes: t.totalBytes, objects: t.objects, shared, arrays: t.arrays, held: t.held }
}

/**
 * A restore in two walks. The first pairs each object of the checkpoint with the target's object
 * in the same place (the first place, in walk order, where the target has a compatible one that
 * is still free), so that an object the target reaches only through another path than the
 * checkpoint's first one (a device the target has not yet registered, say) is still the target's
 * own, with its own closures. The second writes the data: into the paired object, or into a new
 * one for an object only the checkpoint has.
 */
class Restorer {
  private readonly pairs = new Map<object, object>()
  private readonly paired = new Set<object>()
  private readonly placed = new Map<object, object>()
  private readonly targetShared: ReadonlySet<object>
  /** The target's counterpart of each shared object of the checkpoint: the one in the same position. */
  private readonly counterpart = new Map<object, object>()
  constructor(sourceShared: readonly object[], targetShared: readonly object[]) {
    if (sourceShared.length !== targetShared.length) throw new CheckpointError('shared', `the checkpoint shares ${sourceShared.length} objects, the target ${targetShared.length}`)
    sourceShared.forEach((o, i) => this.counterpart.set(o, targetShared[i]))
    this.targetShared = new Set(targetShared)
  }

  private compatible(s: object, t: unknown): t is object {
    if (t === null || typeof t !== 'object' || this.paired.has(t) || this.targetShared.has(t) || Object.isFrozen(t)) return false
    if (s instanceof ChunkedCopy) return Object.getPrototypeOf(t) === s.proto && (t as TypedArray).length === s.length
    if (Object.getPrototypeOf(t) !== Object.getPrototypeOf(s)) return false
    return !isTypedArray(s) || (t as TypedArray).length === s.length
  }

  /** First walk: pairs `s` with `t` when they fit, and their children in turn. */
  pair(s: unknown, t: unknown): void {
    if (s === null || typeof s !== 'object' || s instanceof BindingCopy || this.counterpart.has(s) || Object.isFrozen(s) || this.pairs.has(s) || !this.compatible(s, t)) return
    this.pairs.set(s, t)
    this.paired.add(t)
    if (isTypedArray(s) || s instanceof ChunkedCopy) return
    if (Array.isArray(s)) {
      const a = t as unknown[]
      for (let i = 0; i < s.length; i++) this.pair(s[i], a[i])
    } else if (s instanceof Map) {
      const m = t as Map<unknown, unknown>
      for (const [k, x] of s as Map<unknown, unknown>) if (k === null || typeof k !== 'object') this.pair(x, m.get(k))
    } else if (!(s instanceof Set)) {
      const o = t as Record<PropertyKey, unknown>
      for (const k of Reflect.ownKeys(s)) this.pair((s as Record<PropertyKey, unknown>)[k], o[k])
    }
  }

  /** Second walk: the value for a slot that holds `t` in the target and `s` in the checkpoint. */
  place(s: unknown, t: unknown, path: string): unknown {
    if (typeof s === 'function') {
      if (t === s) return t
      if (typeof t === 'function' && fnSource(t as () => unknown) === fnSource(s as () => unknown)) return t
      throw new CheckpointError(path, `a closure (${fnSource(s as () => unknown).replace(/\s+/g, ' ').slice(0, 80)}) that the target has not wired here cannot be recreated`)
    }
    if (s === null || typeof s !== 'object') return s
    if (s instanceof BindingCopy) {
      const done = this.placed.get(s)
      if (done !== undefined) return done
      const b: Binding = { method: s.method, self: s, args: [] }
      const f = bound(b)
      this.placed.set(s, f)
      b.self = this.place(s.self, undefined, `${path}<self>`) as object
      b.args = s.args.map((a, i) => this.place(a, undefined, `${path}<arg ${i}>`))
      return f
    }
    const shared = this.counterpart.get(s)
    if (shared !== undefined) return shared
    if (Object.isFrozen(s)) return s
    const done = this.placed.get(s)
    if (done !== undefined) return done
    const mine = this.pairs.get(s)
    if (s instanceof ChunkedCopy) {
      const a = (mine ?? new (s.proto.constructor as new (n: number) => TypedArray)(s.length)) as Uint8Array
      let at = 0
      for (const c of s.chunks) {
        a.set(c as Uint8Array, at)
        at += c.length
      }
      return this.claim(s, a)
    }
    if (isTypedArray(s)) {
      if (mine === undefined) return this.claim(s, s.slice())
      ;(mine as Uint8Array).set(s as Uint8Array)
      return this.claim(s, mine)
    }
    if (Array.isArray(s)) {
      const a = this.claim(s, (mine as unknown[] | undefined) ?? [])
      const old = a.slice()
      a.length = s.length
      for (let i = 0; i < s.length; i++) a[i] = this.place(s[i], old[i], path)
      return a
    }
    if (s instanceof Map) {
      const m = this.claim(s, (mine as Map<unknown, unknown> | undefined) ?? new Map<unknown, unknown>())
      const old = new Map(m)
      m.clear()
      for (const [k, x] of s as Map<unknown, unknown>) {
        const key = this.place(k, undefined, `${path}<key>`)
        m.set(key, this.place(x, old.get(key), `${path}.get(${String(k)})`))
      }
      return m
    }
    if (s instanceof Set) {
      const set = this.claim(s, (mine as Set<unknown> | undefined) ?? new Set<unknown>())
      set.clear()
      for (const x of s as Set<unknown>) set.add(this.place(x, undefined, `${path}<element>`))
      return set
    }
    const o = this.claim(s, (mine ?? Object.create(Object.getPrototypeOf(s) as object | null)) as Record<PropertyKey, unknown>)
    this.fill(o, s as Record<PropertyKey, unknown>, path)
    return o
  }

  fill(o: Record<PropertyKey, unknown>, s: Record<PropertyKey, unknown>, path: string): void {
    const keys = Reflect.ownKeys(s)
    const keep = new Set<PropertyKey>(keys)
    for (const k of Reflect.ownKeys(o)) if (!keep.has(k)) delete o[k]
    for (const k of keys) o[k] = this.place(s[k], o[k], `${path}.${String(k)}`)
  }

  private claim<T extends object>(s: object, o: T): T {
    this.placed.set(s, o)
    return o
  }
}

/**
 * Writes checkpoint `cp` into `target`, a root built like the one it was taken of (the same
 * class, the same experiment and inputs), which then continues as that one did from the instant
 * of the checkpoint. `targetShared` are the target's counterparts of the checkpoint's shared
 * objects, in the same order (the target gets its own where the checkpoint holds a shared one).
 * Throws CheckpointError, possibly after writing part of the state: a target that saw a refused
 * restore is not to be trusted and must be rebuilt.
 */
export function restoreCheckpoint(target: object, cp: Checkpoint, targetShared: readonly object[] = cp.shared): void {
  const r = new Restorer(cp.shared, targetShared)
  const name = describe(cp.root).replace(/^an? /, '')
  if (Object.getPrototypeOf(target) !== Object.getPrototypeOf(cp.root)) throw new CheckpointError(name, `the target is ${describe(target)}`)
  r.pair(cp.root, target)
  r.place(cp.root, target, name)
}
