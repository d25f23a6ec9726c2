/**
 * Flood benchmark: `pnpm bench` (from the repository root), or alone with
 * `pnpm exec tsx packages/collector/bench/flood.ts`.
 *
 * Starts the real collector (`touchline serve`, a child process, default rate limit) on
 * 127.0.0.1 and, for each scenario, floods it with write-key requests from one client
 * address while measuring, from a second process, what an onlooker sees:
 *  - `GET /health`, sent every 20 ms;
 *  - a well-behaved browser client (another address): a 20-event batch every 100 ms.
 * Both are sent on a fixed schedule (not one after the other), and each latency is measured
 * from its scheduled time, so a stall counts for every probe it holds up.
 *
 * Scenarios (each on a freshly started collector, BENCH_SECONDS each):
 *  - quiet: no flood;
 *  - 100k tiny, paced: 20 concurrent 200 KB bodies of 100,000 tiny events (`0`), 40 requests/s
 *    in all (within the 50/s default rate limit of one address);
 *  - 100k tiny, unpaced: the same, each of the 20 sends again as soon as it is answered;
 *  - 1k stored, paced: 20 concurrent bodies of 1,000 tiny valid events (each stored), 40/s.
 *
 * Env: BENCH_SECONDS (default 8), BENCH_ONLY=<text> (only the scenarios whose name has it),
 * BENCH_CPU_PROF=<dir> (V8 CPU profiles of the collector, one folder per scenario). `--collector <path>`: the CLI entry point to start (default
 * this checkout's), e.g. an older checkout's `packages/collector/src/cli/main.ts`.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { COLLECTOR_CLI, type SpawnedServer, spawnServer } from '../src/testing/spawn-server'
import { batchFactory } from './events'

const SECONDS = Number(process.env.BENCH_SECONDS || 8)
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
/** Runs only the scenarios whose name contains this. */
const ONLY = process.env.BENCH_ONLY
const WRITE_KEY = 'wk_flood_0123456789abcdef'
const SECRET_KEY = 'sk_flood_0123456789abcdef0123456789'
const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const FLOOD_ADDRESS = '198.51.100.66'
const CLIENT_ADDRESS = '203.0.113.7'
const CONCURRENCY = 20
const PACED_PER_SECOND = 40
const HEALTH_EVERY_MS = 20
const CLIENT_EVERY_MS = 100

const BENCH_FILE = fileURLToPath(import.meta.url)
const REPO_ROOT = resolve(dirname(BENCH_FILE), '../../..')
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

type BodyKind = 'tiny100k' | 'stored1k'

interface FloodPlan {
  url: string
  seconds: number
  body: BodyKind
  /** Requests per second over all senders; 0: as fast as answered. */
  perSecond: number
}

interface FloodSummary {
  requests: number
  statuses: Record<string, number>
  meanAnswerBytes: number
  maxAnswerBytes: number
  errors: number
  bodyBytes: number
}

/** `{"batch":[0,0,…]}`: 100,000 events of two bytes each, 200 KB. */
function tinyBody(): string {
  return `{"batch":[${new Array(100_000).fill('0').join(',')}]}`
}

/** 1,000 tiny valid events, unique message IDs: each is stored. */
function storedBody(seq: number): string {
  const events: string[] = []
  for (let i = 0; i < 1_000; i++) {
    events.push(`{"type":"track","event":"e","anonymousId":"f${seq}","messageId":"f-${seq}-${i}"}`)
  }
  return `{"batch":[${events.join(',')}]}`
}

/** An HTTP request on a keep-alive connection: its status and the size of its answer. */
function send(
  agent: Agent,
  url: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolveSend, reject) => {
    const req = request(
      `${url}${path}`,
      {
        agent,
        method: body ? 'POST' : 'GET',
        headers: body ? { ...headers, 'content-length': String(body.length) } : headers,
      },
      (res) => {
        let bytes = 0
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length
        })
        res.on('end', () => resolveSend({ status: res.statusCode ?? 0, bytes }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const BROWSER_HEADERS = {
  'content-type': 'text/plain;charset=UTF-8',
  authorization: `Bearer ${WRITE_KEY}`,
  'user-agent': CHROME_UA,
}

// ---------------------------------------------------------------------------------------
// The flood, in its own process so that reading its answers never delays the probes.

async function runFlood(plan: FloodPlan): Promise<FloodSummary> {
  const until = Date.now() + plan.seconds * 1_000
  const tiny = Buffer.from(tinyBody())
  const agent = new Agent({ keepAlive: true })
  const summary: FloodSummary = {
    requests: 0,
    statuses: {},
    meanAnswerBytes: 0,
    maxAnswerBytes: 0,
    errors: 0,
    bodyBytes: plan.body === 'tiny100k' ? tiny.length : storedBody(0).length,
  }
  let answerBytes = 0
  let slot = Date.now()
  let seq = 0
  const sender = async () => {
    while (Date.now() < until) {
      if (plan.perSecond > 0) {
        const at = Math.max(Date.now(), slot)
        slot = at + 1_000 / plan.perSecond
        await new Promise((done) => setTimeout(done, at - Date.now()))
        if (Date.now() >= until) return
      }
      try {
        const body = plan.body === 'tiny100k' ? tiny : Buffer.from(storedBody(seq++))
        const { status, bytes } = await send(
          agent,
          plan.url,
          '/v1/batch',
          { ...BROWSER_HEADERS, 'x-forwarded-for': FLOOD_ADDRESS },
          body,
        )
        summary.requests++
        summary.statuses[status] = (summary.statuses[status] ?? 0) + 1
        answerBytes += bytes
        summary.maxAnswerBytes = Math.max(summary.maxAnswerBytes, bytes)
      } catch {
        summary.errors++
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, sender))
  agent.destroy()
  summary.meanAnswerBytes = summary.requests ? Math.round(answerBytes / summary.requests) : 0
  return summary
}

function startFlood(plan: FloodPlan): { done: Promise<FloodSummary>; child: ChildProcess } {
  const child = fork(BENCH_FILE, ['--flood', JSON.stringify(plan)], {
    execArgv: ['--import', TSX_LOADER],
  })
  const done = new Promise<FloodSummary>((resolveDone, reject) => {
    child.once('message', (message) => resolveDone(message as FloodSummary))
    child.once('exit', (code) => reject(new Error(`the flood process exited (${code})`)))
  })
  return { done, child }
}

// ---------------------------------------------------------------------------------------
// Probes

interface Probe {
  latencies: number[]
  statuses: Record<string, number>
}

/** Sends `send()` every `everyMs` until `until`, each latency taken from its scheduled time. */
async function probe(everyMs: number, until: number, send: () => Promise<number>): Promise<Probe> {
  const result: Probe = { latencies: [], statuses: {} }
  const pending: Promise<void>[] = []
  const start = Date.now()
  for (let n = 0; ; n++) {
    const scheduled = start + n * everyMs
    if (scheduled >= until) break
    await new Promise((done) => setTimeout(done, Math.max(0, scheduled - Date.now())))
    pending.push(
      send().then(
        (status) => {
          result.latencies.push(performance.timeOrigin + performance.now() - scheduled)
          result.statuses[status] = (result.statuses[status] ?? 0) + 1
        },
        () => {
          result.statuses.error = (result.statuses.error ?? 0) + 1
        },
      ),
    )
  }
  await Promise.all(pending)
  return result
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

function latencyText(latencies: readonly number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b)
  const ms = (value: number) => `${Math.round(value)}`
  return `${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))} / ${ms(sorted.at(-1) ?? Number.NaN)}`
}

function statusText(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .map(([status, count]) => `${count}×${status}`)
    .join(' ')
}

// ---------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  name: string
  flood?: Omit<FloodPlan, 'url' | 'seconds'>
}

const SCENARIOS: Scenario[] = [
  { name: 'quiet (no flood)' },
  { name: '100k tiny, paced 40/s', flood: { body: 'tiny100k', perSecond: PACED_PER_SECOND } },
  { name: '100k tiny, unpaced', flood: { body: 'tiny100k', perSecond: 0 } },
  { name: '1k stored, paced 40/s', flood: { body: 'stored1k', perSecond: PACED_PER_SECOND } },
]

async function runScenario(cli: string, dir: string, scenario: Scenario, index: number) {
  const server: SpawnedServer = await spawnServer({
    name: 'collector',
    script: cli,
    args: ['serve'],
    cwd: REPO_ROOT,
    ...(CPU_PROF_DIR
      ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF_DIR, `scenario-${index}`)] }
      : {}),
    env: {
      TOUCHLINE_DB: join(dir, `flood-${index}.db`),
      TOUCHLINE_WRITE_KEY: WRITE_KEY,
      TOUCHLINE_SECRET_KEY: SECRET_KEY,
      // The flood and the well-behaved client are told apart by address, as behind a proxy.
      TOUCHLINE_TRUST_PROXY: '1',
    },
  })
  try {
    const url = server.url
    const next = batchFactory(`good${index}`)
    const agent = new Agent({ keepAlive: true })
    const sendBatch = async () => {
      const headers = {
        ...BROWSER_HEADERS,
        origin: 'https://www.example-shop.com',
        'x-forwarded-for': CLIENT_ADDRESS,
      }
      return (await send(agent, url, '/v1/batch', headers, Buffer.from(next().body))).status
    }
    const health = async () => (await send(agent, url, '/health', {})).status
    // Warm up: the first requests compile the routes; then the client's bucket refills.
    for (let i = 0; i < 20; i++) {
      await health()
      await sendBatch()
    }
    await new Promise((done) => setTimeout(done, 1_000))
    const flood = scenario.flood
      ? startFlood({ url, seconds: SECONDS, ...scenario.flood })
      : undefined
    const until = Date.now() + SECONDS * 1_000
    const [healthProbe, client] = await Promise.all([
      probe(HEALTH_EVERY_MS, until, health),
      probe(CLIENT_EVERY_MS, until, sendBatch),
    ])
    const summary = flood ? await flood.done : undefined
    flood?.child.kill()
    agent.destroy()
    return { scenario, health: healthProbe, client, summary }
  } finally {
    await server.stop()
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--collector')
  const cli = at >= 0 ? resolve(process.argv[at + 1] ?? '') : COLLECTOR_CLI
  const dir = mkdtempSync(join(tmpdir(), 'touchline-flood-'))
  console.log(`Flood benchmark: ${cli}, ${SECONDS} s per scenario`)
  console.log(
    `/health every ${HEALTH_EVERY_MS} ms; a well-behaved client: 20 events every ${CLIENT_EVERY_MS} ms; latencies p50 / p99 / max in ms`,
  )
  const rows: string[][] = [
    [
      'scenario',
      'flood sent',
      'flood answers',
      'answer bytes (mean / max)',
      '/health',
      'client',
      'client answers',
    ],
  ]
  try {
    for (const [index, scenario] of SCENARIOS.entries()) {
      if (ONLY && !scenario.name.includes(ONLY)) continue
      const { health, client, summary } = await runScenario(cli, dir, scenario, index)
      rows.push([
        scenario.name,
        summary
          ? `${(summary.requests / SECONDS).toFixed(1)}/s × ${Math.round(summary.bodyBytes / 1024)} KB`
          : '-',
        summary
          ? statusText(summary.statuses) + (summary.errors ? ` ${summary.errors}×error` : '')
          : '-',
        summary
          ? `${summary.meanAnswerBytes.toLocaleString('en-US')} / ${summary.maxAnswerBytes.toLocaleString('en-US')}`
          : '-',
        latencyText(health.latencies) +
          (health.statuses.error ? ` (${health.statuses.error} errors)` : ''),
        latencyText(client.latencies),
        statusText(client.statuses),
      ])
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  for (const row of rows)
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '))
}

const floodAt = process.argv.indexOf('--flood')
if (floodAt >= 0) {
  runFlood(JSON.parse(process.argv[floodAt + 1] ?? '{}') as FloodPlan).then((summary) => {
    process.send?.(summary)
    process.disconnect?.()
  })
} else {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
