import { describe, expect, it } from 'vitest'
import { canonicalJson, eventFromFields, fieldsOfObject, fieldsOfRecord, headerOf } from './row'

const csvRow = (header: string[], cells: string[]) =>
  eventFromFields(fieldsOfRecord(headerOf(header).columns, cells))

describe('headerOf', () => {
  it('reads column names loosely, and tells unknown, duplicate and missing columns', () => {
    const header = headerOf(['User_ID', 'Time Stamp', 'UTM Source', 'properties.plan', 'Owner'])
    expect(header.columns).toEqual([
      { kind: 'column', column: 'userId' },
      { kind: 'column', column: 'timestamp' },
      { kind: 'column', column: 'source' },
      { kind: 'nested', root: 'properties', path: ['plan'] },
      { kind: 'unknown' },
    ])
    expect(header).toMatchObject({ unknown: ['Owner'], duplicate: undefined, missing: undefined })
    expect(headerOf(['email', 'E-mail', 'timestamp']).duplicate).toBe('E-mail')
    expect(headerOf(['email', 'time']).missing).toBe('no "timestamp" column')
    expect(headerOf(['timestamp', 'name']).missing).toBe(
      'no "email", "userId" or "anonymousId" column',
    )
    expect(headerOf(['timestamp', 'traits.email']).missing).toBeUndefined()
  })

  it('never lets a column reach an object prototype', () => {
    const header = headerOf(['properties.__proto__.polluted', 'traits.constructor'])
    expect(header.unknown).toEqual(['properties.__proto__.polluted', 'traits.constructor'])
    fieldsOfObject({ 'properties.__proto__.polluted': 'yes' })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('eventFromFields', () => {
  it('maps an offline touch: an email-only track "touch" with its channel and campaign as properties', () => {
    const result = csvRow(
      ['Email', 'timestamp', 'event', 'channel', 'utm_source', 'medium', 'campaign'],
      [' Ada@Acme.com ', '2026-01-10T09:00:00Z', 'touch', 'Events', 'saastr', 'offline', 'annual'],
    )
    expect(result).toEqual({ ok: true, event: expect.any(Object), json: expect.any(String) })
    // The messageId is pinned: if the mapping changes it, re-imports stop deduplicating.
    expect(result.ok && result.event).toMatchInlineSnapshot(`
      {
        "event": "touch",
        "messageId": "import-106a7d0126914a1679e904efcbf374cf",
        "properties": {
          "campaign": "annual",
          "channel": "Events",
          "medium": "offline",
          "source": "saastr",
        },
        "timestamp": "2026-01-10T09:00:00.000Z",
        "traits": {
          "email": "ada@acme.com",
        },
        "type": "track",
      }
    `)
  })

  it('maps a CRM stage with revenue, a userId and extra properties', () => {
    const result = csvRow(
      ['user_id', 'timestamp', 'event', 'revenue', 'properties.plan', 'messageId'],
      ['u-42', '2026-02-01', 'closed_won', '12000.50', 'pro', 'crm-opp-42-won'],
    )
    expect(result.ok && result.event).toEqual({
      type: 'track',
      event: 'closed_won',
      userId: 'u-42',
      timestamp: '2026-02-01T00:00:00.000Z',
      properties: { plan: 'pro', revenue: 12000.5 },
      messageId: 'crm-opp-42-won',
    })
  })

  it('maps a page row to a visit: context.page, and the campaign from the URL when no column gives one', () => {
    const result = csvRow(
      ['anonymousId', 'timestamp', 'type', 'url', 'referrer'],
      [
        'a-1',
        '2026-01-12T08:00:00Z',
        'page',
        'https://www.acme.test/pricing?utm_source=linkedin&utm_medium=paid',
        'https://www.linkedin.com/',
      ],
    )
    expect(result.ok && result.event).toMatchObject({
      type: 'page',
      anonymousId: 'a-1',
      context: {
        page: {
          url: 'https://www.acme.test/pricing?utm_source=linkedin&utm_medium=paid',
          referrer: 'https://www.linkedin.com/',
        },
        campaign: { source: 'linkedin', medium: 'paid' },
      },
    })
  })

  it("takes a whole Segment event from NDJSON, its email from context.traits, ignoring Segment's channel", () => {
    const result = eventFromFields(
      fieldsOfObject({
        type: 'track',
        event: 'opportunity_created',
        channel: 'server',
        timestamp: '2026-02-01T10:00:00Z',
        properties: { value: 5000 },
        context: { traits: { email: 'Bob@Acme.com' } },
        integrations: {},
      }),
    )
    expect(result.ok && result.event).toEqual({
      type: 'track',
      event: 'opportunity_created',
      timestamp: '2026-02-01T10:00:00.000Z',
      properties: { value: 5000 },
      traits: { email: 'bob@acme.com' },
      context: { traits: { email: 'Bob@Acme.com' } },
      messageId: expect.stringMatching(/^import-[0-9a-f]{32}$/),
    })
  })

  it('says what is wrong with a row, naming the column and the value', () => {
    const error = (fields: Record<string, unknown>) => {
      const result = eventFromFields(fields)
      return result.ok ? undefined : result.error
    }
    const ok = { email: 'ada@acme.com', timestamp: '2026-01-01', event: 'mql' }
    expect(error({ ...ok, timestamp: 'yesterday' })).toBe(
      'timestamp "yesterday" is not an ISO 8601 date-time (e.g. 2026-03-01T10:00:00Z)',
    )
    expect(error({ ...ok, timestamp: undefined })).toBe(
      'timestamp is required (ISO 8601, e.g. 2026-03-01T10:00:00Z)',
    )
    expect(error({ timestamp: '2026-01-01', event: 'mql' })).toBe(
      'needs an email, a userId or an anonymousId',
    )
    expect(error({ ...ok, email: 'ada at acme' })).toBe(
      'email "ada at acme" is not an email address',
    )
    expect(error({ ...ok, userId: 'null' })).toBe(
      'userId "null" is not a usable identifier ("null", "anonymous", "0", … are refused)',
    )
    expect(error({ ...ok, revenue: '12,000' })).toBe(
      'revenue "12,000" is not a number (e.g. 12000 or 12000.50)',
    )
    expect(error({ ...ok, type: 'purchase' })).toBe(
      'type "purchase" must be one of page, track, identify, group, alias, screen',
    )
    // The collector's own rules, from parseEvent:
    expect(error({ ...ok, event: undefined })).toBe(
      'event: a track event needs a non-empty "event" name',
    )
    expect(error({ ...ok, event: 'x'.repeat(40_000) })).toMatch(/^event: /)
    expect(error({ ...ok, properties: { notes: 'x'.repeat(40_000) } })).toBe(
      'the event is 40 KB; the collector takes at most 32 KB',
    )
  })
})

describe('messageId', () => {
  it('is the same for the same row re-exported with other columns, order or time notation', () => {
    const a = csvRow(
      ['email', 'timestamp', 'event', 'revenue'],
      ['ada@acme.com', '2026-02-01T10:00:00Z', 'closed_won', '12000'],
    )
    const b = csvRow(
      ['revenue', 'Event', 'Timestamp', 'E-mail', 'Owner'],
      ['12000.0', 'closed_won', '2026-02-01 11:00:00+01:00', 'ADA@acme.com', 'Zoe'],
    )
    const ndjson = eventFromFields(
      fieldsOfObject({
        email: 'ada@acme.com',
        timestamp: '2026-02-01T10:00:00.000Z',
        event: 'closed_won',
        revenue: 12000,
      }),
    )
    expect(a.ok && b.ok && ndjson.ok).toBe(true)
    const id = a.ok ? a.event.messageId : ''
    expect(b.ok && b.event.messageId).toBe(id)
    expect(ndjson.ok && ndjson.event.messageId).toBe(id)
  })

  it('differs when anything that makes the event differs', () => {
    const row = (timestamp: string, revenue: string) =>
      csvRow(
        ['email', 'timestamp', 'event', 'revenue'],
        ['ada@acme.com', timestamp, 'closed_won', revenue],
      )
    const ids = [
      row('2026-02-01T10:00:00Z', '12000'),
      row('2026-02-01T10:00:01Z', '12000'),
      row('2026-02-01T10:00:00Z', '12001'),
    ].map((result) => (result.ok ? result.event.messageId : ''))
    expect(new Set(ids).size).toBe(3)
  })

  it('hashes a canonical JSON: keys sorted at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}',
    )
  })
})
