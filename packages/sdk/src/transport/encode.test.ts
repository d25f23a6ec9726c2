import { describe, expect, it } from 'vitest'
import { encodeBatches, MAX_BODY_BYTES } from './encode'

const SENT_AT = '2025-01-02T03:04:05.000Z'

function event(index: number, padding = 0) {
  return { type: 'track', event: `e${index}`, properties: { pad: 'é'.repeat(padding) } }
}

function names(batch: [string, { event?: string }[]]) {
  return JSON.parse(batch[0]).batch.map((e: { event: string }) => e.event)
}

describe('encodeBatches', () => {
  it('encodes the /v1/batch envelope, with the events it carries', () => {
    const one = event(1)
    expect(encodeBatches([one], 'wk_1', SENT_AT)).toEqual([
      [JSON.stringify({ batch: [one], sentAt: SENT_AT, writeKey: 'wk_1' }), [one]],
    ])
    expect(encodeBatches([one], 'wk_1', SENT_AT)[0]?.[1][0]).toBe(one)
  })

  it('returns nothing for no events', () => {
    expect(encodeBatches([], 'wk_1', SENT_AT)).toEqual([])
  })

  it('splits into bodies under the byte limit, keeping order', () => {
    // ~10 KB per event in 2-byte characters: the limit counts UTF-8 bytes, so 5 fit, not 11.
    const events = Array.from({ length: 30 }, (_, index) => event(index, 5_000))
    const batches = encodeBatches(events, 'wk_1', SENT_AT)
    for (const [body] of batches) {
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES)
    }
    expect(batches.map(([body]) => JSON.parse(body).batch.length)).toEqual([5, 5, 5, 5, 5, 5])
    expect(batches.flatMap(names)).toEqual(events.map((e) => e.event))
    expect(batches.flatMap(([, carried]) => carried)).toEqual(events)
  })

  it('drops an event too large for any request and keeps the others', () => {
    const batches = encodeBatches([event(1), event(2, 40_000), event(3)], 'wk_1', SENT_AT)
    expect(batches.flatMap(names)).toEqual(['e1', 'e3'])
    expect(batches.flatMap(([, carried]) => carried.map((e) => e.event))).toEqual(['e1', 'e3'])
  })

  it('drops an event that cannot be serialised and keeps the others', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const batches = encodeBatches([event(1), { properties: circular }, event(3)], 'wk_1', SENT_AT)
    expect(
      batches.map(([body, carried]) => [JSON.parse(body).batch.length, carried.length]),
    ).toEqual([[2, 2]])
  })
})
