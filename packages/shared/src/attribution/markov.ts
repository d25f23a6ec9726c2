import { type NumberedPath, numberPaths, type PathCount } from './paths'

/**
 * Removal effect of every key of a first-order Markov chain (PRODUCT.md §7), solved exactly.
 *
 * States are the keys (consecutive repeats collapsed) between `start` and the absorbing
 * `conversion` / `null`; transition probabilities are the observed transition counts,
 * normalised per state. With N = (I − Q)⁻¹ over the key states, x = N·r the probability of
 * converting from each state and P the probability of converting from `start`, removing
 * key k (its inflow redirected to `null`) leaves P − h_k·x_k, where h_k = N[start][k] /
 * N[k][k] is the probability of ever reaching k (strong Markov property). Hence
 * removal effect_k = 1 − P₋ₖ / P = h_k·x_k / P: one matrix inversion for all keys,
 * O(keys³) time and O(keys²) memory, linear in the number of journeys.
 */
export function markovRemovalEffects(paths: Iterable<PathCount>): Map<string, number> {
  const numbered = numberPaths(paths)
  return removalEffects(numbered.keys, numbered.paths)
}

/** Each key's share of the conversions: removal effect / Σ removal effects. */
export function markovShares(paths: Iterable<PathCount>): Map<string, number> | undefined {
  return removalEffectShares(markovRemovalEffects(paths))
}

/**
 * Removal effects / their sum, for the keys with an effect. Undefined when no key has one
 * (there is no conversion among the paths).
 */
export function removalEffectShares(
  effects: ReadonlyMap<string, number>,
): Map<string, number> | undefined {
  let sum = 0
  for (const effect of effects.values()) sum += effect
  if (!(sum > 0) || !Number.isFinite(sum)) return undefined
  const shares = new Map<string, number>()
  for (const [key, effect] of effects) if (effect > 0) shares.set(key, effect / sum)
  return shares
}

/** `markovRemovalEffects` over collapsed paths of key numbers (indexes into `keys`). */
export function removalEffects(
  keys: readonly string[],
  paths: Iterable<NumberedPath>,
): Map<string, number> {
  // States numbered by sorted key: the floating-point result does not depend on input order.
  const n = keys.length
  const order = keys
    .map((_, id) => id)
    .sort((a, b) => compareStrings(keys[a] as string, keys[b] as string))
  const state = new Int32Array(n)
  order.forEach((id, rank) => {
    state[id] = rank
  })
  const matrix = new Float64Array(n * n) // transition counts, then I − Q, then N
  const outflow = new Float64Array(n)
  const converted = new Float64Array(n)
  const started = new Float64Array(n)
  let total = 0
  for (const { ids, conversions, nonConversions } of paths) {
    const weight = conversions + nonConversions
    if (ids.length === 0 || weight === 0) continue
    total += weight
    let from = state[ids[0] as number] as number
    started[from] = (started[from] as number) + weight
    for (let i = 1; i < ids.length; i++) {
      const to = state[ids[i] as number] as number
      matrix[from * n + to] = (matrix[from * n + to] as number) + weight
      outflow[from] = (outflow[from] as number) + weight
      from = to
    }
    outflow[from] = (outflow[from] as number) + weight
    converted[from] = (converted[from] as number) + conversions
  }
  // A seen state is followed by a transition or an absorption, so it is transient; an unseen
  // one gets an identity row. I − Q is then a nonsingular M-matrix.
  for (let i = 0; i < n; i++) {
    const out = outflow[i] as number
    for (let j = 0; j < n; j++) {
      const q = out > 0 ? (matrix[i * n + j] as number) / out : 0
      matrix[i * n + j] = (i === j ? 1 : 0) - q
    }
  }
  invertMMatrix(matrix, n)

  const conversionFrom = new Float64Array(n) // x = N·r
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let j = 0; j < n; j++) {
      const out = outflow[j] as number
      if (out > 0) sum += ((matrix[i * n + j] as number) * (converted[j] as number)) / out
    }
    conversionFrom[i] = sum
  }
  const visitsFromStart = new Float64Array(n) // N[start][k] = Σ_j π_j N[j][k]
  let conversion = 0 // P
  for (let j = 0; j < n; j++) {
    const pi = (started[j] as number) / total
    if (!(pi > 0)) continue
    conversion += pi * (conversionFrom[j] as number)
    for (let k = 0; k < n; k++) {
      visitsFromStart[k] = (visitsFromStart[k] as number) + pi * (matrix[j * n + k] as number)
    }
  }
  const effects = new Map<string, number>()
  order.forEach((id, k) => {
    if ((outflow[k] as number) === 0) return
    const reach = (visitsFromStart[k] as number) / (matrix[k * n + k] as number)
    const effect = conversion > 0 ? (reach * (conversionFrom[k] as number)) / conversion : 0
    effects.set(keys[id] as string, Math.min(1, Math.max(0, effect)))
  })
  return effects
}

/**
 * In-place Gauss–Jordan inversion of an n×n row-major matrix. Without pivoting: every leading
 * principal submatrix of a nonsingular M-matrix is one too, so the pivots stay positive and
 * the elimination is stable.
 */
function invertMMatrix(a: Float64Array, n: number): void {
  for (let p = 0; p < n; p++) {
    const pivotRow = p * n
    const pivot = a[pivotRow + p] as number
    a[pivotRow + p] = 1
    for (let j = 0; j < n; j++) a[pivotRow + j] = (a[pivotRow + j] as number) / pivot
    for (let r = 0; r < n; r++) {
      const row = r * n
      const factor = a[row + p] as number
      if (r === p || factor === 0) continue
      a[row + p] = 0
      for (let j = 0; j < n; j++) {
        a[row + j] = (a[row + j] as number) - factor * (a[pivotRow + j] as number)
      }
    }
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
