import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BatchSender, ImportStopped } from './batch-sender'

/**
 * The sender's protocol edges (429, 5xx, a batch's rejected rows) against a real HTTP
 * server that answers as scripted: a collector answers these only under conditions a
 * test cannot arrange (secret-key requests are never rate limited). The end-to-end tests
 * with the real collector are in cli/import/import.test.ts.
 */

type Answer = (request: IncomingMessage, body: string, response: ServerResponse) => void

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((done) => server.close(() => done(null)))),
  )
})

async function scripted(answers: Answer[]) {
  const requests: { at: number; authorization: string | undefined; batch: unknown[] }[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      requests.push({
        at: Date.now(),
        authorization: request.headers.authorization,
        batch: (JSON.parse(body) as { batch: unknown[] }).batch,
      })
      const answer = answers.shift() ?? accepted
      answer(request, body, response)
    })
  })
  servers.push(server)
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests }
}

const json = (response: ServerResponse, status: number, value: unknown, headers = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(value))
}
const accepted: Answer = (_request, body, response) => {
  const { batch } = JSON.parse(body) as { batch: unknown[] }
  json(response, 200, { success: true, accepted: batch.length, rejected: [] })
}

const event = (i: number) => JSON.stringify({ type: 'track', event: 'mql', userId: `u-${i}` })

describe('BatchSender', () => {
  it('sends batches under its limits with the key as Basic auth, and maps rejected rows to their lines', async () => {
    const collector = await scripted([
      (_request, _body, response) =>
        json(response, 200, {
          success: true,
          accepted: 2,
          rejected: [{ index: 1, error: 'event: too long' }],
        }),
    ])
    const rejected: [number, string][] = []
    const sender = new BatchSender({
      url: collector.url,
      key: 'sk_test_0123456789abcdef',
      maxBatchEvents: 3,
      maxInFlight: 1,
      onRejected: (line, error) => rejected.push([line, error]),
    })
    for (let i = 0; i < 7; i++) await sender.add(event(i), 10 + i)
    await sender.finish()
    expect(collector.requests.map((r) => r.batch.length)).toEqual([3, 3, 1])
    expect(collector.requests[0]?.authorization).toBe(
      `Basic ${Buffer.from('sk_test_0123456789abcdef:').toString('base64')}`,
    )
    expect(rejected).toEqual([[11, 'event: too long']])
    expect({ sent: sender.sent, accepted: sender.accepted }).toEqual({ sent: 7, accepted: 6 })
  })

  it('waits as long as Retry-After says on 429, and backs off on 5xx, resending the same batch', async () => {
    const collector = await scripted([
      (_request, _body, response) =>
        json(response, 429, { success: false, error: 'slow down' }, { 'Retry-After': '1' }),
      (_request, _body, response) => json(response, 503, { success: false, error: 'busy' }),
    ])
    const retries: string[] = []
    const sender = new BatchSender({
      url: collector.url,
      key: 'sk_test_0123456789abcdef',
      onRejected: () => {},
      onRetry: (reason, delayMs) => retries.push(`${reason} ${delayMs}`),
      backoffMs: () => 50,
    })
    await sender.add(event(1), 2)
    await sender.finish()
    expect(retries).toEqual(['429 Too Many Requests 1000', '503: busy 50'])
    const [first, second, third] = collector.requests
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990)
    expect(third?.batch).toEqual(first?.batch)
    expect(sender.accepted).toBe(1)
  })

  it('honours Retry-After on a 5xx too, and backs off on a 429 without it (the shared retry rule)', async () => {
    const collector = await scripted([
      (_request, _body, response) =>
        json(response, 503, { success: false, error: 'busy' }, { 'Retry-After': '1' }),
      (_request, _body, response) => json(response, 429, { success: false, error: 'slow down' }),
    ])
    const retries: string[] = []
    const sender = new BatchSender({
      url: collector.url,
      key: 'sk_test_0123456789abcdef',
      onRejected: () => {},
      onRetry: (reason, delayMs) => retries.push(`${reason} ${delayMs}`),
      backoffMs: (attempt) => 10 + attempt,
    })
    await sender.add(event(1), 2)
    await sender.finish()
    expect(retries).toEqual(['503: busy 1000', '429 Too Many Requests 11'])
    expect(collector.requests).toHaveLength(3)
    expect(sender.accepted).toBe(1)
  })

  it('stops with a message a person can act on at 401', async () => {
    const collector = await scripted([
      (_request, _body, response) =>
        json(response, 401, { success: false, error: 'Unknown key: check the key.' }),
    ])
    const sender = new BatchSender({
      url: collector.url,
      key: 'sk_wrong_0123456789abcdef',
      onRejected: () => {},
    })
    await sender.add(event(1), 2)
    const stopped = await sender.finish().catch((error: unknown) => error)
    expect(stopped).toBeInstanceOf(ImportStopped)
    expect((stopped as Error).message).toBe(
      `the collector at ${collector.url} refused the key (401): Unknown key: check the key. Pass the project's secret key ("sk_…") with --key or TOUCHLINE_SECRET_KEY.`,
    )
    expect(collector.requests).toHaveLength(1)
  })

  it('gives up after its retries when the collector cannot be reached', async () => {
    const collector = await scripted([])
    await new Promise((done) => servers.pop()?.close(done))
    const sender = new BatchSender({
      url: collector.url,
      key: 'sk_test_0123456789abcdef',
      onRejected: () => {},
      maxRetries: 2,
      backoffMs: () => 10,
    })
    await sender.add(event(1), 2)
    await expect(sender.finish()).rejects.toThrow(
      `could not send to the collector at ${collector.url} after 3 attempts (last: ECONNREFUSED)`,
    )
  })
})
