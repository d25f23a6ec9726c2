import { EVENT_TYPES, parseEvent } from '@touchline/shared/schema'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BROWSER_UA, createTestApp } from '../testing/test-app'
import { withoutLoneSurrogates } from './body'
import { botFilter } from './visitor-agent'

const NOW = Date.parse('2026-03-10T12:00:00.000Z')
const URL = 'https://acme.test/'
const page = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  messageId,
  anonymousId: 'anon-1',
  context: { page: { url: URL } },
  ...extra,
})

/** A test app at NOW whose log lines are kept, not printed. */
async function app() {
  const lines: string[] = []
  const ctx = await createTestApp({ now: () => NOW, log: (line) => lines.push(line) })
  const send = async (body: unknown, key: 'write' | 'secret') => {
    const authorization = `Bearer ${key === 'secret' ? ctx.secretKey : ctx.writeKey}`
    const res = await ctx.post('/v1/batch', body, { headers: { authorization } })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  return { ...ctx, send, lines }
}

/** `{"batch":[<ok>, <event>]}` as JSON text, where `"DEEP"` in the event is `depth` nested objects. */
function batchWithDeep(event: Record<string, unknown>, depth: number, ok = page('ok')) {
  const json = JSON.stringify({ batch: [ok, event] })
  return json.replace('"DEEP"', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)
}

describe('ingesting values SQLite or the collector could not keep', () => {
  it('rounds fractional epoch milliseconds in timestamp, sentAt and context.session.start', async () => {
    const { send, events } = await app()
    const session = (start: number) => ({ id: 's1', index: 1, start })
    const res = await send(
      {
        batch: [
          page('trusted', { timestamp: 1767225600000.5, context: { session: session(1.4) } }),
          page('sent-at', { timestamp: 1767225600000, sentAt: 1767225600000.5 }),
        ],
      },
      'secret',
    )
    expect(res).toEqual({
      status: 200,
      body: { success: true, accepted: 2, rejected: [], ignored: [] },
    })
    expect((await events()).map((row) => [row.messageId, row.timestamp, row.sessionStart])).toEqual(
      [
        ['trusted', 1767225600001, 1],
        ['sent-at', 1767225600000, null],
      ],
    )
  })

  it('corrects a browser’s fractional times by its clock skew, in whole milliseconds', async () => {
    const { send, events } = await app()
    const sent = NOW - 0.25
    const res = await send(
      {
        batch: [
          page('skewed', {
            timestamp: NOW - 60_000.5,
            sentAt: sent,
            context: {
              page: { url: URL },
              session: { id: 's1', index: 2, start: NOW - 1e6 + 0.5 },
            },
          }),
        ],
      },
      'write',
    )
    expect(res.body).toEqual({ success: true, accepted: 1, rejected: [], ignored: [] })
    // receivedAt − (sentAt − timestamp), with both rounded first: NOW − (NOW − (NOW − 60,000)).
    expect((await events()).map((row) => [row.timestamp, row.sessionStart])).toEqual([
      [NOW - 60_000, NOW - 1e6 + 1],
    ])
  })

  it('rejects alone, naming the field, a time before 1970 or after 9999', async () => {
    const { send, events, app: collector, secretKey } = await app()
    const range =
      'must be a time from 1970-01-01 to 9999-12-31 (an ISO 8601 date-time, or epoch milliseconds)'
    const res = await send(
      {
        batch: [
          page('far-future', { timestamp: 1e20 }),
          page('far-past', { timestamp: -5e15 }),
          page('original', { originalTimestamp: 1e300 }),
          page('sent', { sentAt: -1 }),
          page('start', {
            context: { page: { url: URL }, session: { id: 's', index: 1, start: 1e16 } },
          }),
          page('iso', { timestamp: '1969-12-31T23:59:59.999Z' }),
          page('edge-early', { timestamp: 0 }),
          page('edge-late', { timestamp: '9999-12-31T23:59:59.999Z' }),
        ],
      },
      'secret',
    )
    expect(res).toEqual({
      status: 200,
      body: {
        success: true,
        accepted: 2,
        rejected: [
          { index: 0, error: `timestamp: ${range}` },
          { index: 1, error: `timestamp: ${range}` },
          { index: 2, error: `originalTimestamp: ${range}` },
          { index: 3, error: `sentAt: ${range}` },
          { index: 4, error: `context.session.start: ${range}` },
          { index: 5, error: `timestamp: ${range}` },
        ],
        ignored: [],
      },
    })
    expect((await events()).map((row) => [row.messageId, row.timestamp])).toEqual([
      ['edge-early', 0],
      ['edge-late', 253402300799999],
    ])
    // What was not stored is counted by its field.
    const warnings = await collector.request('/v1/ingestion/warnings', {
      headers: { authorization: `Bearer ${secretKey}` },
    })
    const { counts } = (await warnings.json()) as { counts: { field: string; count: number }[] }
    expect(counts.map(({ field, count }) => [field, count])).toEqual([
      ['timestamp', 3],
      ['context.session.start', 1],
      ['originalTimestamp', 1],
      ['sentAt', 1],
    ])
  })

  it('rejects alone a session index that is not a whole number from 1', async () => {
    const { send, events } = await app()
    const withIndex = (messageId: string, index: number) =>
      page(messageId, { context: { page: { url: URL }, session: { id: 's', index, start: NOW } } })
    const res = await send(
      {
        batch: [
          withIndex('half', 1.5),
          withIndex('zero', 0),
          withIndex('huge', 1e300),
          withIndex('ok', 3),
        ],
      },
      'write',
    )
    const index = 'context.session.index: must be a whole number from 1'
    expect(res.body).toEqual({
      success: true,
      accepted: 1,
      rejected: [
        { index: 0, error: index },
        { index: 1, error: index },
        { index: 2, error: index },
      ],
      ignored: [],
    })
    expect((await events()).map((row) => [row.messageId, row.sessionIndex])).toEqual([['ok', 3]])
  })

  it('rejects alone an event nested 5,000 levels deep, in properties, traits or context', async () => {
    const { send, events } = await app()
    const tooDeep = (field: string) =>
      `"${field}" is nested more than 64 levels deep (objects and arrays): send flatter values`
    for (const [key, field] of [
      ['write', 'properties'],
      ['secret', 'traits'],
      ['write', 'context'],
    ] as const) {
      const res = await send(
        batchWithDeep({ ...page('deep'), [field]: 'DEEP' }, 5_000, page(field)),
        key,
      )
      expect(res).toEqual({
        status: 200,
        body: {
          success: true,
          accepted: 1,
          rejected: [{ index: 1, error: tooDeep(field) }],
          ignored: [],
        },
      })
    }
    // 64 levels are kept (the event, properties and 62 more); 65 are not.
    const deepest = await send(batchWithDeep(page('64', { properties: 'DEEP' }), 63), 'write')
    expect(deepest.body).toMatchObject({ accepted: 2, rejected: [] })
    const over = await send(batchWithDeep(page('65', { properties: 'DEEP' }), 64), 'write')
    expect(over.body).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] })
    expect((await events()).map((row) => row.messageId)).toEqual([
      'properties',
      'traits',
      'context',
      'ok',
      '64',
    ])
  })

  it('rejects alone a 200,000-level array in a 400 KB body (the size check cannot measure it)', async () => {
    const { send, events } = await app()
    const json = JSON.stringify({
      batch: [page('ok'), page('deep', { properties: { a: 'DEEP' } })],
    })
    const depth = 200_000
    const body = json.replace('"DEEP"', `${'['.repeat(depth)}${']'.repeat(depth)}`)
    expect(body.length).toBeGreaterThan(32 * 1024)
    const res = await send(body, 'write')
    expect(res).toEqual({
      status: 200,
      body: {
        success: true,
        accepted: 1,
        rejected: [
          {
            index: 1,
            error:
              '"properties" is nested more than 64 levels deep (objects and arrays): send flatter values',
          },
        ],
        ignored: [],
      },
    })
    expect((await events()).map((row) => row.messageId)).toEqual(['ok'])
  })

  it('refuses with a 400 a batch whose own context is nested too deep', async () => {
    const { send, events } = await app()
    const body = JSON.stringify({ context: 'DEEP', batch: [page('ok')] }).replace(
      '"DEEP"',
      `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
    )
    const res = await send(body, 'write')
    expect(res.status).toBe(400)
    expect(res.body.error).toBe(
      'Malformed batch: "context" is nested more than 64 levels deep (objects and arrays): send flatter values. Expected {"batch":[event, …]}.',
    )
    expect(await events()).toEqual([])
  })

  it('stores lone surrogates as U+FFFD, in values and keys, as valid UTF-8', async () => {
    const { send, rows } = await app()
    // JSON.stringify writes a lone surrogate as the escape `\ud800`, as other clients do.
    const res = await send(
      {
        batch: [
          {
            type: 'track',
            event: 'signup\ud800',
            messageId: 'm\udfff',
            anonymousId: 'anon\udc00-1',
            properties: { 'plan\ud83d': 'pro\ud83d\ud83d\ude00', emoji: '\ud83d\ude00' },
          },
        ],
      },
      'write',
    )
    expect(res.body).toEqual({ success: true, accepted: 1, rejected: [], ignored: [] })
    const [row] = rows(
      `SELECT CAST(event AS BLOB) AS event, CAST(message_id AS BLOB) AS message_id,
         CAST(anonymous_id AS BLOB) AS anonymous_id, CAST(properties AS BLOB) AS properties
       FROM events`,
    ) as Record<string, Buffer>[]
    const utf8 = new TextDecoder('utf-8', { fatal: true })
    const text = Object.fromEntries(
      Object.entries(row ?? {}).map(([column, bytes]) => [column, utf8.decode(bytes)]),
    )
    expect(text).toEqual({
      event: 'signup\ufffd',
      message_id: 'm\ufffd',
      anonymous_id: 'anon\ufffd-1',
      properties: '{"plan\ufffd":"pro\ufffd\ud83d\ude00","emoji":"\ud83d\ude00"}',
    })
    expect(row?.event?.toString('hex')).toBe(`${Buffer.from('signup').toString('hex')}efbfbd`)
  })

  it('keeps an escaped backslash before "ud800" as the text it is', async () => {
    const { send, events } = await app()
    // `"\\ud800"` is a backslash and "ud800", not an escape.
    await send({ batch: [page('m1', { properties: { path: 'C:\\ud800\\\ud800' } })] }, 'write')
    expect((await events()).map((row) => row.properties)).toEqual([{ path: 'C:\\ud800\\\ufffd' }])
  })
})

/** Mostly a right value, sometimes a wrong one: most generated events are valid. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 })

/** Times as clients send them: fractions, ISO strings, huge and negative numbers, nonsense. */
const time = mostly(
  fc.oneof(
    fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
    fc.double({ min: 0, max: 4e12, noNaN: true }),
    fc.constantFrom(0, 0.4, 253402300799999.4, '2026-03-01T10:00:00.123456Z', null, ''),
    fc
      .date({ min: new Date(0), max: new Date(253402300799999), noInvalidDate: true })
      .map((date) => date.toISOString()),
  ),
  fc.oneof(
    fc.constantFrom(1e20, -5e15, -1, -0.6, 8.64e15, Number.MAX_VALUE, 253402300799999.6),
    fc.constantFrom('yesterday', '+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z'),
    fc.double(),
  ),
)

/** A value nested `depth` levels deep. */
const nested = (depth: number, leaf: unknown) => {
  let value = leaf
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { k: value }
  return value
}

/** Strings with lone surrogates (whole UTF-16 code units) among other characters. */
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit))
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.oneof(fc.constantFrom('a', ' ', 'é', '😀', '\\'), surrogate) }),
)
const id = mostly(fc.oneof(text, fc.integer(), fc.double()), fc.constantFrom(null, 'null', '0'))

const anything = fc.oneof(
  fc.jsonValue(),
  text,
  fc.double(),
  fc
    .tuple(fc.integer({ min: 0, max: 80 }), fc.jsonValue())
    .map(([depth, leaf]) => nested(depth, leaf)),
)
const bag = fc.dictionary(text, anything, { maxKeys: 4 })

/** An event whose every field may be right or wrong; none may cost a 5xx. */
const eventLike = (messageId: string) =>
  fc.record(
    {
      type: mostly(fc.constantFrom(...EVENT_TYPES), fc.constantFrom('launch', 7)),
      messageId: fc.constant(messageId),
      event: mostly(fc.constant('signup'), text),
      name: text,
      anonymousId: id,
      userId: id,
      groupId: id,
      previousId: id,
      timestamp: time,
      originalTimestamp: time,
      sentAt: time,
      properties: mostly(bag, anything),
      traits: mostly(bag, anything),
      context: mostly(
        fc.record(
          {
            page: fc.record({ url: text, referrer: text }, { requiredKeys: [] }),
            session: mostly(
              fc.record({
                id: mostly(fc.constant('s-1'), text),
                index: mostly(
                  fc.integer({ min: 1, max: 10 }),
                  fc.oneof(fc.double(), fc.constant(1e300)),
                ),
                start: time,
              }),
              anything,
            ),
            campaign: fc.record({ source: text, medium: text }, { requiredKeys: [] }),
            extra: anything,
          },
          { requiredKeys: [] },
        ),
        anything,
      ),
    },
    { requiredKeys: ['type', 'messageId'] },
  )

describe('any batch of JSON events', () => {
  it('is answered 200, and every valid event of it is stored', async () => {
    const batch = fc
      .array(mostly(fc.constant(undefined), fc.jsonValue()), { maxLength: 12 })
      .chain((shapes) =>
        fc.tuple(
          ...shapes.map((shape, index) =>
            shape === undefined ? eventLike(`e${index}`) : fc.constant(shape),
          ),
        ),
      )
    await fc.assert(
      fc.asyncProperty(batch, fc.boolean(), async (events, secret) => {
        const {
          app: collector,
          events: storedEvents,
          writeKey,
          secretKey,
        } = await createTestApp({
          now: () => NOW,
          log: () => {},
        })
        const body = JSON.stringify({ batch: events })
        const res = await collector.request('/v1/batch', {
          method: 'POST',
          body,
          headers: {
            'content-type': 'text/plain',
            'user-agent': BROWSER_UA,
            authorization: `Bearer ${secret ? secretKey : writeKey}`,
          },
        })
        expect(res.status).toBe(200)
        // What must be stored: each event the collector's rules accept, unless a bot sent it.
        const isBot = botFilter({ userAgent: BROWSER_UA, secret })
        const received = (JSON.parse(withoutLoneSurrogates(body)) as { batch: unknown[] }).batch
        const valid = received
          .map((event) => parseEvent(event))
          .flatMap((parsed) => (parsed.ok && !isBot(parsed.value) ? [parsed.value] : []))
        const stored = (await storedEvents()).map((row) => row.messageId)
        expect(stored).toHaveLength(valid.length)
        expect(stored).toEqual(
          expect.arrayContaining(valid.flatMap((event) => event.messageId ?? [])),
        )
      }),
      { numRuns: 200 },
    )
  })
})
