import type { IngestionWarnings } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/test-app'

const NOW = Date.parse('2026-03-10T12:00:00.000Z')

const page = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  messageId,
  anonymousId: 'anon-1',
  context: { page: { url: 'https://acme.test/pricing', path: '/pricing' } },
  ...extra,
})

describe('what real clients send', () => {
  it('accepts analytics.js short paths, /v1/screen and RudderStack’s beacon path', async () => {
    const { post, events, writeKey } = await createTestApp()
    const auth = { headers: { authorization: `Basic ${btoa(`${writeKey}:`)}` } }
    const anon = { anonymousId: 'anon-1' }
    const calls: [string, Record<string, unknown>][] = [
      ['/v1/t', { ...anon, messageId: 't', event: 'signup' }],
      ['/v1/p', { ...anon, messageId: 'p', context: { page: { url: 'https://acme.test/' } } }],
      ['/v1/i', { ...anon, messageId: 'i', userId: 'u-1' }],
      ['/v1/g', { ...anon, messageId: 'g', groupId: 'acme' }],
      ['/v1/a', { messageId: 'a', userId: 'u-2', previousId: 'u-1' }],
      ['/v1/s', { ...anon, messageId: 's', name: 'Home' }],
      ['/v1/screen', { ...anon, messageId: 'screen', name: 'Settings' }],
      ['/v1/b', { batch: [{ ...anon, type: 'track', messageId: 'b', event: 'batched' }] }],
    ]
    for (const [path, body] of calls) {
      const res = await post(path, body, auth)
      expect([path, res.status]).toEqual([path, 200])
    }
    // sendBeacon sets no header: the key comes in the query.
    const beacon = await post(`/beacon/v1/batch?writeKey=${writeKey}`, {
      batch: [{ ...anon, type: 'track', messageId: 'beacon', event: 'left' }],
    })
    expect(await beacon.json()).toEqual({ success: true, accepted: 1, rejected: [], ignored: [] })
    const stored = await events()
    expect(stored.map((row) => [row.messageId, row.type, row.event])).toEqual([
      ['t', 'track', 'signup'],
      ['p', 'page', null],
      ['i', 'identify', null],
      ['g', 'group', null],
      ['a', 'alias', null],
      ['s', 'screen', 'Home'],
      ['screen', 'screen', 'Settings'],
      ['b', 'track', 'batched'],
      ['beacon', 'track', 'left'],
    ])
    // A screen is a visit-less event: no page URL, so it never makes a session.
    expect(stored.find((row) => row.messageId === 'screen')?.pageUrl).toBeNull()
  })

  it('takes the write key analytics.js puts on each event of a batch', async () => {
    const { post, events, writeKey } = await createTestApp()
    const res = await post('/v1/b', { batch: [page('k1', { writeKey }), page('k2', { writeKey })] })
    expect(res.status).toBe(200)
    expect((await events()).map((row) => row.messageId)).toEqual(['k1', 'k2'])
  })

  it('answers preflights with the headers clients ask for, and a Max-Age', async () => {
    const { app } = await createTestApp()
    for (const [path, requested] of [
      // RudderStack's browser SDK (with its retry header) and analytics.js's retries.
      ['/v1/batch', 'anonymousid,authorization,content-type,rsa-since-last-attempt,sentat'],
      ['/v1/b', 'content-type,x-retry-count'],
      ['/beacon/v1/batch', 'content-type'],
    ] as const) {
      const preflight = await app.request(path, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://www.acme.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': requested,
        },
      })
      expect(preflight.status).toBe(204)
      expect(Object.fromEntries(preflight.headers)).toMatchObject({
        'access-control-allow-origin': 'https://www.acme.test',
        'access-control-allow-headers': requested,
        'access-control-allow-methods': 'GET,POST,DELETE,OPTIONS',
        'access-control-allow-credentials': 'true',
        'access-control-max-age': '86400',
      })
    }
  })

  it('dates an event by originalTimestamp when it has no timestamp, with the same skew rule', async () => {
    const { post, events, writeKey, secretKey } = await createTestApp({ now: () => NOW })
    // The device clock runs 1 hour fast; RudderStack sends originalTimestamp and sentAt.
    await post('/v1/batch', {
      writeKey,
      sentAt: '2026-03-10T13:00:00.000Z',
      batch: [
        page('queued', { originalTimestamp: '2026-03-10T12:50:00.000Z' }),
        page('both', {
          timestamp: '2026-03-10T12:59:00.000Z',
          originalTimestamp: '2026-03-10T12:00:00.000Z',
        }),
        page('ancient', { originalTimestamp: '2025-01-01T00:00:00.000Z' }),
      ],
    })
    // RudderStack's SentAt header stands in for an envelope without sentAt.
    await post(
      '/v1/batch',
      { writeKey, batch: [page('header', { originalTimestamp: '2026-03-10T12:59:30.000Z' })] },
      { headers: { sentat: '2026-03-10T13:00:00.000Z' } },
    )
    await post(
      '/v1/track',
      {
        userId: 'u-1',
        event: 'closed_won',
        messageId: 'imported',
        originalTimestamp: '2025-06-01T00:00:00.000Z',
      },
      { headers: { authorization: `Bearer ${secretKey}` } },
    )
    const times = Object.fromEntries(
      (await events()).map((row) => [row.messageId, new Date(row.timestamp).toISOString()]),
    )
    expect(times).toEqual({
      queued: '2026-03-10T11:50:00.000Z',
      both: '2026-03-10T11:59:00.000Z',
      ancient: '2026-03-03T12:00:00.000Z',
      header: '2026-03-10T11:59:30.000Z',
      imported: '2025-06-01T00:00:00.000Z',
    })
  })

  it('stores events with null and empty optional fields, as analytics-python and RudderStack send them', async () => {
    const { post, events, writeKey } = await createTestApp()
    const res = await post('/v1/batch', {
      writeKey,
      sentAt: null,
      context: null,
      batch: [
        page('python', { userId: null, category: null, name: null, integrations: {} }),
        // RudderStack says "$direct" for no referrer.
        page('rudder', {
          userId: '',
          channel: 'web',
          context: { page: { url: 'https://acme.test/', referrer: '$direct', search: '' } },
        }),
        {
          type: 'identify',
          messageId: 'py-id',
          anonymousId: null,
          userId: 'u-9',
          traits: { email: 'ada@acme.test' },
        },
      ],
    })
    expect(await res.json()).toEqual({ success: true, accepted: 3, rejected: [], ignored: [] })
    expect(
      (await events()).map((row) => [row.messageId, row.anonymousId, row.userId, row.referrer]),
    ).toEqual([
      ['python', 'anon-1', null, null],
      ['rudder', 'anon-1', null, null],
      ['py-id', null, 'u-9', null],
    ])
  })
})

describe('client settings', () => {
  it('serves analytics.js its settings: the Segment.io destination sends here, no metrics', async () => {
    const { app, writeKey } = await createTestApp()
    const res = await app.request(`http://collector.test:8787/v1/projects/${writeKey}/settings`, {
      headers: { origin: 'https://www.acme.test' },
    })
    expect(res.headers.get('access-control-allow-origin')).toBe('https://www.acme.test')
    expect(await res.json()).toEqual({
      integrations: {
        'Segment.io': { apiKey: writeKey, apiHost: 'collector.test:8787/v1', protocol: 'http' },
      },
      plan: {},
      remotePlugins: [],
      metrics: { sampleRate: 0 },
    })
    const unknown = await app.request('/v1/projects/wk_doesnotexist000000000/settings')
    expect(unknown.status).toBe(404)
  })

  it('serves RudderStack its source config, by write key in the query or Basic auth', async () => {
    const { app, project, writeKey } = await createTestApp()
    const source = {
      isHosted: false,
      source: {
        id: project.id,
        name: 'test',
        workspaceId: project.id,
        writeKey,
        enabled: true,
        config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
        destinations: [],
      },
    }
    const byQuery = await app.request(`/sourceConfig/?p=npm&v=3.34.1&writeKey=${writeKey}`)
    expect(await byQuery.json()).toEqual(source)
    const byAuth = await app.request('/sourceConfig', {
      headers: { authorization: `Basic ${btoa(`${writeKey}:`)}` },
    })
    expect(await byAuth.json()).toEqual(source)
    const preflight = await app.request('/sourceConfig/', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://www.acme.test',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    })
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization')
    expect((await app.request('/sourceConfig/?writeKey=sk_secret_is_not_public_0000')).status).toBe(
      404,
    )
  })
})

describe('error bodies', () => {
  it('carry code and message beside error, as Segment’s server libraries read them', async () => {
    const { app, post } = await createTestApp()
    const unknown = await post('/v1/batch', { writeKey: 'wk_doesnotexist000000000', batch: [] })
    expect(unknown.status).toBe(401)
    expect(await unknown.json()).toEqual({
      success: false,
      error: 'Unknown key: check the project\'s write key ("wk_…") or secret key ("sk_…").',
      code: 'unauthorized',
      message: 'Unknown key: check the project\'s write key ("wk_…") or secret key ("sk_…").',
    })
    const missing = await app.request('/v1/nowhere', { method: 'POST' })
    expect(await missing.json()).toEqual({
      success: false,
      error: 'No route for POST /v1/nowhere',
      code: 'not_found',
      message: 'No route for POST /v1/nowhere',
    })
    const big = await app.request('/v1/batch', { method: 'POST', body: 'x'.repeat(600_000) })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ code: 'payload_too_large' })
  })
})

describe('nothing dropped without a trace', () => {
  const warnings = async (
    app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
    secretKey: string,
  ) => {
    const res = await app.request('/v1/ingestion/warnings', {
      headers: { authorization: `Bearer ${secretKey}` },
    })
    expect(res.status).toBe(200)
    return (await res.json()) as IngestionWarnings
  }

  it('counts what was not stored by reason, library and field, with samples and no IP', async () => {
    const lines: string[] = []
    const { app, post, writeKey, secretKey } = await createTestApp({
      now: () => NOW,
      log: (line) => lines.push(line),
      settings: { allowedOrigins: ['https://acme.test'] },
    })
    const python = { library: { name: 'analytics-python', version: '2.3.3' }, ip: '203.0.113.7' }
    await post('/v1/batch', {
      writeKey,
      batch: [
        page('ok'),
        page('bad-1', { userId: { id: 1 }, context: python }),
        page('bad-2', { userId: [2], context: python }),
        { type: 'launch', anonymousId: 'a' },
      ],
    })
    await post(
      '/v1/batch',
      { writeKey, batch: [page('bot-1'), page('bot-2')] },
      { headers: { 'user-agent': 'curl/8.5.0' } },
    )
    await post(
      '/v1/batch',
      { writeKey, batch: [page('o-1')] },
      { headers: { origin: 'https://evil.test' } },
    )
    await post(`/v1/batch?writeKey=${writeKey}`, '{"batch": [')

    const answer = await warnings(app, secretKey)
    const at = new Date(NOW).toISOString()
    expect(answer.counts).toEqual([
      { reason: 'bot', library: 'curl', field: '', count: 2, first: at, last: at },
      {
        reason: 'invalid',
        library: 'analytics-python',
        field: 'userId',
        count: 2,
        first: at,
        last: at,
      },
      { reason: 'invalid', library: '(unknown)', field: 'type', count: 1, first: at, last: at },
      { reason: 'malformed', library: '(unknown)', field: '', count: 1, first: at, last: at },
      {
        reason: 'origin_not_allowed',
        library: '(unknown)',
        field: '',
        count: 1,
        first: at,
        last: at,
      },
    ])
    expect(answer.totals).toEqual({ bot: 2, invalid: 3, malformed: 1, origin_not_allowed: 1 })
    expect(answer.samples.map((sample) => [sample.reason, sample.field, sample.error])).toEqual([
      ['malformed', '', expect.stringMatching(/^Malformed JSON in request body/)],
      [
        'origin_not_allowed',
        '',
        'Origin https://evil.test is not allowed for this project: add it to its allowed origins.',
      ],
      ['bot', '', expect.stringMatching(/^sent by a bot \(user agent "curl\/8\.5\.0"\)/)],
      ['invalid', 'type', '"type" must be one of page, track, identify, group, alias, screen'],
      ['invalid', 'userId', 'userId: must be a string or a number'],
    ])
    const sample = answer.samples.find((s) => s.field === 'userId')
    expect(JSON.parse(sample?.payload ?? '')).toMatchObject({
      messageId: 'bad-2',
      context: { library: { name: 'analytics-python' } },
    })
    expect(JSON.stringify(answer)).not.toContain('203.0.113.7')

    // One log line per project and reason: the first at once, the rest summed a minute later.
    expect(lines).toEqual([
      'touchline: project "test": 2 events not stored (rejected: not a valid event); latest from analytics-python: userId: must be a string or a number. See GET /v1/ingestion/warnings or "touchline warnings".',
      'touchline: project "test": 2 events not stored (ignored: sent by a bot); latest from curl: sent by a bot (user agent "curl/8.5.0"): not stored. A server sending for visitors should use the secret key, or set "context.userAgent" to the visitor\'s browser. See GET /v1/ingestion/warnings or "touchline warnings".',
      'touchline: project "test": 1 event not stored (refused: origin not allowed); latest from (unknown): Origin https://evil.test is not allowed for this project: add it to its allowed origins. See GET /v1/ingestion/warnings or "touchline warnings".',
      'touchline: project "test": 1 request not stored (refused: malformed request body); latest from (unknown): Malformed JSON in request body: Unexpected end of JSON input. See GET /v1/ingestion/warnings or "touchline warnings".',
    ])
  })

  it('is read with the secret key only', async () => {
    const { app, writeKey } = await createTestApp()
    const res = await app.request('/v1/ingestion/warnings', {
      headers: { authorization: `Bearer ${writeKey}` },
    })
    expect(res.status).toBe(403)
  })
})
