/** Journeys as key paths, the input of the data-driven models (PRODUCT.md §7). */

/** How often one key path was seen, ending in a conversion or not. */
export interface PathCount {
  /** Grouping keys in time order. */
  path: readonly string[]
  conversions: number
  nonConversions: number
}

/**
 * A key path (grouping keys in time order, consecutive repeats collapsed) and how many
 * journeys followed it: what the data-driven models learn from non-converting journeys.
 */
export interface KeyPath {
  path: readonly string[]
  journeys: number
}

/** A path of key numbers (indexes into a key list), consecutive repeats collapsed. */
export interface NumberedPath {
  ids: readonly number[]
  conversions: number
  nonConversions: number
}

/**
 * Numbers keys in order of first appearance, so that the models work on small integers
 * rather than strings.
 */
export class KeyNumbering {
  readonly keys: string[] = []
  readonly #ids = new Map<string, number>()

  /** The collapsed id path of keys (or keyed touches) in time order. */
  pathOf(items: readonly (string | { key: string })[]): number[] {
    const path: number[] = []
    for (const item of items) {
      const key = typeof item === 'string' ? item : item.key
      let id = this.#ids.get(key)
      if (id === undefined) {
        id = this.keys.length
        this.keys.push(key)
        this.#ids.set(key, id)
      }
      if (path[path.length - 1] !== id) path.push(id)
    }
    return path
  }
}

/**
 * Numbered paths added up: identical paths become one entry with the sum of their counts,
 * so that the models see each distinct path once (counts are integers: sums are exact).
 */
export class PathTally {
  readonly paths: NumberedPath[] = []
  /** Indexes into `paths`, by `pathHash`. */
  readonly #buckets = new Map<number, number[]>()

  /** Counts `ids` (a new path is copied: the caller may reuse its array). */
  add(ids: readonly number[], conversions: number, nonConversions: number): void {
    const hash = pathHash(ids, -1)
    const bucket = this.#buckets.get(hash)
    for (const index of bucket ?? []) {
      const known = this.paths[index] as NumberedPath
      if (samePath(known.ids, -1, ids, -1)) {
        known.conversions += conversions
        known.nonConversions += nonConversions
        return
      }
    }
    if (bucket) bucket.push(this.paths.length)
    else this.#buckets.set(hash, [this.paths.length])
    this.paths.push({ ids: ids.slice(), conversions, nonConversions })
  }
}

/** FNV-1a over the length and the key numbers of `path`, position `without` left out (−1: none). */
export function pathHash(path: readonly number[], without: number): number {
  let hash = Math.imul(0x811c9dc5 ^ (path.length - (without < 0 ? 0 : 1)), 0x01000193)
  for (let i = 0; i < path.length; i++) {
    if (i !== without) hash = Math.imul(hash ^ (path[i] as number), 0x01000193)
  }
  return hash
}

/** Whether path `a` without position `aWithout` equals `b` without `bWithout` (−1: none). */
export function samePath(
  a: readonly number[],
  aWithout: number,
  b: readonly number[],
  bWithout: number,
): boolean {
  const length = a.length - (aWithout < 0 ? 0 : 1)
  if (length !== b.length - (bWithout < 0 ? 0 : 1)) return false
  for (let i = 0; i < length; i++) {
    const x = a[aWithout < 0 || i < aWithout ? i : i + 1]
    const y = b[bWithout < 0 || i < bWithout ? i : i + 1]
    if (x !== y) return false
  }
  return true
}

/** Numbers the keys of key paths (collapsing them). */
export function numberPaths(paths: Iterable<PathCount>): {
  keys: readonly string[]
  paths: NumberedPath[]
} {
  const numbering = new KeyNumbering()
  const numbered: NumberedPath[] = []
  for (const { path, conversions, nonConversions } of paths) {
    numbered.push({ ids: numbering.pathOf(path), conversions, nonConversions })
  }
  return { keys: numbering.keys, paths: numbered }
}

/** Keys in time order with consecutive repeats collapsed (`a a b a` → `a b a`). */
export function collapseRepeats(keys: Iterable<string>): string[] {
  const path: string[] = []
  for (const key of keys) if (path[path.length - 1] !== key) path.push(key)
  return path
}
