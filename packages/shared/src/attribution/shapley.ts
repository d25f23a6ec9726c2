import { pathHash, samePath } from './paths'

/**
 * Simplified Shapley credits (Google's fractribution) of the n positions of a collapsed path,
 * from rate(−1) = p(path) and rate(i) = p(path without position i, not collapsed again),
 * p = conversions / (conversions + non-conversions), 0 for a path never seen:
 * marginal_i = max(p(path) − rate(i), 0), normalised. A one-touch path takes all; all-zero
 * marginals give all to the last touch.
 */
export function shapleyCredits(n: number, rate: (without: number) => number): number[] {
  if (n <= 1) return n === 1 ? [1] : []
  const whole = rate(-1)
  const marginals = Array.from({ length: n }, (_, i) => Math.max(whole - rate(i), 0))
  const sum = marginals.reduce((a, b) => a + b, 0)
  if (!(sum > 0)) return marginals.map((_, i) => (i === n - 1 ? 1 : 0))
  return marginals.map((marginal) => marginal / sum)
}

/**
 * The Shapley credits of each converting journey's positions (the i-th array for
 * `converting[i]`), with p counted over identical paths among all the journeys. Paths are
 * collapsed key numbers: one per converting journey, and non-converting paths with how many
 * journeys followed each. Only the paths the credits read are counted: the
 * converting paths and those minus one position, found through a numeric hash without
 * building any string.
 */
export function shapleyCreditsOfPaths(
  converting: readonly (readonly number[])[],
  nonConverting: Iterable<{ ids: readonly number[]; journeys: number }>,
): number[][] {
  const counts = new PathCounts()
  const entries = converting.map((path) => {
    const entry = counts.add(path, -1)
    entry.conversions++
    entry.journeys++
    return entry
  })
  const registered = new Set<CountedPath>()
  converting.forEach((path, i) => {
    const entry = entries[i] as CountedPath
    if (registered.has(entry)) return
    registered.add(entry)
    for (let without = 0; without < path.length; without++) counts.add(path, without)
  })
  for (const { ids, journeys } of nonConverting) {
    const entry = ids.length > 0 ? counts.find(ids, -1) : undefined
    if (entry) entry.journeys += journeys
  }
  const rateOf = (entry: CountedPath | undefined) =>
    entry && entry.journeys > 0 ? entry.conversions / entry.journeys : 0
  const cache = new Map<CountedPath, number[]>()
  return converting.map((path, i) => {
    const entry = entries[i] as CountedPath
    let credits = cache.get(entry)
    if (!credits) {
      credits = shapleyCredits(path.length, (without) =>
        rateOf(without < 0 ? entry : counts.find(path, without)),
      )
      cache.set(entry, credits)
    }
    return credits
  })
}

/** A path `path` with position `without` left out (−1: none), and its journeys. */
interface CountedPath {
  path: readonly number[]
  without: number
  conversions: number
  journeys: number
}

/** Paths with a position left out, compared by their key numbers. */
class PathCounts {
  readonly #buckets = new Map<number, CountedPath[]>()

  find(path: readonly number[], without: number): CountedPath | undefined {
    for (const entry of this.#buckets.get(pathHash(path, without)) ?? []) {
      if (samePath(entry.path, entry.without, path, without)) return entry
    }
    return undefined
  }

  add(path: readonly number[], without: number): CountedPath {
    const found = this.find(path, without)
    if (found) return found
    const entry = { path, without, conversions: 0, journeys: 0 }
    const hash = pathHash(path, without)
    const bucket = this.#buckets.get(hash)
    if (bucket) bucket.push(entry)
    else this.#buckets.set(hash, [entry])
    return entry
  }
}
