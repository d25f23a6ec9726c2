/**
 * Random numbers: sfc32 seeded per stream (one stream per person), so each person's plan is
 * independent of the others'.
 */

export type Random = () => number

function sfc32(a: number, b: number, c: number, d: number): Random {
  return () => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4_294_967_296
  }
}

/** A 32-bit mix (splitmix32's finaliser). */
function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
  return (z ^ (z >>> 15)) >>> 0
}

export function randomStream(seed: number, stream: number): Random {
  const random = sfc32(seed, stream, mix32(seed ^ mix32(stream)), mix32(stream + 0x6d2b79f5))
  for (let i = 0; i < 12; i++) random()
  return random
}

/** A whole number (or its digits, as a CLI passes it) as given, 32 bits; else FNV-1a. */
export function seedOf(seed: number | string): number {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed >>> 0
  if (typeof seed === 'string' && /^\d{1,9}$/.test(seed)) return Number(seed)
  let hash = 0x811c9dc5
  for (const char of String(seed)) {
    hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193)
  }
  return hash >>> 0
}

export const chance = (random: Random, p: number) => random() < p
export const between = (random: Random, low: number, high: number) => low + (high - low) * random()
export const integer = (random: Random, low: number, high: number) =>
  low + Math.floor((high - low + 1) * random())
export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T
export const exponential = (random: Random, mean: number) => -mean * Math.log(1 - random())

/** Cumulative weights, for {@link weighted}. */
export function cumulative(weights: readonly number[]): number[] {
  let sum = 0
  const totals = weights.map((weight) => (sum += weight))
  return totals.map((total) => total / sum)
}

/** An index drawn with the weights given to {@link cumulative}. */
export function weighted(random: Random, totals: readonly number[]): number {
  const x = random()
  const index = totals.findIndex((total) => x < total)
  return index < 0 ? totals.length - 1 : index
}

export function weightedPick<T extends { weight: number }>(random: Random, items: readonly T[]): T {
  let x = random() * items.reduce((sum, item) => sum + item.weight, 0)
  for (const item of items) {
    x -= item.weight
    if (x < 0) return item
  }
  return items[items.length - 1] as T
}

const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict'
export const HEX = '0123456789abcdef'

export function randomText(random: Random, length: number, alphabet = ALPHABET): string {
  let text = ''
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)]
  return text
}

/** A version 4 UUID, as analytics.js makes anonymous IDs. */
export function uuid(random: Random): string {
  const hex = randomText(random, 32, HEX)
  const variant = HEX[8 + Math.floor(random() * 4)]
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`
}
