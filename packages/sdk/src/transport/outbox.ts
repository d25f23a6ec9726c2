import type { Platform } from './platform'

/** localStorage key of the events not yet acknowledged by the collector. */
export const OUTBOX_KEY = 'tl_q'
/** The outbox keeps the newest events within these bounds (localStorage is the site's too). */
export const MAX_OUTBOX_EVENTS = 100
export const MAX_OUTBOX_CHARS = 200_000

export interface OutboxEvent {
  messageId: string
}

type Storage = Pick<Platform, '_get' | '_set'>

/** The stored events, oldest first; none when storage is unavailable, empty or corrupt. */
export function readOutbox(storage: Storage): OutboxEvent[] {
  try {
    // Anything but an array has no `filter` (JSON has no functions): it throws, so none.
    return JSON.parse(storage._get(OUTBOX_KEY) as string).filter(
      (event: Partial<OutboxEvent> | null) => event?.messageId,
    )
  } catch {
    return []
  }
}

/**
 * The outbox's JSON: the newest events that fit in `maxEvents` and `maxChars` (the oldest
 * are dropped); null when none is left. Events that cannot be serialised are skipped.
 */
export function boundOutbox(
  events: readonly object[],
  maxEvents = MAX_OUTBOX_EVENTS,
  maxChars = MAX_OUTBOX_CHARS,
): string | null {
  const parts: string[] = []
  let size = 2
  for (let index = events.length; index-- && parts.length < maxEvents; ) {
    let json: string
    try {
      json = JSON.stringify(events[index])
    } catch {
      continue
    }
    size += json.length + 1
    if (size > maxChars) break
    parts.unshift(json)
  }
  return parts.length ? `[${parts}]` : null
}

/** Replaces the stored events: drops those in `remove`, appends `add`, keeps the bounds. */
export function updateOutbox(
  storage: Storage,
  remove: readonly OutboxEvent[],
  add: readonly OutboxEvent[],
): void {
  const ids = new Set(remove.map((event) => event.messageId))
  storage._set(
    OUTBOX_KEY,
    boundOutbox([...readOutbox(storage).filter((event) => !ids.has(event.messageId)), ...add]),
  )
}
