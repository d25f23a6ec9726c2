/**
 * Keepalive requests (and beacons) share a 64 KiB budget of bytes in flight per page;
 * each request stays well below it so a flush on `pagehide` is never refused.
 */
export const MAX_BODY_BYTES = 60_000

const HEAD = '{"batch":['

function byteLength(text: string): number {
  return new Blob([text]).size
}

/**
 * Splits events into `/v1/batch` bodies of at most `maxBytes` (UTF-8), in order:
 * `{"batch":[…],"sentAt":"…","writeKey":"…"}`. An event too large for any request, or that cannot be serialised, is dropped.
 */
export function encodeBatches(
  events: readonly object[],
  writeKey: string,
  sentAt: string,
  maxBytes = MAX_BODY_BYTES,
): string[] {
  const tail = `],"sentAt":"${sentAt}","writeKey":${JSON.stringify(writeKey)}}`
  const empty = byteLength(HEAD + tail)
  const bodies: string[] = []
  let parts: string[] = []
  let size = empty
  for (const event of events) {
    let json: string
    try {
      json = JSON.stringify(event)
    } catch {
      continue // circular or BigInt properties: the event cannot be sent
    }
    const bytes = byteLength(json) + 1
    if (parts.length && size + bytes > maxBytes) {
      bodies.push(HEAD + parts.join() + tail)
      parts = []
      size = empty
    }
    if (empty + bytes <= maxBytes) {
      parts.push(json)
      size += bytes
    }
  }
  if (parts.length) bodies.push(HEAD + parts.join() + tail)
  return bodies
}
