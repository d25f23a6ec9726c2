/** Identifiers that are never a real identity (PRODUCT.md §5), compared lower-cased. */
export const ILLEGAL_IDS: ReadonlySet<string> = new Set([
  '',
  '0',
  '-1',
  'null',
  'undefined',
  'anonymous',
  'nan',
  'none',
  'unknown',
  'guest',
  '[object object]',
])

/** Whether a (trimmed) identifier can stand for a visitor or a person. */
export function isUsableId(id: string): boolean {
  return !ILLEGAL_IDS.has(id.trim().toLowerCase())
}
