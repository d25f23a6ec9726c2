import { describe, expect, it } from 'vitest'
import { parseBatchEnvelope, parseEvent } from './schema'

describe('parseEvent', () => {
  it('accepts Segment events and normalises ids and times', () => {
    expect(
      parseEvent({
        type: 'identify',
        messageId: 'm1',
        anonymousId: ' anon-1 ',
        userId: 42,
        timestamp: '2026-01-02T03:04:05.000Z',
        traits: { email: 'ada@example.com' },
      }),
    ).toEqual({
      ok: true,
      value: {
        type: 'identify',
        messageId: 'm1',
        anonymousId: 'anon-1',
        userId: '42',
        timestamp: Date.parse('2026-01-02T03:04:05.000Z'),
        traits: { email: 'ada@example.com' },
      },
    })
  })

  it('keeps unknown context fields (Segment libraries send many)', () => {
    const result = parseEvent({
      type: 'page',
      anonymousId: 'a',
      context: { page: { url: 'https://acme.test/' }, os: { name: 'Linux' } },
    })
    expect(result.ok && result.value.context).toEqual({
      page: { url: 'https://acme.test/' },
      os: { name: 'Linux' },
    })
  })

  it('accepts the browser SDK’s session and first touch', () => {
    const result = parseEvent({
      type: 'page',
      anonymousId: 'a',
      context: {
        session: { id: 'V1StGXR8_Z5jdHi6B-myT', index: 2, start: '2026-01-02T03:04:05.000Z' },
        firstTouch: {
          url: 'https://acme.test/?gclid=x',
          referrer: '',
          timestamp: '2026-01-01T00:00:00.000Z',
        },
      },
    })
    expect(result.ok && result.value.context).toEqual({
      session: {
        id: 'V1StGXR8_Z5jdHi6B-myT',
        index: 2,
        start: Date.parse('2026-01-02T03:04:05.000Z'),
      },
      firstTouch: {
        url: 'https://acme.test/?gclid=x',
        referrer: '',
        timestamp: '2026-01-01T00:00:00.000Z',
      },
    })
  })

  it('explains what is wrong, field by field', () => {
    expect(
      parseEvent({ type: 'group', userId: 'anonymous', timestamp: 'yesterday' }),
    ).toMatchInlineSnapshot(`
        {
          "error": "userId: is not a usable identifier (empty, "null", "anonymous", "0", … are refused); timestamp: must be an ISO 8601 date-time; groupId: is required",
          "ok": false,
        }
      `)
    expect(parseEvent({ type: 'alias', userId: 'u', previousId: '-1' })).toEqual({
      ok: false,
      error:
        'previousId: is not a usable identifier (empty, "null", "anonymous", "0", … are refused)',
    })
    expect(parseEvent(null)).toEqual({
      ok: false,
      error: '"type" must be one of page, track, identify, group, alias',
    })
  })
})

describe('parseBatchEnvelope', () => {
  it('leaves events unvalidated so each is judged alone', () => {
    expect(parseBatchEnvelope({ batch: [1, 'x'], sentAt: '2026-01-01T00:00:00Z' })).toEqual({
      ok: true,
      value: { batch: [1, 'x'], sentAt: Date.parse('2026-01-01T00:00:00Z') },
    })
    expect(parseBatchEnvelope({ events: [] })).toEqual({
      ok: false,
      error: '"batch" must be an array of events',
    })
  })
})
