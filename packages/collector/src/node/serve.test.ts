import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { BROWSER_UA } from '../testing/test-app'

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url))
const WRITE_KEY = 'wk_durability_0123456789'
const SECRET_KEY = 'sk_durability_0123456789abcdef'

interface Child {
  process: ChildProcess
  url: string
  dbPath: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const dirs: string[] = []
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Starts the real collector CLI in a child process on a free loopback port. */
async function startChild(): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'touchline-serve-'))
  dirs.push(dir)
  const dbPath = join(dir, 'touchline.db')
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      TOUCHLINE_DB: dbPath,
      TOUCHLINE_WRITE_KEY: WRITE_KEY,
      TOUCHLINE_SECRET_KEY: SECRET_KEY,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk
    })
    exited.then(() => reject(new Error(`collector exited before listening:\n${output}`)))
  })
  return { process: child, url, dbPath, exited }
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
    const child = await startChild()
    const acknowledged = await sendBatches(child.url, 40, () => child.process.kill('SIGKILL'))
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' })
    expect(acknowledged.length).toBeGreaterThanOrEqual(20)
    const stored = storedMessageIds(child.dbPath)
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
  })

  it('on SIGTERM finishes in-flight requests, closes the database and exits 0', async () => {
    const child = await startChild()
    const acknowledged = await sendBatches(child.url, 40, () => child.process.kill('SIGTERM'))
    expect(await child.exited).toEqual({ code: 0, signal: null })
    const stored = storedMessageIds(child.dbPath)
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
    expect(stored.size).toBe(acknowledged.length)
  })

  it('serves the health check and the built SDK with cache headers', async () => {
    const child = await startChild()
    expect(await (await fetch(`${child.url}/health`)).json()).toEqual({ status: 'ok' })
    const sdk = await fetch(`${child.url}/sdk.js`)
    expect(sdk.status).toBe(200)
    expect(sdk.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(sdk.headers.get('cache-control')).toMatch(/max-age=\d+/)
    expect(await sdk.text()).toContain('touchline')
  })
})
