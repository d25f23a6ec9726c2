/** Ranks of keys under several models (or lookback windows), and how they shift. */

/** Competition ranking ("1, 2, 2, 4") by descending value; values within 1e-9 tie. */
export function ranksOf(values: ReadonlyMap<string, number>): Map<string, number> {
  const rounded = [...values].map(([key, value]) => [key, Math.round(value * 1e9)] as const)
  const sorted = rounded.map(([, value]) => value).sort((a, b) => b - a)
  const ranks = new Map<string, number>()
  for (const [key, value] of rounded) ranks.set(key, sorted.indexOf(value) + 1)
  return ranks
}

/** Places gained (> 0) or lost (< 0) against the baseline rank. */
export function shiftOf(rank: number, baseline: number): number {
  return baseline - rank
}

/** `▲2`, `▼1` or `=`; with the words a screen reader says. */
export function shiftLabel(shift: number, against: string): { symbol: string; words: string } {
  if (shift > 0) {
    return { symbol: `▲${shift}`, words: `up ${shift} ${places(shift)} from ${against}` }
  }
  if (shift < 0) {
    return { symbol: `▼${-shift}`, words: `down ${-shift} ${places(-shift)} from ${against}` }
  }
  return { symbol: '=', words: `same rank as ${against}` }
}

const places = (n: number) => (n === 1 ? 'place' : 'places')
