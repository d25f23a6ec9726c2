import fc from 'fast-check'
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
