/** Journeys as key paths, the input of the data-driven models (PRODUCT.md §7). */

/** How often one key path was seen, ending in a conversion or not. */
export interface PathCount {
  /** Grouping keys in time order. */
  path: readonly string[]
  conversions: number
  nonConversions: number
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
