import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EARLIEST_TIME,
  LATEST_TIME,
  MAX_EVENT_DEPTH,
  parseBatchEnvelope,
  parseEvent,
} from './schema'

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
      // An empty referrer means none: absent.
      firstTouch: { url: 'https://acme.test/?gclid=x', timestamp: '2026-01-01T00:00:00.000Z' },
    })
  })

  it('explains what is wrong, field by field', () => {
    expect(
      parseEvent({ type: 'group', userId: 'anonymous', timestamp: 'yesterday' }),
    ).toMatchInlineSnapshot(`
        {
          "error": "userId: is not a usable identifier (empty, "null", "anonymous", "0", … are refused); timestamp: must be an ISO 8601 date-time; groupId: is required",
          "field": "userId",
          "ok": false,
        }
      `)
    expect(parseEvent({ type: 'alias', userId: 'u', previousId: '-1' })).toEqual({
      ok: false,
      error:
        'previousId: is not a usable identifier (empty, "null", "anonymous", "0", … are refused)',
      field: 'previousId',
    })
    expect(parseEvent(null)).toEqual({
      ok: false,
      error: '"type" must be one of page, track, identify, group, alias, screen',
      field: '',
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
      field: 'batch',
    })
  })
})

describe('null and empty optional fields', () => {
  it('reads null or "" in an optional field as absent, as Segment and RudderStack clients send them', () => {
    // analytics-next and analytics-python: "userId": null; the Python libraries:
    // "anonymousId": null, "category": null; RudderStack's browser SDK: "userId": "".
    const sent = {
      type: 'page',
      messageId: 'm1',
      anonymousId: 'anon-1',
      userId: null,
      category: null,
      name: '',
      timestamp: null,
      context: {
        page: { url: 'https://acme.test/', referrer: '', search: null, title: 'Home' },
        campaign: { source: null, medium: '' },
        library: { name: 'analytics.js', version: null },
        locale: '',
        userAgent: null,
        traits: { email: '' },
      },
      properties: { plan: null, path: '' },
    }
    expect(parseEvent(sent)).toEqual({
      ok: true,
      value: {
        type: 'page',
        messageId: 'm1',
        anonymousId: 'anon-1',
        context: {
          page: { url: 'https://acme.test/', title: 'Home' },
          campaign: {},
          library: { name: 'analytics.js' },
          // The sender's traits are kept as sent.
          traits: { email: '' },
        },
        properties: { plan: null, path: '' },
      },
    })
    expect(parseEvent({ type: 'identify', anonymousId: null, userId: 'u-1' })).toEqual({
      ok: true,
      value: { type: 'identify', userId: 'u-1' },
    })
  })

  it('still rejects a present, wrong value, and a required field that is null', () => {
    expect(parseEvent({ type: 'page', anonymousId: 'a', userId: { id: 1 } })).toEqual({
      ok: false,
      error: 'userId: must be a string or a number',
      field: 'userId',
    })
    expect(parseEvent({ type: 'group', anonymousId: 'a', groupId: null })).toEqual({
      ok: false,
      error: 'groupId: is required',
      field: 'groupId',
    })
    expect(parseEvent({ type: 'track', anonymousId: 'a', event: '' })).toEqual({
      ok: false,
      error: 'event: a track event needs a non-empty "event" name',
      field: 'event',
    })
    expect(parseEvent({ type: 'page', anonymousId: null, userId: '' })).toEqual({
      ok: false,
      error: 'anonymousId: every event needs an "anonymousId", a "userId" or a "traits.email"',
      field: 'anonymousId',
    })
  })

  it('reads null envelope fields as absent', () => {
    expect(parseBatchEnvelope({ batch: [], sentAt: null, writeKey: '', context: null })).toEqual({
      ok: true,
      value: { batch: [] },
    })
  })

  it('keeps the same meaning whatever optional fields are null, "" or absent', () => {
    const optional = fc.constantFrom(null, '', undefined)
    fc.assert(
      fc.property(
        fc.record({
          userId: optional,
          messageId: optional,
          timestamp: optional,
          originalTimestamp: optional,
          sentAt: optional,
          name: optional,
          category: optional,
          context: optional,
          properties: fc.constantFrom(null, undefined),
          traits: fc.constantFrom(null, undefined),
          referrer: optional,
          search: optional,
          campaignTerm: optional,
          libraryVersion: optional,
          locale: optional,
          userAgent: optional,
        }),
        fc.boolean(),
        (blank, withContext) => {
          const event: Record<string, unknown> = {
            type: 'page',
            anonymousId: 'anon-1',
            userId: blank.userId,
            messageId: blank.messageId,
            timestamp: blank.timestamp,
            originalTimestamp: blank.originalTimestamp,
            sentAt: blank.sentAt,
            name: blank.name,
            category: blank.category,
            properties: blank.properties,
            traits: blank.traits,
            context: withContext
              ? {
                  page: {
                    url: 'https://acme.test/?utm_source=x',
                    referrer: blank.referrer,
                    search: blank.search,
                  },
                  campaign: { source: 'x', term: blank.campaignTerm },
                  library: { name: 'analytics-python', version: blank.libraryVersion },
                  locale: blank.locale,
                  userAgent: blank.userAgent,
                }
              : blank.context,
          }
          const expected = withContext
            ? {
                type: 'page',
                anonymousId: 'anon-1',
                context: {
                  page: { url: 'https://acme.test/?utm_source=x' },
                  campaign: { source: 'x' },
                  library: { name: 'analytics-python' },
                },
              }
            : { type: 'page', anonymousId: 'anon-1' }
          expect(parseEvent(JSON.parse(JSON.stringify(event)))).toEqual({
            ok: true,
            value: expected,
          })
          expect(parseEvent(event)).toEqual({ ok: true, value: expected })
        },
      ),
    )
  })
})

describe('Segment spec fields', () => {
  it('reads originalTimestamp (the device time) and the screen type', () => {
    expect(
      parseEvent({
        type: 'screen',
        anonymousId: 'a',
        name: 'Pricing',
        originalTimestamp: '2026-01-02T03:04:05.000Z',
        context: { library: { name: 'analytics-ios', version: 4 } },
      }),
    ).toEqual({
      ok: true,
      value: {
        type: 'screen',
        anonymousId: 'a',
        name: 'Pricing',
        originalTimestamp: Date.parse('2026-01-02T03:04:05.000Z'),
        context: { library: { name: 'analytics-ios', version: 4 } },
      },
    })
  })
})

describe('times', () => {
  const at = (timestamp: unknown) => {
    const result = parseEvent({ type: 'identify', anonymousId: 'a', timestamp })
    return result.ok ? result.value.timestamp : result.error
  }
  const range =
    'timestamp: must be a time from 1970-01-01 to 9999-12-31 (an ISO 8601 date-time, or epoch milliseconds)'

  it('rounds fractional epoch milliseconds to whole ones; ISO fractions of a millisecond are cut', () => {
    expect([1767225600000.4, 1767225600000.5, 0.4, -0.4, 253402300799999.4].map(at)).toEqual([
      1767225600000, 1767225600001, 0, 0, 253402300799999,
    ])
    expect(Object.is(at(-0.4), 0)).toBe(true)
    expect(at('2026-01-01T00:00:00.123456Z')).toBe(Date.parse('2026-01-01T00:00:00.123Z'))
  })

  it('reads strings as ISO 8601 only (UTC without an offset), not what else Date.parse reads', () => {
    expect(['2026-03-01T10:00:00', ' 2026-03-01T10:00:00+01:00 ', '2026-03-01'].map(at)).toEqual([
      Date.UTC(2026, 2, 1, 10),
      Date.UTC(2026, 2, 1, 9),
      Date.UTC(2026, 2, 1),
    ])
    expect(
      ['0', '1740823200', '2026-02-30', 'Jan 5', '+275760-09-13T00:00:00.000Z'].map(at),
    ).toEqual(Array(5).fill('timestamp: must be an ISO 8601 date-time'))
  })

  it('refuses times before 1970-01-01 or after 9999-12-31, whatever the field', () => {
    expect(
      [1e20, -5e15, -1, -0.6, 253402300800000, 1e308, '1969-12-31T23:59:59.999Z'].map(at),
    ).toEqual(Array(7).fill(range))
    expect([0, '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'].map(at)).toEqual([
      EARLIEST_TIME,
      EARLIEST_TIME,
      LATEST_TIME,
    ])
    expect(
      parseEvent({
        type: 'page',
        anonymousId: 'a',
        originalTimestamp: 1e20,
        sentAt: -1,
        context: { session: { id: 's', index: 1, start: 1e16 } },
      }),
    ).toEqual({
      ok: false,
      error: [
        'originalTimestamp: must be a time',
        'sentAt: must be a time',
        'context.session.start: must be a time',
      ]
        .map(
          (start) =>
            `${start} from 1970-01-01 to 9999-12-31 (an ISO 8601 date-time, or epoch milliseconds)`,
        )
        .join('; '),
      field: 'originalTimestamp',
    })
    expect(parseBatchEnvelope({ batch: [], sentAt: 1e20 })).toMatchObject({
      ok: false,
      field: 'sentAt',
    })
  })

  it('takes a session index that is a whole number from 1', () => {
    const index = (value: unknown) =>
      parseEvent({
        type: 'page',
        anonymousId: 'a',
        context: { session: { id: 's', index: value, start: 0 } },
      })
    expect(index(3)).toMatchObject({ ok: true, value: { context: { session: { index: 3 } } } })
    for (const value of [1.5, 0, -2, 1e300, '2']) {
      expect(index(value)).toEqual({
        ok: false,
        error: 'context.session.index: must be a whole number from 1',
        field: 'context.session.index',
      })
    }
  })
})

describe('nesting', () => {
  const deep = (depth: number): unknown => {
    let value: unknown = 'leaf'
    for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value }
    return value
  }

  it(`refuses an event nested more than ${MAX_EVENT_DEPTH} levels, naming the top field`, () => {
    const event = (properties: unknown) =>
      parseEvent({ type: 'track', event: 'e', anonymousId: 'a', properties: { p: properties } })
    // The event, properties and p's object: 3 levels before deep().
    expect(event(deep(MAX_EVENT_DEPTH - 2)).ok).toBe(true)
    expect(event(deep(MAX_EVENT_DEPTH - 1))).toEqual({
      ok: false,
      error:
        '"properties" is nested more than 64 levels deep (objects and arrays): send flatter values',
      field: 'properties',
    })
    // No depth overflows the stack.
    expect(event(deep(1_000_000))).toMatchObject({ ok: false, field: 'properties' })
    expect(parseEvent(deep(100))).toMatchObject({ ok: false, field: '' })
  })

  it('refuses an envelope whose own context is too deep, never looking into its events', () => {
    expect(parseBatchEnvelope({ batch: [deep(100)], context: deep(100) })).toEqual({
      ok: false,
      error:
        '"context" is nested more than 64 levels deep (objects and arrays): send flatter values',
      field: 'context',
    })
    expect(parseBatchEnvelope({ batch: [deep(100)] })).toEqual({
      ok: true,
      value: { batch: [deep(100)] },
    })
  })
})
