import { describe, expect, it } from 'vitest'
import { encodeBatches, MAX_BODY_BYTES } from './encode'

const SENT_AT = '2025-01-02T03:04:05.000Z'

function event(index: number, padding = 0) {
  return { type: 'track', event: `e${index}`, properties: { pad: 'é'.repeat(padding) } }
}

describe('encodeBatches', () => {
  it('encodes the /v1/batch envelope', () => {
    const [body] = encodeBatches([event(1)], 'wk_1', SENT_AT)
    expect(JSON.parse(body ?? '')).toEqual({
      batch: [event(1)],
      sentAt: SENT_AT,
      writeKey: 'wk_1',
    })
  })

  it('returns nothing for no events', () => {
    expect(encodeBatches([], 'wk_1', SENT_AT)).toEqual([])
  })

  it('splits into bodies under the byte limit, keeping order', () => {
    // ~10 KB per event in 2-byte characters: the limit counts UTF-8 bytes, so 5 fit, not 11.
    const events = Array.from({ length: 30 }, (_, index) => event(index, 5_000))
    const bodies = encodeBatches(events, 'wk_1', SENT_AT)
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES)
    expect(bodies.map((body) => JSON.parse(body).batch.length)).toEqual([5, 5, 5, 5, 5, 5])
    expect(
      bodies.flatMap((body) => JSON.parse(body).batch.map((e: { event: string }) => e.event)),
    ).toEqual(events.map((e) => e.event))
  })

  it('drops an event too large for any request and keeps the others', () => {
    const bodies = encodeBatches([event(1), event(2, 40_000), event(3)], 'wk_1', SENT_AT)
    expect(
      bodies.flatMap((body) => JSON.parse(body).batch.map((e: { event: string }) => e.event)),
    ).toEqual(['e1', 'e3'])
  })

  it('drops an event that cannot be serialised and keeps the others', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const bodies = encodeBatches([event(1), { properties: circular }, event(3)], 'wk_1', SENT_AT)
    expect(bodies.map((body) => JSON.parse(body).batch.length)).toEqual([2])
  })
})
