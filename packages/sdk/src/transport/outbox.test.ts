import { describe, expect, it } from 'vitest'
import { boundOutbox, OUTBOX_KEY, readOutbox } from './outbox'

const events = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ messageId: `m${index}` }))
const ids = (json: string | null) =>
  (JSON.parse(json ?? '[]') as { messageId: string }[]).map((event) => event.messageId)

describe('boundOutbox', () => {
  it('keeps every event within the bounds, in order', () => {
    expect(ids(boundOutbox(events(3)))).toEqual(['m0', 'm1', 'm2'])
  })

  it('is null for no events (the key is removed)', () => {
    expect(boundOutbox([])).toBeNull()
  })

  it('drops the oldest events beyond the count', () => {
    expect(ids(boundOutbox(events(5), 2))).toEqual(['m3', 'm4'])
  })

  it('drops the oldest events beyond the characters', () => {
    // Each event is 18 characters and a comma; the brackets take 2.
    const json = boundOutbox(events(5), 100, 2 + 3 * 19)
    expect(ids(json)).toEqual(['m2', 'm3', 'm4'])
    expect(json?.length).toBeLessThanOrEqual(2 + 3 * 19)
  })

  it('skips an event that cannot be serialised', () => {
    const circular: Record<string, unknown> = { messageId: 'bad' }
    circular.self = circular
    expect(ids(boundOutbox([{ messageId: 'a' }, circular, { messageId: 'b' }]))).toEqual(['a', 'b'])
  })

  it('holds at most 100 events by default', () => {
    expect(ids(boundOutbox(events(150)))).toHaveLength(100)
  })
})

describe('readOutbox', () => {
  const stored = (value: string | null) => ({
    _get: (key: string) => (key === OUTBOX_KEY ? value : null),
    _set() {},
  })

  it('reads the stored events that have a messageId', () => {
    expect(
      readOutbox(stored('[{"messageId":"a"},null,{"type":"page"},7,{"messageId":"b"}]')),
    ).toEqual([{ messageId: 'a' }, { messageId: 'b' }])
  })

  it.each([null, '', 'not json', '{"messageId":"a"}', '"[]"', '42', 'null', 'true'])(
    'reads none from %j',
    (value) => {
      expect(readOutbox(stored(value))).toEqual([])
    },
  )
})
