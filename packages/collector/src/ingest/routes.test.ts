import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/test-app'

const page = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  messageId,
  anonymousId: 'anon-1',
  context: { page: { url: 'https://acme.test/?utm_source=linkedin', path: '/' } },
  ...extra,
})

describe('POST /v1/batch', () => {
  it('stores a text/plain batch keyed by writeKey in the body (as sendBeacon sends it)', async () => {
    const { post, events, writeKey } = await createTestApp()
    const res = await post('/v1/batch', { writeKey, batch: [page('m1'), page('m2')] })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ success: true, accepted: 2, rejected: [], ignored: [] })
    expect((await events()).map((row) => [row.messageId, row.type, row.pageUrl])).toEqual([
      ['m1', 'page', 'https://acme.test/?utm_source=linkedin'],
      ['m2', 'page', 'https://acme.test/?utm_source=linkedin'],
    ])
  })

  it('takes the key from Basic (Segment) or Bearer authorization', async () => {
    const { post, events, writeKey } = await createTestApp()
    const basic = `Basic ${btoa(`${writeKey}:`)}`
    expect(
      (await post('/v1/batch', { batch: [page('b1')] }, { headers: { authorization: basic } }))
        .status,
    ).toBe(200)
    const bearer = `Bearer ${writeKey}`
    expect(
      (await post('/v1/batch', { batch: [page('b2')] }, { headers: { authorization: bearer } }))
        .status,
    ).toBe(200)
    expect((await events()).map((row) => row.messageId)).toEqual(['b1', 'b2'])
  })

  it('rejects bad events alone and stores the rest of the batch', async () => {
    const { post, events, writeKey } = await createTestApp()
    const res = await post('/v1/batch', {
      writeKey,
      batch: [
        page('ok-1'),
        { type: 'track', messageId: 'no-name', anonymousId: 'a' },
        { type: 'launch', messageId: 'bad-type', anonymousId: 'a' },
        { type: 'track', event: 'signup', messageId: 'no-id' },
        { type: 'identify', anonymousId: 'null', userId: 'undefined', messageId: 'illegal' },
        'not an event',
        page('ok-2'),
      ],
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchInlineSnapshot(`
      {
        "accepted": 2,
        "ignored": [],
        "rejected": [
          {
            "error": "event: a track event needs a non-empty "event" name",
            "index": 1,
          },
          {
            "error": ""type" must be one of page, track, identify, group, alias, screen",
            "index": 2,
          },
          {
            "error": "anonymousId: every event needs an "anonymousId", a "userId" or a "traits.email"",
            "index": 3,
          },
          {
            "error": "anonymousId: is not a usable identifier (empty, "null", "anonymous", "0", … are refused); userId: is not a usable identifier (empty, "null", "anonymous", "0", … are refused)",
            "index": 4,
          },
          {
            "error": ""type" must be one of page, track, identify, group, alias, screen",
            "index": 5,
          },
        ],
        "success": true,
      }
    `)
    expect((await events()).map((row) => row.messageId)).toEqual(['ok-1', 'ok-2'])
  })

  it('deduplicates retries by (project, messageId)', async () => {
    const { post, events, writeKey } = await createTestApp()
    const body = { writeKey, batch: [page('same'), page('other')] }
    await post('/v1/batch', body)
    const again = await post('/v1/batch', body)
    expect(await again.json()).toEqual({ success: true, accepted: 2, rejected: [], ignored: [] })
    expect((await events()).map((row) => row.messageId)).toEqual(['same', 'other'])
  })

  it('answers malformed JSON and envelopes with 400 and a message a person can act on', async () => {
    const { post, writeKey } = await createTestApp()
    const bad = await post('/v1/batch', '{"batch": [')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatch(/^Malformed JSON in request body: /)
    const envelope = await post('/v1/batch', { writeKey, batch: { type: 'page' } })
    expect(envelope.status).toBe(400)
    const message =
      'Malformed batch: "batch" must be an array of events. Expected {"batch":[event, …]}.'
    // `code` and `message` are what Segment's server libraries read.
    expect(await envelope.json()).toEqual({
      success: false,
      error: message,
      code: 'bad_request',
      message,
    })
    const empty = await post('/v1/batch', '')
    expect(empty.status).toBe(400)
  })

  it('answers an unknown or missing key with 401, and tells the log (there is no project to count it under)', async () => {
    const lines: string[] = []
    const { post } = await createTestApp({ log: (line) => lines.push(line) })
    const missing = await post('/v1/batch', { batch: [page('x')] })
    expect(missing.status).toBe(401)
    expect((await missing.json()).error).toMatch(/^Missing key/)
    const unknown = await post('/v1/batch', {
      writeKey: 'wk_doesnotexist000000000',
      batch: [page('x')],
    })
    expect(unknown.status).toBe(401)
    expect((await unknown.json()).error).toMatch(/^Unknown key/)
    // The first is told at once; the second joins the minute's count.
    expect(lines).toEqual([
      'touchline: unknown key: 1 request not stored (refused: unknown key (401)); latest from (unknown): Missing key: send "Authorization: Basic base64(key:)", "Authorization: Bearer key", or "writeKey" in the body. See GET /v1/ingestion/warnings or "touchline warnings".',
    ])
  })

  it('limits browser origins to the allowed ones, when any are configured', async () => {
    const { post, events, writeKey } = await createTestApp({
      settings: { allowedOrigins: ['https://acme.test'] },
    })
    const denied = await post(
      '/v1/batch',
      { writeKey, batch: [page('d')] },
      {
        headers: { origin: 'https://evil.test' },
      },
    )
    expect(denied.status).toBe(403)
    const allowed = await post(
      '/v1/batch',
      { writeKey, batch: [page('a')] },
      {
        headers: { origin: 'https://acme.test' },
      },
    )
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://acme.test')
    expect((await events()).map((row) => row.messageId)).toEqual(['a'])
  })

  it('accepts any origin when none are configured, and answers preflights', async () => {
    const { app, post, writeKey } = await createTestApp()
    const res = await post(
      '/v1/batch',
      { writeKey, batch: [page('p')] },
      {
        headers: { origin: 'https://anywhere.test' },
      },
    )
    expect(res.status).toBe(200)
    const preflight = await app.request('/v1/batch', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://anywhere.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://anywhere.test')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type')
  })

  it('answers 413 past 500 KB, declared, chunked or once decompressed', async () => {
    const { app, writeKey } = await createTestApp()
    const big = JSON.stringify({
      writeKey,
      batch: [page('big', { properties: { x: 'a'.repeat(600_000) } })],
    })
    const declared = await app.request('/v1/batch', { method: 'POST', body: big })
    expect(declared.status).toBe(413)
    const bytes = new TextEncoder().encode(big)
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024)
          controller.enqueue(bytes.slice(i, i + 64 * 1024))
        controller.close()
      },
    })
    const streamed = await app.request('/v1/batch', {
      method: 'POST',
      body: chunked,
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    const zipped = gzipSync(big)
    expect(zipped.length).toBeLessThan(10_000)
    const bomb = await app.request('/v1/batch', {
      method: 'POST',
      body: zipped,
      headers: { 'content-encoding': 'gzip' },
    })
    expect(bomb.status).toBe(413)
    expect((await bomb.json()).error).toBe(
      'Request body is larger than 500 KB: send fewer events per batch.',
    )
  })

  it('accepts gzip bodies, as server-side libraries send them', async () => {
    const { app, events, writeKey } = await createTestApp()
    const res = await app.request('/v1/batch', {
      method: 'POST',
      body: gzipSync(JSON.stringify({ writeKey, batch: [page('z')] })),
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
    })
    expect(res.status).toBe(200)
    expect((await events()).map((row) => row.messageId)).toEqual(['z'])
  })

  it('rejects an event over 32 KB alone', async () => {
    const { post, events, writeKey } = await createTestApp()
    const res = await post('/v1/batch', {
      writeKey,
      batch: [page('huge', { properties: { blob: 'x'.repeat(33 * 1024) } }), page('small')],
    })
    expect(await res.json()).toEqual({
      success: true,
      accepted: 1,
      rejected: [{ index: 0, error: 'event is larger than 32 KB' }],
      ignored: [],
    })
    expect((await events()).map((row) => row.messageId)).toEqual(['small'])
  })

  it('corrects write-key timestamps for clock skew and takes secret-key timestamps as given', async () => {
    const now = Date.parse('2026-03-10T12:00:00.000Z')
    const { post, events, writeKey, secretKey } = await createTestApp({ now: () => now })
    // The client clock runs 1 hour fast: the event happened 10 s before it was sent.
    await post('/v1/batch', {
      writeKey,
      sentAt: '2026-03-10T13:00:00.000Z',
      batch: [
        page('skewed', { timestamp: '2026-03-10T12:59:50.000Z' }),
        page('future', { timestamp: '2026-03-11T12:00:00.000Z' }),
        page('ancient', { timestamp: '2025-01-01T00:00:00.000Z' }),
        page('untimed'),
      ],
    })
    await post(
      '/v1/batch',
      { batch: [page('imported', { timestamp: '2025-01-01T00:00:00.000Z' })] },
      { headers: { authorization: `Bearer ${secretKey}` } },
    )
    const times = Object.fromEntries(
      (await events()).map((row) => [row.messageId, new Date(row.timestamp).toISOString()]),
    )
    expect(times).toEqual({
      skewed: '2026-03-10T11:59:50.000Z',
      future: '2026-03-10T12:00:00.000Z',
      ancient: '2026-03-03T12:00:00.000Z',
      untimed: '2026-03-10T12:00:00.000Z',
      imported: '2025-01-01T00:00:00.000Z',
    })
  })

  it('never stores a raw IP address', async () => {
    const { post, events, contexts, writeKey } = await createTestApp()
    await post('/v1/batch', {
      writeKey,
      batch: [page('ip', { context: { ip: '203.0.113.7', page: { url: 'https://acme.test/' } } })],
    })
    // Every column of every stored event, its context whole (its shared part included).
    const all = await events()
    expect(all).toHaveLength(1)
    expect(JSON.stringify(all)).not.toContain('203.0.113.7')
    expect(await contexts()).toEqual([{ page: { url: 'https://acme.test/' } }])
  })

  it('answers bots with 200 and does not store their events', async () => {
    const { post, events, writeKey } = await createTestApp()
    const res = await post(
      '/v1/batch',
      { writeKey, batch: [page('bot')] },
      {
        headers: {
          'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
        },
      },
    )
    expect(await res.json()).toEqual({
      success: true,
      accepted: 0,
      rejected: [],
      ignored: [
        {
          index: 0,
          error:
            'sent by a bot (user agent "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"): not stored. A server sending for visitors should use the secret key, or set "context.userAgent" to the visitor\'s browser.',
        },
      ],
    })
    expect(await events()).toEqual([])
  })

  it('lifts the columns reports need: email, value, campaign, session', async () => {
    const { post, events, store, project, writeKey } = await createTestApp()
    await post('/v1/batch', {
      writeKey,
      batch: [
        {
          type: 'identify',
          messageId: 'i1',
          anonymousId: 'anon-1',
          userId: 'u-1',
          traits: { email: '  Ada@Example.COM ' },
        },
        {
          type: 'track',
          event: 'closed_won',
          messageId: 't1',
          anonymousId: 'anon-1',
          properties: { value: '1200', revenue: 5000 },
          context: {
            campaign: { source: 'google', medium: 'cpc', name: 'brand' },
            session: { id: 's-1', index: 2, start: '2026-03-10T11:00:00.000Z' },
          },
        },
      ],
    })
    const [identify, track] = await events()
    expect(identify).toMatchObject({ email: 'ada@example.com', userId: 'u-1' })
    expect(track).toMatchObject({
      value: 5000,
      utmSource: 'google',
      utmMedium: 'cpc',
      utmCampaign: 'brand',
      sessionId: 's-1',
      sessionIndex: 2,
    })
    const { links } = await store.identityEvidence(project.id)
    expect(links.map(({ anonymousId, userId, email }) => ({ anonymousId, userId, email }))).toEqual(
      [{ anonymousId: 'anon-1', userId: 'u-1', email: 'ada@example.com' }],
    )
  })
})

describe('single-event endpoints', () => {
  it('takes one event per call, its type from the path', async () => {
    const { post, events, writeKey } = await createTestApp()
    const auth = { headers: { authorization: `Bearer ${writeKey}` } }
    for (const [path, body] of [
      ['/v1/track', { event: 'demo_request', anonymousId: 'a', messageId: 's1' }],
      [
        '/v1/page',
        { anonymousId: 'a', messageId: 's2', properties: { url: 'https://acme.test/p' } },
      ],
      ['/v1/identify', { anonymousId: 'a', userId: 'u', messageId: 's3' }],
      ['/v1/group', { anonymousId: 'a', groupId: 'acme', messageId: 's4' }],
      ['/v1/alias', { userId: 'u', previousId: 'a', messageId: 's5' }],
    ] as const) {
      const res = await post(path, body, auth)
      expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [], ignored: [] })
    }
    expect(
      (await events()).map(({ type, event, pageUrl, groupId, previousId }) => ({
        type,
        event,
        pageUrl,
        groupId,
        previousId,
      })),
    ).toEqual([
      { type: 'track', event: 'demo_request', pageUrl: null, groupId: null, previousId: null },
      {
        type: 'page',
        event: null,
        pageUrl: 'https://acme.test/p',
        groupId: null,
        previousId: null,
      },
      { type: 'identify', event: null, pageUrl: null, groupId: null, previousId: null },
      { type: 'group', event: null, pageUrl: null, groupId: 'acme', previousId: null },
      { type: 'alias', event: null, pageUrl: null, groupId: null, previousId: 'a' },
    ])
  })
})

describe('rate limiting', () => {
  it('answers 429 with Retry-After per project and client address; the secret key is exempt', async () => {
    const now = 1_000_000
    const { post, writeKey, secretKey } = await createTestApp({
      now: () => now,
      rateLimit: { perSecond: 0.5, burst: 2 },
      clientAddress: (c) => c.req.header('x-test-client'),
    })
    const send = (client: string, key = writeKey) =>
      post(
        '/v1/batch',
        { batch: [page(`m-${Math.random()}`)] },
        {
          headers: {
            authorization: `Bearer ${key}`,
            'x-test-client': client,
            origin: 'https://acme.test',
          },
        },
      )
    expect((await send('a')).status).toBe(200)
    expect((await send('a')).status).toBe(200)
    const limited = await send('a')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(limited.headers.get('access-control-allow-origin')).toBe('https://acme.test')
    expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After')
    expect(await limited.json()).toEqual({
      success: false,
      error: 'Too many requests: retry after 2 s (send fewer, larger batches).',
      code: 'too_many_requests',
      message: 'Too many requests: retry after 2 s (send fewer, larger batches).',
    })
    expect((await send('b')).status).toBe(200)
    expect((await send('a', secretKey)).status).toBe(200)
  })
})
