import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventRow } from '../testing/event-row'
import { LIFTED, type LiftedColumns, packEvent, unpackEvent } from './stored-context'

/** A row's columns, all null. */
const NO_COLUMNS: LiftedColumns = eventRow('p', 'm')

const BROWSER_CONTEXT = {
  page: {
    url: 'https://acme.test/pricing?utm_source=google',
    path: '/pricing',
    referrer: 'https://www.google.com/',
    title: 'Pricing',
  },
  campaign: { source: 'google' },
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)',
  locale: 'en-US',
  library: { name: 'touchline.js', version: '0.1.0' },
  session: { id: 'V1StGXR8_Z5jdHi6B-myT', index: 2, start: 1_735_787_045_000 },
  firstTouch: { url: 'https://acme.test/', timestamp: '2025-01-02T03:04:05.000Z' },
}

const BROWSER_COLUMNS: LiftedColumns = {
  ...NO_COLUMNS,
  pageUrl: 'https://acme.test/pricing?utm_source=google',
  referrer: 'https://www.google.com/',
  utmSource: 'google',
  sessionId: 'V1StGXR8_Z5jdHi6B-myT',
  sessionIndex: 2,
  sessionStart: 1_735_787_045_000,
}

const NO_PROPERTIES = {}

describe('packEvent', () => {
  it("keeps a browser event's columns once, and the device's part apart from the page's", () => {
    const event = { context: BROWSER_CONTEXT, properties: { label: 'Book a demo' } }
    const packed = packEvent(event, BROWSER_COLUMNS)
    expect(JSON.parse(packed.own ?? '')).toEqual({ page: { title: 'Pricing' } })
    expect(JSON.parse(packed.shared ?? '')).toEqual({
      userAgent: BROWSER_CONTEXT.userAgent,
      locale: 'en-US',
      library: BROWSER_CONTEXT.library,
      firstTouch: BROWSER_CONTEXT.firstTouch,
    })
    expect(packed.properties).toBe('{"label":"Book a demo"}')
    // page.url, page.referrer, campaign.source, the three session fields and page.path.
    expect(packed.lifted).toBe(0b11110000111)
    expect(unpackEvent(packed, BROWSER_COLUMNS)).toEqual(event)
  })

  it("keeps a page call's properties once: those that repeat its page are lifted", () => {
    const properties = {
      url: BROWSER_CONTEXT.page.url,
      path: '/pricing',
      title: 'Pricing',
      search: '?utm_source=google',
      referrer: 'https://www.google.com/',
      plan: 'pro',
    }
    const event = { context: BROWSER_CONTEXT, properties }
    const packed = packEvent(event, BROWSER_COLUMNS)
    // The context has no `search`: the properties' stays.
    expect(JSON.parse(packed.properties ?? '')).toEqual({
      search: '?utm_source=google',
      plan: 'pro',
    })
    expect(unpackEvent(packed, BROWSER_COLUMNS)).toEqual(event)
  })

  it('keeps a field in the JSON when the row holds it changed', () => {
    const context = { page: { url: ' https://acme.test/ ', referrer: '$direct', path: '/x' } }
    const columns = { ...NO_COLUMNS, pageUrl: 'https://acme.test/' }
    const packed = packEvent({ context, properties: NO_PROPERTIES }, columns)
    expect(packed.lifted).toBe(0)
    expect(JSON.parse(packed.own ?? '')).toEqual(context)
    expect(unpackEvent(packed, columns)).toEqual({ context, properties: {} })
  })

  it('stores nothing for an empty event, and brings back empty objects', () => {
    const none = { own: null, shared: null, properties: null, lifted: 0 }
    expect(packEvent({ context: {}, properties: {} }, NO_COLUMNS)).toEqual(none)
    expect(unpackEvent(none, NO_COLUMNS)).toEqual({ context: {}, properties: {} })
    const event = { context: { page: {}, traits: {} }, properties: {} }
    expect(unpackEvent(packEvent(event, NO_COLUMNS), NO_COLUMNS)).toEqual(event)
  })

  it('reads a row stored before packing as it is', () => {
    const own = JSON.stringify({ page: { url: 'https://acme.test/' }, locale: 'fr' })
    const packed = { own, shared: null, properties: '{"path":"/"}', lifted: 0 }
    expect(unpackEvent(packed, { ...NO_COLUMNS, pageUrl: 'https://acme.test/' })).toEqual({
      context: { page: { url: 'https://acme.test/' }, locale: 'fr' },
      properties: { path: '/' },
    })
  })

  it('keeps a `__proto__` key as a plain field', () => {
    const event = {
      context: JSON.parse('{"__proto__":{"x":1},"page":{"__proto__":"y"}}'),
      properties: JSON.parse('{"__proto__":2}'),
    }
    const restored = unpackEvent(packEvent(event, NO_COLUMNS), NO_COLUMNS)
    expect(restored).toEqual(event)
    expect(Object.getPrototypeOf(restored.context)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(restored.properties)).toBe(Object.prototype)
  })

  // Few distinct values, so a context field often equals its column (and is lifted).
  const scalar = fc.oneof(
    fc.constantFrom('a', 'b', 7, 0, true, null, '/a', '/', 'https://acme.test/a?b'),
    fc.string({ maxLength: 4 }),
    fc.integer(),
  )
  const fields = [...new Set(LIFTED.map(([, field]) => field))]
  const pageUrls = ['https://acme.test/a?b', 'https://acme.test/', 'a']
  const object = fc.dictionary(
    fc.oneof(fc.constantFrom(...fields, '__proto__'), fc.string({ maxLength: 4 })),
    fc.oneof(scalar, fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 2 })),
    { maxKeys: 6 },
  )
  const context = fc.dictionary(
    fc.oneof(
      fc.constantFrom('page', 'campaign', 'session', 'library', 'properties', '__proto__'),
      fc.string({ maxLength: 5 }),
    ),
    fc.oneof(object, scalar),
    { maxKeys: 6 },
  )
  const columns = fc.record({
    ...(Object.fromEntries(
      [
        'referrer',
        'utmSource',
        'utmMedium',
        'utmCampaign',
        'utmTerm',
        'utmContent',
        'sessionId',
        'sessionIndex',
        'sessionStart',
      ].map((column) => [column, fc.constantFrom('a', 'b', 7, 0, null)]),
    ) as Record<Exclude<keyof LiftedColumns, 'pageUrl'>, fc.Arbitrary<string | number | null>>),
    pageUrl: fc.constantFrom(...pageUrls, null),
  }) as fc.Arbitrary<LiftedColumns>

  it('unpacks what it packed, for any context, properties and columns', () => {
    fc.assert(
      fc.property(context, object, columns, (context, properties, columns) => {
        const event = JSON.parse(JSON.stringify({ context, properties }))
        const packed = packEvent(event, columns)
        expect(unpackEvent(packed, columns)).toEqual(event)
        // Nothing is stored twice: a lifted field is in no JSON part.
        const stored = {
          ...JSON.parse(packed.own ?? '{}'),
          properties: JSON.parse(packed.properties ?? '{}'),
        }
        LIFTED.forEach(([name, field], bit) => {
          if (packed.lifted & (1 << bit))
            expect(Object.hasOwn(stored[name] ?? {}, field)).toBe(false)
        })
      }),
      { numRuns: 1000 },
    )
  })
})
