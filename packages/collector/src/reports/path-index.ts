import { type KeyedTouch, type KeyPath, sortTouches } from '@touchline/shared'

/** A keyed touch and whether it was offline: what the index holds of each. */
export interface IndexedTouch extends KeyedTouch {
  direct: boolean
  offline: boolean
}

const DIRECT = 1
const OFFLINE = 2

/**
 * Every owner's keyed journey as key numbers, times and flags in flat typed arrays: the
 * engine's keyed journeys, `set` whenever an owner's journey changes, read back by owner
 * (`touches`: objects made for the owners a report asks for, never kept). The
 * data-driven models learn from the key paths of every non-converting journey: read from
 * here, that is one pass over two arrays rather than over millions of objects spread through
 * the heap (at 10M events, that walk and its copies took about half a second per report).
 *
 * An owner's touches are stored in one run of the arrays, in the canonical order of journeys
 * (`sortTouches`); a changed journey is written anew at the end. When the arrays are full, the current
 * runs are copied into arrays twice their total size, stale ones left behind.
 */
export class PathIndex {
  private readonly keys: string[] = []
  private readonly keyIds = new Map<string, number>()
  private readonly slots = new Map<string, number>()
  private starts: Int32Array<ArrayBuffer>
  private lengths: Int32Array<ArrayBuffer>
  private times: Float64Array<ArrayBuffer>
  private ids: Int32Array<ArrayBuffer>
  /** Per entry: DIRECT | OFFLINE. */
  private flags: Uint8Array<ArrayBuffer>
  /** Entries written to `times`/`ids`, and those still part of a journey. */
  private used = 0
  private live = 0

  /** `capacity`: touches held before the arrays first grow (owners and trie nodes: ≤ 1,024). */
  constructor(private readonly capacity = 4_096) {
    this.times = new Float64Array(capacity)
    this.ids = new Int32Array(capacity)
    this.flags = new Uint8Array(capacity)
    this.starts = new Int32Array(Math.min(capacity, 1_024))
    this.lengths = new Int32Array(Math.min(capacity, 1_024))
  }

  /** Replaces an owner's journey (an empty one removes it). */
  set(owner: string, touches: readonly (KeyedTouch & { offline?: boolean })[]): void {
    const ordered = sortTouches(touches)
    let at = this.replace(owner, ordered.length)
    for (const touch of ordered) {
      this.write(
        at++,
        touch.time,
        this.keyNumber(touch.key),
        touch.direct === true,
        touch.offline === true,
      )
    }
  }

  /**
   * Replaces an owner's journey with `length` touches written by the caller (`write`, at the
   * returned position and the next ones), already in canonical order: no object per touch.
   */
  replace(owner: string, length: number): number {
    let slot = this.slots.get(owner)
    if (slot === undefined) {
      slot = this.slots.size
      this.slots.set(owner, slot)
      if (slot >= this.starts.length) {
        this.starts = grown(this.starts, slot + 1)
        this.lengths = grown(this.lengths, slot + 1)
      }
    }
    this.live -= this.lengths[slot] as number
    this.lengths[slot] = 0
    if (length === 0) return this.used
    if (this.used + length > this.times.length) this.makeRoom(length)
    const start = this.used
    this.starts[slot] = start
    this.lengths[slot] = length
    this.used += length
    this.live += length
    return start
  }

  /** One touch of a journey being replaced (`replace`); `key`: a `keyNumber`. */
  write(at: number, time: number, key: number, direct: boolean, offline: boolean): void {
    this.times[at] = time
    this.ids[at] = key
    this.flags[at] = (direct ? DIRECT : 0) | (offline ? OFFLINE : 0)
  }

  /** The owner's journey in canonical order (new objects), undefined if it has none. */
  touches(owner: string): IndexedTouch[] | undefined {
    const slot = this.slots.get(owner)
    const length = slot === undefined ? 0 : (this.lengths[slot] as number)
    if (slot === undefined || length === 0) return undefined
    const start = this.starts[slot] as number
    const touches: IndexedTouch[] = []
    for (let i = start; i < start + length; i++) {
      const flags = this.flags[i] as number
      touches.push({
        time: this.times[i] as number,
        key: this.keys[this.ids[i] as number] as string,
        direct: (flags & DIRECT) !== 0,
        offline: (flags & OFFLINE) !== 0,
      })
    }
    return touches
  }

  /**
   * The key paths (repeats collapsed) of the touches with `from` ≤ time < `to` of every
   * owner not in `excluded`, identical paths counted together, in order of first appearance.
   * Paths are counted in a trie of key numbers: one array step per touch, no hashing.
   */
  paths({ from, to }: { from: number; to: number }, excluded: ReadonlySet<string>): KeyPath[] {
    const skip = new Uint8Array(this.slots.size)
    for (const owner of excluded) {
      const slot = this.slots.get(owner)
      if (slot !== undefined) skip[slot] = 1
    }
    const trie = new PathTrie(this.keys.length, Math.min(this.capacity, 1_024))
    for (let slot = 0; slot < this.slots.size; slot++) {
      if (skip[slot]) continue
      const start = this.starts[slot] as number
      const end = start + (this.lengths[slot] as number)
      let node = PathTrie.ROOT
      let last = -1
      for (let i = start; i < end; i++) {
        const time = this.times[i] as number
        if (time < from) continue
        if (time >= to) break
        const id = this.ids[i] as number
        if (id !== last) node = trie.child(node, id)
        last = id
      }
      if (node !== PathTrie.ROOT) trie.count(node)
    }
    return trie.paths().map(({ ids, journeys }) => ({
      path: ids.map((id) => this.keys[id] as string),
      journeys,
    }))
  }

  /** The number of a grouping key in this index (numbered when first seen). */
  keyNumber(key: string): number {
    let id = this.keyIds.get(key)
    if (id === undefined) {
      id = this.keys.length
      this.keys.push(key)
      this.keyIds.set(key, id)
    }
    return id
  }

  /** Room for `more` entries: the current runs, compacted into arrays twice their size. */
  private makeRoom(more: number): void {
    const capacity = Math.max(this.capacity, 2 * (this.live + more))
    const times = new Float64Array(capacity)
    const ids = new Int32Array(capacity)
    const flags = new Uint8Array(capacity)
    if (this.live === this.used) {
      // Nothing stale (as while the index is first filled): the runs stay where they are.
      times.set(this.times.subarray(0, this.used))
      ids.set(this.ids.subarray(0, this.used))
      flags.set(this.flags.subarray(0, this.used))
      this.times = times
      this.ids = ids
      this.flags = flags
      return
    }
    let used = 0
    for (let slot = 0; slot < this.slots.size; slot++) {
      const start = this.starts[slot] as number
      const length = this.lengths[slot] as number
      times.set(this.times.subarray(start, start + length), used)
      ids.set(this.ids.subarray(start, start + length), used)
      flags.set(this.flags.subarray(start, start + length), used)
      this.starts[slot] = used
      used += length
    }
    this.times = times
    this.ids = ids
    this.flags = flags
    this.used = used
  }
}

function grown(array: Int32Array, needed: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(Math.max(needed, 2 * array.length))
  bigger.set(array)
  return bigger
}

/** Key-number paths as a trie in typed arrays, with how many journeys ended at each node. */
class PathTrie {
  static readonly ROOT = 0
  /** Child of node n by key k at `n * width + k` (0: none; the root is nobody's child). */
  private children: Int32Array
  private parents: Int32Array
  private keyIds: Int32Array
  private journeys: Int32Array
  private size = 1

  /** `width`: the number of keys; `nodes`: nodes held before the arrays first grow. */
  constructor(
    private readonly width: number,
    nodes: number,
  ) {
    this.children = new Int32Array(nodes * Math.max(1, width))
    this.parents = new Int32Array(nodes)
    this.keyIds = new Int32Array(nodes)
    this.journeys = new Int32Array(nodes)
  }

  child(node: number, id: number): number {
    const at = node * this.width + id
    const known = this.children[at] as number
    if (known !== 0) return known
    if (this.size === this.parents.length) this.grow()
    const created = this.size++
    this.children[at] = created
    this.parents[created] = node
    this.keyIds[created] = id
    return created
  }

  count(node: number): void {
    this.journeys[node] = (this.journeys[node] as number) + 1
  }

  /** Every path journeys ended on, in order of first appearance (of its last node). */
  paths(): { ids: number[]; journeys: number }[] {
    const result: { ids: number[]; journeys: number }[] = []
    for (let node = 1; node < this.size; node++) {
      const journeys = this.journeys[node] as number
      if (journeys === 0) continue
      const ids: number[] = []
      for (let at = node; at !== PathTrie.ROOT; at = this.parents[at] as number) {
        ids.push(this.keyIds[at] as number)
      }
      result.push({ ids: ids.reverse(), journeys })
    }
    return result
  }

  private grow(): void {
    const capacity = 2 * this.parents.length
    const children = new Int32Array(capacity * Math.max(1, this.width))
    children.set(this.children)
    this.children = children
    for (const name of ['parents', 'keyIds', 'journeys'] as const) {
      const bigger = new Int32Array(capacity)
      bigger.set(this[name])
      this[name] = bigger
    }
  }
}
