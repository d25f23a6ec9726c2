import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { type SpawnedServer, spawnCollector } from '../testing/spawn-server'
import { BROWSER_UA } from '../testing/test-app'

const WRITE_KEY = 'wk_durability_0123456789'
const SECRET_KEY = 'sk_durability_0123456789abcdef'

const dirs: string[] = []
const servers: SpawnedServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop(0)))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Starts the real collector CLI in a child process on a free loopback port. */
async function startChild(
  env: Record<string, string> = {},
): Promise<SpawnedServer & { dbPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'touchline-serve-'))
  dirs.push(dir)
  const dbPath = join(dir, 'touchline.db')
  const server = await spawnCollector({
    TOUCHLINE_DB: dbPath,
    TOUCHLINE_WRITE_KEY: WRITE_KEY,
    TOUCHLINE_SECRET_KEY: SECRET_KEY,
    TOUCHLINE_RATE_LIMIT: '0', // 40 concurrent batches from one address
    ...env,
  })
  servers.push(server)
  return { ...server, dbPath }
}

function batch(request: number) {
  return Array.from({ length: 20 }, (_, i) => ({
    type: 'track',
    event: 'demo_request',
    messageId: `r${request}-e${i}`,
    anonymousId: `anon-${request}`,
  }))
}

/** Sends `count` concurrent batches; calls `onFirstAck` when the first 200 arrives. */
async function sendBatches(url: string, count: number, onFirstAck: () => void): Promise<string[]> {
  const acknowledged: string[] = []
  let first = true
  await Promise.allSettled(
    Array.from({ length: count }, async (_, request) => {
      const events = batch(request)
      const res = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITE_KEY}`, 'user-agent': BROWSER_UA },
        body: JSON.stringify({ batch: events }),
      })
      if (res.status !== 200) return
      acknowledged.push(...events.map((event) => event.messageId))
      if (first) {
        first = false
        onFirstAck()
      }
    }),
  )
  return acknowledged
}

function storedMessageIds(dbPath: string): Set<string> {
  const db = new Database(dbPath)
  try {
    const rows = db.prepare('SELECT message_id FROM events').all() as { message_id: string }[]
    return new Set(rows.map((row) => row.message_id))
  } finally {
    db.close()
  }
}

describe('the collector process', () => {
  it('keeps every acknowledged event when killed with SIGKILL right after answering', async () => {
    const collector = await startChild()
    const acknowledged = await sendBatches(collector.url, 40, () => collector.child.kill('SIGKILL'))
    expect(await collector.exited).toEqual({ code: null, signal: 'SIGKILL' })
    expect(acknowledged.length).toBeGreaterThanOrEqual(20)
    const stored = storedMessageIds(collector.dbPath)
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
  })

  it('on SIGTERM finishes in-flight requests, closes the database and exits 0', async () => {
    const collector = await startChild()
    const acknowledged = await sendBatches(collector.url, 40, () => collector.child.kill('SIGTERM'))
    expect(await collector.exited).toEqual({ code: 0, signal: null })
    const stored = storedMessageIds(collector.dbPath)
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
    expect(stored.size).toBe(acknowledged.length)
  })

  it('does not log a client that goes away in the middle of its body as an error', async () => {
    const collector = await startChild()
    const { hostname, port } = new URL(collector.url)
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        // With Expect: 100-continue the collector answers "100 Continue" once its handler runs.
        socket.write(
          `POST /v1/batch HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${SECRET_KEY}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n',
        )
      })
      socket.once('data', () => {
        socket.write('{"batch":[{"type":"track",')
        socket.destroy()
        resolve()
      })
    })
    await collector.stop() // the drain waits for that request's handler
    expect(await collector.exited).toEqual({ code: 0, signal: null })
    expect(collector.output()).not.toContain('Error: aborted')
    expect(collector.output()).not.toContain('ECONNRESET')
  })

  it('serves the health check and the built SDK with cache headers', async () => {
    const collector = await startChild()
    expect(await (await fetch(`${collector.url}/health`)).json()).toEqual({ status: 'ok' })
    const sdk = await fetch(`${collector.url}/sdk.js`)
    expect(sdk.status).toBe(200)
    expect(sdk.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(sdk.headers.get('cache-control')).toMatch(/max-age=\d+/)
    expect(await sdk.text()).toContain('touchline')
  })

  it('limits write-key requests per client address with TOUCHLINE_RATE_LIMIT', async () => {
    const collector = await startChild({ TOUCHLINE_RATE_LIMIT: '1' }) // burst 2
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let request = 0; request < 3; request++) {
      const res = await fetch(`${collector.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITE_KEY}`, 'user-agent': BROWSER_UA },
        body: JSON.stringify({ batch: batch(request) }),
      })
      statuses.push(res.status)
      retryAfter ??= res.headers.get('retry-after')
    }
    expect(statuses).toEqual([200, 200, 429])
    expect(retryAfter).toBe('1')
  })
})
