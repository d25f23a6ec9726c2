import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url))
const SECRET_KEY = 'sk_shutdown_0123456789abcdef'
/** The README's command for a service manager, run from the repository's root. */
const SERVICE_COMMAND = ['node', 'packages/collector/bin/touchline.js', 'serve']

interface Started {
  child: ChildProcess
  url: string
  dbPath: string
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves when the output has a line matching `pattern`. */
  printed(pattern: RegExp): Promise<void>
}

const started: Started[] = []
const dirs: string[] = []
/** Each command runs in its own process group, killed whole if a test leaves it running. */
const killGroups = () => {
  for (const { child } of started) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }
  }
}
process.once('exit', killGroups)
afterEach(async () => {
  killGroups()
  await Promise.all(started.splice(0).map((server) => server.exited))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Starts `command` from the repository's root, as a user would, and waits until it listens. */
async function start(command: string[], env: Record<string, string> = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'touchline-shutdown-'))
  dirs.push(dir)
  const dbPath = join(dir, 'touchline.db')
  const [file, ...args] = command as [string, ...string[]]
  const child = spawn(file, args, {
    cwd: ROOT,
    detached: true, // its own process group, as a terminal or a service manager gives it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      TOUCHLINE_DB: dbPath,
      TOUCHLINE_SECRET_KEY: SECRET_KEY,
      ...env,
    },
  })
  let output = ''
  const waiting = new Set<{ pattern: RegExp; resolve: () => void }>()
  const keep = (chunk: Buffer) => {
    output += chunk.toString()
    for (const wait of waiting) {
      if (wait.pattern.test(output)) {
        waiting.delete(wait)
        wait.resolve()
      }
    }
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(output)) return resolve()
      waiting.add({ pattern, resolve })
      exited.then(() => {
        if (!pattern.test(output))
          reject(new Error(`exited without printing ${pattern}:\n${output}`))
      })
    })
  const server = { child, dbPath, output: () => output, exited, printed, url: '' }
  started.push(server)
  await printed(/listening on http:\/\/\S+/)
  server.url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? ''
  return server
}

/**
 * Batches of server events sent back to back by `clients` connections until `stop()`;
 * `acknowledged` holds the messageId of each event of every batch answered 200.
 */
function load(url: string, clients = 8) {
  const acknowledged: string[] = []
  let stopped = false
  let batches = 0
  let onAcks: { count: number; resolve: () => void } | undefined
  const client = async (id: number) => {
    for (let request = 0; !stopped; request++) {
      const batch = Array.from({ length: 20 }, (_, i) => ({
        type: 'track',
        event: 'closed_won',
        userId: `user-${id}`,
        messageId: `c${id}-r${request}-e${i}`,
      }))
      try {
        const res = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batch }),
        })
        await res.arrayBuffer()
        if (res.status !== 200) continue
        acknowledged.push(...batch.map((event) => event.messageId))
        batches++
        if (onAcks && batches >= onAcks.count) onAcks.resolve()
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10)) // refused: the collector stopped
      }
    }
  }
  const running = Promise.all(Array.from({ length: clients }, (_, id) => client(id)))
  return {
    acknowledged,
    /** Resolves once `count` batches are acknowledged. */
    acks: (count: number) =>
      new Promise<void>((resolve) => {
        if (batches >= count) resolve()
        else onAcks = { count, resolve }
      }),
    stop: async () => {
      stopped = true
      await running
    },
  }
}

function storedMessageIds(dbPath: string): Set<string> {
  const db = new Database(dbPath, { readonly: true })
  try {
    const rows = db.prepare('SELECT message_id FROM events').all() as { message_id: string }[]
    return new Set(rows.map((row) => row.message_id))
  } finally {
    db.close()
  }
}

/** A client that sends its headers, then one byte of its body every 100 ms, until closed. */
function drippingClient(url: string): Promise<'closed by the collector'> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /v1/batch HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${SECRET_KEY}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
      )
      const drip = setInterval(() => socket.write(' '), 100)
      socket.once('close', () => {
        clearInterval(drip)
        resolve('closed by the collector')
      })
    })
    socket.on('error', () => {})
  })
}

const DRAIN_LINE =
  /SIGTERM: finishing in-flight requests \(at most \d+ ms\) and closing the database…/
const STOPPED_LINE = /Stopped: every answered request is in the database\./

describe('shutdown through the commands the README gives, with load running', () => {
  it('pnpm touchline serve: SIGTERM to pnpm drains, commits every answered batch and exits 0', async () => {
    const collector = await start(['pnpm', 'touchline', 'serve'])
    const traffic = load(collector.url)
    await traffic.acks(20)
    collector.child.kill('SIGTERM') // the main process, as a service manager signals it
    const exit = await collector.exited
    await traffic.stop()
    expect(exit).toEqual({ code: 0, signal: null })
    expect(collector.output()).toMatch(DRAIN_LINE)
    expect(collector.output()).toMatch(STOPPED_LINE)
    expect(collector.output()).not.toContain('ELIFECYCLE')
    const stored = storedMessageIds(collector.dbPath)
    expect(traffic.acknowledged.filter((id) => !stored.has(id))).toEqual([])
    expect(stored.size).toBe(traffic.acknowledged.length)
  }, 60_000)

  it('pnpm touchline serve: Ctrl-C (SIGINT to the process group) drains and exits 0', async () => {
    const collector = await start(['pnpm', 'touchline', 'serve'])
    const traffic = load(collector.url)
    await traffic.acks(20)
    process.kill(-(collector.child.pid as number), 'SIGINT')
    const exit = await collector.exited
    await traffic.stop()
    expect(exit).toEqual({ code: 0, signal: null })
    expect(collector.output()).toMatch(/SIGINT: finishing in-flight requests/)
    expect(collector.output()).toMatch(STOPPED_LINE)
    expect(collector.output()).not.toContain('ELIFECYCLE')
    const stored = storedMessageIds(collector.dbPath)
    expect(traffic.acknowledged.filter((id) => !stored.has(id))).toEqual([])
    expect(stored.size).toBe(traffic.acknowledged.length)
  }, 60_000)

  it('the service command: a slow client is cut off at the deadline, a second SIGTERM does not abort the drain', async () => {
    const collector = await start(SERVICE_COMMAND, { TOUCHLINE_SHUTDOWN_TIMEOUT_MS: '1000' })
    const traffic = load(collector.url)
    const slow = drippingClient(collector.url)
    await traffic.acks(20)
    collector.child.kill('SIGTERM')
    await collector.printed(DRAIN_LINE)
    collector.child.kill('SIGTERM')
    await collector.printed(/SIGTERM: already stopping/)
    expect(await slow).toBe('closed by the collector')
    const exit = await collector.exited
    await traffic.stop()
    expect(exit).toEqual({ code: 0, signal: null })
    expect(collector.output()).toMatch(
      /Shutdown: 1 connection\(s\) still open after 1000 ms \(TOUCHLINE_SHUTDOWN_TIMEOUT_MS\), closing them/,
    )
    expect(collector.output()).toMatch(STOPPED_LINE)
    const stored = storedMessageIds(collector.dbPath)
    expect(traffic.acknowledged.filter((id) => !stored.has(id))).toEqual([])
  }, 60_000)

  it('pnpm start runs, after its build, the same process as pnpm touchline serve', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(scripts.touchline).toBe('exec node packages/collector/bin/touchline.js')
    expect(scripts.start).toBe(`pnpm build && ${scripts.touchline} serve`)
  })
})
