/** Attribution models (PRODUCT.md §7): pure credit rules over a journey's touches. */

export const MODELS = ['first_touch', 'last_touch', 'linear'] as const
export type Model = (typeof MODELS)[number]

export interface Touch {
  time: number
}

/**
 * The credit each touch of a journey (sorted by time) receives for one conversion.
 * Credits sum to 1 for any non-empty journey.
 */
export function credits(model: Model, journey: readonly Touch[]): number[] {
  const n = journey.length
  if (n === 0) return []
  switch (model) {
    case 'first_touch':
      return journey.map((_, i) => (i === 0 ? 1 : 0))
    case 'last_touch':
      return journey.map((_, i) => (i === n - 1 ? 1 : 0))
    case 'linear':
      return journey.map(() => 1 / n)
  }
}
