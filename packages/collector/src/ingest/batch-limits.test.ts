import type { IngestionWarnings } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/test-app'

const track = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'signup',
  messageId,
  anonymousId: 'anon-1',
  ...extra,
})

const many = (count: number, make: (i: number) => unknown) =>
  Array.from({ length: count }, (_, i) => make(i))

async function warnings(
  app: Awaited<ReturnType<typeof createTestApp>>['app'],
  secretKey: string,
): Promise<IngestionWarnings> {
  const res = await app.request('/v1/ingestion/warnings', {
    headers: { authorization: `Bearer ${secretKey}` },
  })
  return (await res.json()) as IngestionWarnings
}

describe('events per request', () => {
  it('refuses a write-key batch of more than 1,000 events with 413, says what to do, and counts it', async () => {
    const { app, post, events, writeKey, secretKey } = await createTestApp()
    const res = await post('/v1/batch', { writeKey, batch: many(1_001, (i) => track(`m${i}`)) })
    expect(res.status).toBe(413)
    const message =
      'Too many events in one request: 1001, at most 1000 with the write key. Send them in smaller batches.'
    expect(await res.json()).toEqual({
      success: false,
      error: message,
      code: 'payload_too_large',
      message,
    })
    expect(await events()).toEqual([])
    const { totals, counts } = await warnings(app, secretKey)
    expect(totals).toEqual({ too_many_events: 1 })
    expect(counts.map(({ reason, count }) => [reason, count])).toEqual([['too_many_events', 1]])
    // At the limit, the batch is taken.
    const full = await post('/v1/batch', { writeKey, batch: many(1_000, (i) => track(`m${i}`)) })
    expect(full.status).toBe(200)
    expect(((await full.json()) as { accepted: number }).accepted).toBe(1_000)
  })

  it('refuses a body of 100,000 tiny events before looking at any of them', async () => {
    const { app, post, writeKey, secretKey } = await createTestApp()
    const res = await post(
      '/v1/batch',
      `{"writeKey":"${writeKey}","batch":[${many(100_000, () => '0').join(',')}]}`,
    )
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: string }).error).toBe(
      'Too many events in one request: 100000, at most 1000 with the write key. Send them in smaller batches.',
    )
    // Counted as one refused request, not as 100,000 invalid events.
    expect((await warnings(app, secretKey)).totals).toEqual({ too_many_events: 1 })
  })

  it('takes up to 5,000 events with the secret key', async () => {
    const { post, events, secretKey } = await createTestApp()
    const auth = { headers: { authorization: `Bearer ${secretKey}` } }
    const res = await post('/v1/batch', { batch: many(5_000, (i) => track(`s${i}`)) }, auth)
    expect(((await res.json()) as { accepted: number }).accepted).toBe(5_000)
    const over = await post('/v1/batch', { batch: many(5_001, (i) => track(`t${i}`)) }, auth)
    expect(over.status).toBe(413)
    expect(((await over.json()) as { error: string }).error).toBe(
      'Too many events in one request: 5001, at most 5000 with the secret key. Send them in smaller batches.',
    )
    expect(await events()).toHaveLength(5_000)
  })
})

describe('the answer of a batch with many events not stored', () => {
  it('lists the first 100 rejected with the write key, and gives the exact counts', async () => {
    const { app, post, writeKey, secretKey } = await createTestApp()
    const batch = many(1_000, (i) =>
      i % 2 === 0 ? {} : { type: 'track', messageId: `no-name-${i}`, anonymousId: 'a' },
    )
    batch[999] = track('stored')
    const res = await post('/v1/batch', { writeKey, batch })
    expect(res.status).toBe(200)
    const text = await res.text()
    const answer = JSON.parse(text) as {
      accepted: number
      rejected: { index: number; error: string }[]
      ignored: unknown[]
      rejectedCount: number
      ignoredCount: number
    }
    expect(answer.accepted).toBe(1)
    expect(answer.rejectedCount).toBe(999)
    expect(answer.ignoredCount).toBe(0)
    expect(answer.ignored).toEqual([])
    expect(answer.rejected).toHaveLength(100)
    expect(answer.rejected.map((entry) => entry.index)).toEqual(many(100, (i) => i))
    expect(answer.rejected[0]).toEqual({
      index: 0,
      error: '"type" must be one of page, track, identify, group, alias, screen',
    })
    expect(Object.keys(answer)).toEqual([
      'success',
      'accepted',
      'rejected',
      'ignored',
      'rejectedCount',
      'ignoredCount',
    ])
    // 1,000 bad events answered in less than 20 KB (every one listed took 107 KB).
    expect(text.length).toBeLessThan(20_000)
    // Every one is still counted.
    expect((await warnings(app, secretKey)).totals).toEqual({ invalid: 999 })
  })

  it('lists every one with the secret key, so an import can name each rejected row', async () => {
    const { post, secretKey } = await createTestApp()
    const res = await post(
      '/v1/batch',
      { batch: many(300, () => ({})) },
      { headers: { authorization: `Bearer ${secretKey}` } },
    )
    const answer = (await res.json()) as Record<string, unknown> & { rejected: unknown[] }
    expect(answer.accepted).toBe(0)
    expect(answer.rejected).toHaveLength(300)
    expect('rejectedCount' in answer).toBe(false)
  })

  it('lists everything, without counts, when there are at most 100 of each', async () => {
    const { post, writeKey } = await createTestApp()
    const res = await post('/v1/batch', { writeKey, batch: many(100, () => ({})) })
    const answer = (await res.json()) as Record<string, unknown> & { rejected: unknown[] }
    expect(answer.rejected).toHaveLength(100)
    expect(Object.keys(answer)).toEqual(['success', 'accepted', 'rejected', 'ignored'])
  })
})

describe('duplicates inside one batch', () => {
  it('stores an event once, counts it once in accepted, and lists its repeats as ignored', async () => {
    const { app, post, events, writeKey, secretKey } = await createTestApp()
    const body = {
      writeKey,
      batch: [track('a'), track('b'), track('a', { event: 'other' }), {}, track('a'), track('b')],
    }
    const expected = {
      success: true,
      accepted: 2,
      rejected: [
        { index: 3, error: '"type" must be one of page, track, identify, group, alias, screen' },
      ],
      ignored: [
        { index: 2, error: 'duplicate of event #0 in this batch (same messageId): stored once' },
        { index: 4, error: 'duplicate of event #0 in this batch (same messageId): stored once' },
        { index: 5, error: 'duplicate of event #1 in this batch (same messageId): stored once' },
      ],
    }
    const res = await post('/v1/batch', body)
    expect(await res.json()).toEqual(expected)
    expect((await events()).map((row) => [row.messageId, row.event])).toEqual([
      ['a', 'signup'],
      ['b', 'signup'],
    ])
    // A retry of the whole batch gets the same answer: the events stored before are accepted.
    const again = await post('/v1/batch', body)
    expect(await again.json()).toEqual(expected)
    expect(await events()).toHaveLength(2)
    // A repeat is the same event, stored: it is not counted as an event not stored.
    expect((await warnings(app, secretKey)).totals).toEqual({ invalid: 2 })
  })
})

describe('rate limit by events', () => {
  it('counts a write-key request as one per 20 events it carries', async () => {
    const now = 1_000_000
    const { post, writeKey } = await createTestApp({
      now: () => now,
      rateLimit: { perSecond: 50 },
    })
    const send = (count: number, tag: string) =>
      post('/v1/batch', { writeKey, batch: many(count, (i) => track(`${tag}-${i}`)) })
    // The burst is 100 requests: 1,000 events are 50 of them.
    expect((await send(1_000, 'a')).status).toBe(200)
    expect((await send(990, 'b')).status).toBe(200)
    const limited = await send(1, 'c')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
  })

  it('refuses a client over the limit before reading its next bodies, until it could pass', async () => {
    let now = 1_000_000
    const { app, post, events, writeKey, secretKey } = await createTestApp({
      now: () => now,
      rateLimit: { perSecond: 50 },
      clientAddress: (c) => c.req.header('x-test-client'),
    })
    const from = (client: string, body: unknown, key = writeKey) =>
      post('/v1/batch', body, {
        headers: { authorization: `Bearer ${key}`, 'x-test-client': client },
      })
    const batch = (count: number, tag: string) => ({
      batch: many(count, (i) => track(`${tag}-${i}`)),
    })
    expect((await from('a', batch(1_000, 'a'))).status).toBe(200)
    expect((await from('a', batch(1_000, 'b'))).status).toBe(200)
    // 50 tokens missing at 50 a second: this one could pass in 1 s.
    expect((await from('a', batch(1_000, 'c'))).status).toBe(429)
    // Not JSON at all: a 400 if it were read.
    const unread = await from('a', 'not json')
    expect(unread.status).toBe(429)
    expect(unread.headers.get('retry-after')).toBe('1')
    // The rest of the body is left unread: the connection closes after the answer.
    expect(unread.headers.get('connection')).toBe('close')
    expect((await from('a', batch(1, 'd'))).status).toBe(429)
    // Other clients, and the secret key from the same address, are not held up.
    expect((await from('b', batch(1, 'e'))).status).toBe(200)
    expect((await from('a', batch(1, 'f'), secretKey)).status).toBe(200)
    now += 1_000
    expect((await from('a', 'not json')).status).toBe(400)
    expect((await from('a', batch(1, 'g'))).status).toBe(200)
    expect(await events()).toHaveLength(2_003)
    // 1,000 events refused with the batch, then two requests refused unread (one event each).
    expect((await warnings(app, secretKey)).totals).toEqual({ rate_limited: 1_002, malformed: 1 })
  })
})
