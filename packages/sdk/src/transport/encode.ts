/**
 * Keepalive requests (and beacons) share a 64 KiB budget of bytes in flight per page;
 * each request stays well below it so a flush on `pagehide` is never refused.
 */
export const MAX_BODY_BYTES = 60_000

const HEAD = '{"batch":['

/** A wire timestamp: epoch milliseconds as ISO 8601 in UTC. */
export const iso = (time: number): string => new Date(time).toISOString()

export function byteLength(text: string): number {
  return new Blob([text]).size
}

/**
 * Splits events into `/v1/batch` bodies of at most `maxBytes` (UTF-8), in order, each with
 * the events it carries: `{"batch":[…],"sentAt":"…","writeKey":"…"}`. An event too large
 * for any request, or that cannot be serialised, is in none (it is dropped).
 */
export function encodeBatches<T extends object>(
  events: readonly T[],
  writeKey: string,
  sentAt: string,
  maxBytes = MAX_BODY_BYTES,
): [body: string, events: T[]][] {
  const tail = `],"sentAt":"${sentAt}","writeKey":${JSON.stringify(writeKey)}}`
  const empty = byteLength(HEAD + tail)
  const batches: [string, T[]][] = []
  let parts: string[] = []
  let carried: T[] = []
  let size = empty
  const close = () => {
    if (parts.length) batches.push([HEAD + parts.join() + tail, carried])
    parts = []
    carried = []
    size = empty
  }
  for (const event of events) {
    let json: string
    try {
      json = JSON.stringify(event)
    } catch {
      continue // circular or BigInt properties: the event cannot be sent
    }
    const bytes = byteLength(json) + 1
    if (size + bytes > maxBytes) close()
    if (empty + bytes <= maxBytes) {
      parts.push(json)
      carried.push(event)
      size += bytes
    }
  }
  close()
  return batches
}
