/**
 * How many levels of objects and arrays an event may have, the event itself being the first
 * (`properties` is the second). Far beyond what any client sends; deeper values would cost
 * the collector a stack overflow when it copies or stores them.
 */
export const MAX_EVENT_DEPTH = 64

/**
 * The top-level key under which `value` nests deeper than `limit` levels (`''` when the value
 * itself does, for example an array of arrays), else `undefined`. Iterative, so that no
 * depth, however large, can overflow the stack; it stops at the first value too deep.
 */
export function tooDeepAt(value: unknown, limit: number): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const named = !Array.isArray(value)
  const stack: { value: object; depth: number; top: string }[] = [{ value, depth: 1, top: '' }]
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (next.depth > limit) return next.top
    const items = next.value as Record<string, unknown>
    for (const key in items) {
      const item = items[key]
      if (typeof item === 'object' && item !== null) {
        stack.push({
          value: item,
          depth: next.depth + 1,
          top: next.depth === 1 && named ? key : next.top,
        })
      }
    }
  }
  return undefined
}
