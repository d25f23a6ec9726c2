/**
 * Report benchmark: `pnpm bench:reports [--events 1000000] [--ten]` (from the repository root).
 *
 * 1. Builds a SQLite database from the demo generator (src/demo/generate.ts) straight
 *    through the store: `parseEvent`, `toEventRow` (trusted, as the secret key would) and
 *    `SqliteStore.insertEvents` in chunks, no HTTP. The database is cached in the temporary
 *    directory, keyed by size, seed and the code that shapes it, so reruns start at once.
 * 2. Starts the real collector (`touchline serve`, a child process) on a copy of it.
 * 3. Times `GET /v1/reports/attribution` for every model in `MODELS`, conversion
 *    `demo_request`, grouped by channel, over the data set's last 90 days with a 90-day
 *    lookback: a cold first call, then the median and p95 of warm runs, then all models
 *    back-to-back.
 * 4. Measures ingestion latency while reports run: 20-event `/v1/batch` bodies sent at a
 *    steady rate with fetch, first alone, then with warm reports looping in parallel, then on
 *    a fresh collector while its first (cold) report is computed.
 *
 * Flags: --sizes 1m,10m,30m (the data sets to measure, in one run), --events N (default 1,000,000), --seed S (default 1), --runs N (warm runs per model,
 * default 5), --ingest-seconds N (default 20), --rate N (batches per second, default 50),
 * --models a,b (default: every model), --ten (also 10,000,000 events), --rebuild (ignore the cached database), --build-only (build
 * or find the databases, measure nothing), --postgres (each size on PostgreSQL too, in a
 * cluster of the benchmark's own, and the figures as ratios to SQLite's of the same run).
 *
 * On a 2-core machine building 1M events takes about 40 s (1.1 GB) and 10M about 16 minutes
 * (11 GB, and as much again for the working copy), so the 10M run is opt-in: `--ten`, or
 * build it ahead with `--events 10000000 --build-only`. Cached databases live in
 * $TMPDIR/touchline-bench-reports.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { request } from 'node:http'
import { createRequire } from 'node:module'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { GROUP_BYS, MODELS } from '@touchline/shared'
import { parseEvent } from '@touchline/shared/schema'
import { type DemoSummary, generateDemoEvents } from '../src/demo/generate'
import { toEventRow } from '../src/ingest/normalise'
import { createProject } from '../src/projects/projects'
import { PostgresStore } from '../src/store/postgres/postgres-store'
import { SqliteStore } from '../src/store/sqlite/sqlite-store'
import type { EventRow, Store } from '../src/store/store'
import {
  createPostgresDatabase,
  postgresAvailability,
  postgresQuery,
  startPostgresCluster,
} from '../src/testing/postgres'
import { type SpawnedServer, spawnCollector } from '../src/testing/spawn-server'
import { batchFactory, EVENTS_PER_BATCH } from './events'

// ---------------------------------------------------------------------------------------
// Settings

/** Set in the row producer: what to produce (see produceRows). */
const PRODUCER = process.env.TOUCHLINE_BENCH_PRODUCER

const { values: flags } = parseArgs({
  // The row producer (this file in a child process) takes its settings from the environment.
  args: PRODUCER ? [] : process.argv.slice(2),
  options: {
    events: { type: 'string', default: '1000000' },
    sizes: { type: 'string' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    'ingest-seconds': { type: 'string', default: '20' },
    rate: { type: 'string', default: '50' },
    ten: { type: 'boolean', default: false },
    models: { type: 'string' },
    rebuild: { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
  },
})

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw?.replaceAll('_', ''))
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--${name} must be a positive number, got "${raw}"`)
  }
  return value
}

/** A size as given: `1m`, `10M`, `500k`, `1000000` or `1_000_000`. */
function sizeOf(raw: string): number {
  const match = /^([\d_.]+)\s*([kKmM]?)$/.exec(raw.trim())
  const unit = { k: 1e3, m: 1e6, '': 1 }[(match?.[2] ?? '').toLowerCase()] ?? 1
  return Math.round(positive('sizes', match?.[1]) * unit)
}

const SIZES = flags.sizes
  ? flags.sizes.split(',').map(sizeOf)
  : [Math.round(positive('events', flags.events)), ...(flags.ten ? [10_000_000] : [])]
const SEED = flags.seed ?? '1'
const WARM_RUNS = Math.round(positive('runs', flags.runs))
const INGEST_SECONDS = positive('ingest-seconds', flags['ingest-seconds'])
const RATE = positive('rate', flags.rate)
const SELECTED_MODELS = flags.models?.split(',').map((model) => model.trim()) ?? [...MODELS]
for (const model of SELECTED_MODELS) {
  if (!(MODELS as readonly string[]).includes(model)) {
    throw new Error(`--models: "${model}" is not one of ${MODELS.join(', ')}`)
  }
}

/** Six months of data; reports cover the last 90 days of it. */
const DATA_FROM = '2026-05-01T00:00:00.000Z'
const DATA_TO = '2026-11-01T00:00:00.000Z'
const DAY = 86_400_000
const REPORT_FROM = new Date(Date.parse(DATA_TO) - 90 * DAY).toISOString()
const GROUP_BY = (GROUP_BYS as readonly string[]).includes('channel') ? 'channel' : 'source'
const CONVERSION = 'demo_request'

const WRITE_KEY = 'wk_bench_reports_0123456789'
const SECRET_KEY = 'sk_bench_reports_0123456789abcdef0123'
const CHUNK = 5_000

const CACHE_DIR = join(tmpdir(), 'touchline-bench-reports')
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
/** The code whose changes make a cached database stale: the generator, row mapping, schema. */
const DEMO_DIR = new URL('../src/demo/', import.meta.url)
const SHAPING_SOURCES = [
  ...readdirSync(DEMO_DIR)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'load.ts')
    .sort()
    .map((name) => new URL(name, DEMO_DIR)),
  ...['../src/ingest/normalise.ts', '../src/store/sqlite/migrations.ts'].map(
    (path) => new URL(path, import.meta.url),
  ),
]

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`

// ---------------------------------------------------------------------------------------
// Child processes and the working copy: always cleaned up.

const children = new Set<ChildProcess>()
let workDir: string | undefined
/** The benchmark's own PostgreSQL cluster (--postgres), stopped at exit. */
let postgres: { url: string; stop: () => void } | undefined

function cleanUp(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
  workDir = undefined
}
if (!PRODUCER) {
  process.on('exit', () => {
    cleanUp()
    postgres?.stop()
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping…`)
      cleanUp()
      process.exit(130)
    })
  }
}

// ---------------------------------------------------------------------------------------
// The database

interface BuiltDatabase {
  path: string
  summary: DemoSummary
  buildMs: number
  cached: boolean
  bytes: number
}

function cacheKey(size: number): string {
  const hash = createHash('sha256')
  for (const url of SHAPING_SOURCES) hash.update(readFileSync(url))
  hash.update(`${DATA_FROM} ${DATA_TO} ${WRITE_KEY} ${SECRET_KEY}`)
  return `events-${size}-seed-${SEED}-${hash.digest('hex').slice(0, 12)}`
}

async function database(size: number): Promise<BuiltDatabase> {
  mkdirSync(CACHE_DIR, { recursive: true })
  const key = cacheKey(size)
  const path = join(CACHE_DIR, `${key}.db`)
  const meta = join(CACHE_DIR, `${key}.json`)
  if (!flags.rebuild && existsSync(path) && existsSync(meta)) {
    const { summary, buildMs } = JSON.parse(readFileSync(meta, 'utf8')) as {
      summary: DemoSummary
      buildMs: number
    }
    return { path, summary, buildMs, cached: true, bytes: statSync(path).size }
  }
  // Databases of this size and seed made by older code are stale: make room.
  const stale = new RegExp(`^events-${size}-seed-${SEED.replace(/\W/g, '\\$&')}-[0-9a-f]+\\.`)
  for (const file of readdirSync(CACHE_DIR)) {
    if (stale.test(file)) rmSync(join(CACHE_DIR, file), { force: true })
  }
  const partial = join(CACHE_DIR, `${key}.partial.db`)

  console.log(`building ${fmt(size)} events into ${path}…`)
  const started = performance.now()
  const store = new SqliteStore(partial, { synchronous: 'NORMAL' })
  // A throwaway build: a large page cache, no fsync.
  store.db.pragma('cache_size = -1000000')
  store.db.pragma('synchronous = OFF')
  // Secondary indexes are made once at the end, by sorting, rather than row by row.
  const indexes = store.db
    .prepare(
      `SELECT name, sql FROM sqlite_master
       WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'identity_links')`,
    )
    .all() as { name: string; sql: string }[]
  for (const { name } of indexes) store.db.exec(`DROP INDEX "${name}"`)
  const { project } = await createProject(store, {
    name: 'default',
    writeKey: WRITE_KEY,
    secretKey: SECRET_KEY,
  })
  const { summary, done } = await loadDemo(store, project.id, size, started)
  const indexing = performance.now()
  for (const { sql } of indexes) store.db.exec(sql)
  store.db.exec('ANALYZE')
  console.log(`  indexed in ${seconds(performance.now() - indexing)}`)
  await store.close()
  const buildMs = performance.now() - started
  renameSync(partial, path)
  writeFileSync(meta, JSON.stringify({ summary, buildMs }, null, 2))
  console.log(`  built ${fmt(done)} events in ${seconds(buildMs)}`)
  return { path, summary, buildMs, cached: false, bytes: statSync(path).size }
}

/**
 * The demo data set of `size` events written through `store`: events are generated,
 * validated and mapped to rows in a child process while this one inserts them (the two
 * halves take about as long each).
 */
async function loadDemo(
  store: Store,
  projectId: string,
  size: number,
  started: number,
): Promise<{ summary: DemoSummary; done: number }> {
  let done = 0
  let lastReport = started
  const summary = await new Promise<DemoSummary>((resolve, reject) => {
    const producer = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', TSX_LOADER],
      serialization: 'advanced',
      env: {
        ...process.env,
        TOUCHLINE_BENCH_PRODUCER: JSON.stringify({
          size,
          seed: SEED,
          projectId,
        } satisfies ProducerData),
      },
    })
    children.add(producer)
    let inserted = Promise.resolve()
    producer.on('message', (message: ProducerMessage) => {
      inserted = inserted
        .then(async () => {
          done += await store.insertEvents(message.rows)
          if (message.summary) {
            resolve(message.summary)
            return
          }
          // The producer may be done already (it disconnects after its last chunk).
          if (producer.connected) producer.send('more', () => {})
          const now = performance.now()
          if (now - lastReport > 5_000) {
            lastReport = now
            const rate = done / ((now - started) / 1000)
            console.log(
              `  ${fmt(done)} events (~${fmt((100 * done) / size)} %), ${fmt(rate)} events/s, ` +
                `about ${seconds(Math.max(0, ((size - done) / rate) * 1000))} to go`,
            )
          }
        })
        .catch(reject)
    })
    producer.on('error', reject)
    producer.on('exit', (code, signal) => {
      children.delete(producer)
      if (code !== 0) reject(new Error(`the row producer exited (${signal ?? code})`))
    })
  })
  return { summary, done }
}

/**
 * The data set in a database of its own in the benchmark's PostgreSQL cluster, built
 * through the PostgreSQL store (not cached: a cluster lives as long as the run).
 */
async function postgresDatabase(size: number): Promise<BuiltDatabase> {
  postgres ??= await startPostgresCluster()
  const name = `bench_${size}`
  const url = await createPostgresDatabase(postgres.url, name)
  console.log(`building ${fmt(size)} events into PostgreSQL (${name})…`)
  const started = performance.now()
  const store = await PostgresStore.open(url)
  const { project } = await createProject(store, {
    name: 'default',
    writeKey: WRITE_KEY,
    secretKey: SECRET_KEY,
  })
  const { summary, done } = await loadDemo(store, project.id, size, started)
  await store.close()
  await postgresQuery(url, 'VACUUM ANALYZE')
  const buildMs = performance.now() - started
  console.log(`  built ${fmt(done)} events in ${seconds(buildMs)}`)
  return {
    path: url,
    summary,
    buildMs,
    cached: false,
    bytes: await databaseBytes(url),
  }
}

/** The size of a database: a SQLite file (and its WAL), or a PostgreSQL database. */
async function databaseBytes(db: string): Promise<number> {
  if (db.startsWith('postgres://')) {
    const [row] = await postgresQuery<{ bytes: string }>(
      db,
      'SELECT pg_database_size(current_database()) AS bytes',
    )
    return Number(row?.bytes)
  }
  return statSync(db).size + (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0)
}

interface ProducerData {
  size: number
  seed: string
  projectId: string
}

/** A chunk of rows; the last one carries the data set's summary. */
interface ProducerMessage {
  rows: EventRow[]
  summary?: DemoSummary
}

/** Chunks sent ahead of the inserts, at most: bounds the memory the producer can fill. */
const CHUNKS_AHEAD = 4

/** The row producer (a child process): generates the events and maps them to rows. */
async function produceRows({ size, seed, projectId }: ProducerData): Promise<void> {
  const send = (message: ProducerMessage) =>
    new Promise<void>((resolve, reject) =>
      process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
    )
  let credits = CHUNKS_AHEAD
  let wake: (() => void) | undefined
  process.on('message', () => {
    credits++
    wake?.()
  })
  const receivedAt = Date.parse(DATA_TO)
  const generator = generateDemoEvents({ from: DATA_FROM, to: DATA_TO, events: size, seed })
  let rows: EventRow[] = []
  for (;;) {
    const next = generator.next()
    if (next.done) {
      await send({ rows, summary: next.value })
      process.disconnect()
      return
    }
    const parsed = parseEvent(next.value)
    if (!parsed.ok) throw new Error(`a generated event was rejected: ${parsed.error}`)
    rows.push(toEventRow(parsed.value, { projectId, receivedAt, trusted: true }))
    if (rows.length === CHUNK) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve))
      credits--
      await send({ rows })
      rows = []
    }
  }
}

// ---------------------------------------------------------------------------------------
// HTTP

/** A GET with no client timeout (a slow report must be measured, not cut). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** One report request: its time, and what it answered or why it failed. */
type ReportRun =
  | { ok: true; ms: number; conversions: number; rows: number }
  | { ok: false; ms: number; error: string }

async function report(server: SpawnedServer, model: string): Promise<ReportRun> {
  const params = new URLSearchParams({
    conversion: CONVERSION,
    model,
    groupBy: GROUP_BY,
    from: REPORT_FROM,
    to: DATA_TO,
    lookbackDays: '90',
  })
  const started = performance.now()
  try {
    const { status, ms, body } = await get(`${server.url}/v1/reports/attribution?${params}`, {
      authorization: `Bearer ${SECRET_KEY}`,
    })
    if (status !== 200) return { ok: false, ms, error: `${status} ${body.slice(0, 200)}` }
    const parsed = JSON.parse(body) as { totals: { conversions: number }; rows: unknown[] }
    return { ok: true, ms, conversions: parsed.totals.conversions, rows: parsed.rows.length }
  } catch (error) {
    return { ok: false, ms: performance.now() - started, error: String(error) }
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
}

interface ModelTiming {
  model: string
  cold: ReportRun
  /** Warm runs that answered, in ms. */
  warm: number[]
  warmFailures: number
}

/** The collector's last error line, to say why a report failed. */
function lastError(output: string): string {
  const lines = output.split('\n').filter((line) => /error/i.test(line))
  return lines[lines.length - 1]?.trim() ?? ''
}

/**
 * Each model: a cold call (the first request of a freshly started collector, so no report
 * cache helps it), then warm runs. A model whose cold call fails gets no warm runs.
 */
async function timeReports(collector: Collector): Promise<ModelTiming[]> {
  const timings: ModelTiming[] = []
  for (const model of SELECTED_MODELS) {
    const server = await collector.restart()
    const cold = await report(server, model)
    const timing: ModelTiming = { model, cold, warm: [], warmFailures: 0 }
    timings.push(timing)
    if (!cold.ok) {
      const why = lastError(collector.output())
      cold.error += why ? ` (collector: ${why})` : ''
      console.log(`  ${model}: FAILED after ${seconds(cold.ms)}: ${cold.error}`)
      continue
    }
    for (let i = 0; i < WARM_RUNS; i++) {
      const run = await report(server, model)
      if (run.ok) timing.warm.push(run.ms)
      else timing.warmFailures++
    }
    console.log(
      `  ${model}: cold ${fmt(cold.ms)} ms, warm median ${fmt(percentile(timing.warm, 0.5))} ms, ` +
        `p95 ${fmt(percentile(timing.warm, 0.95))} ms`,
    )
  }
  return timings
}

/** Every selected model once, one after the other: the time, and how many failed. */
async function allModels(server: SpawnedServer): Promise<{ ms: number; failures: number }> {
  const started = performance.now()
  let failures = 0
  for (const model of SELECTED_MODELS) if (!(await report(server, model)).ok) failures++
  return { ms: performance.now() - started, failures }
}

const INGEST_HEADERS: Record<string, string> = {
  'Content-Type': 'text/plain;charset=UTF-8',
  Authorization: `Bearer ${WRITE_KEY}`,
  'User-Agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  Origin: 'https://www.example-shop.com',
}

interface IngestResult {
  batches: number
  errors: number
  p50: number
  p95: number
  p99: number
  max: number
  reports: number
  reportFailures: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Sends 20-event batches at a steady rate for `INGEST_SECONDS`, whatever the answers (an open
 * loop: a stalled server does not slow the sender). Latency runs from each batch's scheduled
 * send time to the end of its response.
 */
async function ingestAtSteadyRate(server: SpawnedServer, tag: string): Promise<IngestResult> {
  const next = batchFactory(tag)
  const latencies: number[] = []
  const pending: Promise<void>[] = []
  let errors = 0
  const interval = 1000 / RATE
  const started = performance.now()
  for (let i = 0; ; i++) {
    const due = started + i * interval
    if (due - started >= INGEST_SECONDS * 1000) break
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    const { body } = next()
    pending.push(
      fetch(`${server.url}/v1/batch`, { method: 'POST', headers: INGEST_HEADERS, body }).then(
        async (res) => {
          await res.arrayBuffer()
          latencies.push(performance.now() - due)
          if (!res.ok) errors++
        },
        () => {
          errors++
        },
      ),
    )
  }
  await Promise.all(pending)
  return {
    batches: latencies.length,
    errors,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
    reports: 0,
    reportFailures: 0,
  }
}

/** The same load with every model's report requested in a loop meanwhile. */
async function ingestWhileReporting(server: SpawnedServer, tag: string): Promise<IngestResult> {
  let stop = false
  let reports = 0
  let reportFailures = 0
  const loop = (async () => {
    while (!stop) {
      for (const model of SELECTED_MODELS) {
        if (stop) break
        const run = await report(server, model)
        reports++
        if (!run.ok) {
          reportFailures++
          await sleep(1_000)
        }
      }
    }
  })()
  const result = await ingestAtSteadyRate(server, `with${tag}`)
  stop = true
  await loop
  return { ...result, reports, reportFailures }
}

// ---------------------------------------------------------------------------------------
// One size

/** Where the collector stores: the SQLite file (the default) or PostgreSQL (--postgres). */
type Engine = 'SQLite' | 'PostgreSQL'

interface SizeResult {
  size: number
  engine: Engine
  /** The first start on a database of raw events only: it derives and stores every session. */
  firstDerivation: ReportRun
  /** The database after that, incl. its WAL, in bytes. */
  derivedBytes: number
  /** The collector's resident memory (sampled every 250 ms): peak, and once reports are warm. */
  rss: { peak: number; warm: number }
  /** The machine's 1-minute load average before and after the measurements. */
  load: [number, number]
  db: BuiltDatabase
  startMs: number
  timings: ModelTiming[]
  /** Undefined when no model answered at all (nothing left to measure with reports). */
  allModelsCold: { ms: number; failures: number } | undefined
  allModelsWarm: { ms: number; failures: number } | undefined
  ingestAlone: IngestResult
  /** Undefined when no model answered at all (no report was ever warm). */
  ingestWithWarmReports: IngestResult | undefined
  ingestWithColdReport: IngestResult
}

/** A process's resident memory in bytes, from /proc (0 where there is none). */
function rssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}

/** The collector on the working copy, restarted at will. */
interface Collector {
  /** The running collector's resident memory now, and its peak over every run so far. */
  rss(): { now: number; peak: number }
  restart(): Promise<SpawnedServer>
  /** What the running collector printed (stdout and stderr), or nothing. */
  output(): string
  /** How long the last start took, until "listening". */
  startMs(): number
  stop(): Promise<void>
}

function collectorOn(dbPath: string): Collector {
  let current: SpawnedServer | undefined
  let startMs = 0
  let peak = 0
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(current?.child.pid))
  }, 250)
  sampler.unref()
  const stop = async () => {
    if (!current) return
    await current.stop()
    children.delete(current.child)
    current = undefined
  }
  return {
    restart: async () => {
      await stop()
      const started = performance.now()
      current = await spawnCollector(
        {
          TOUCHLINE_DB: dbPath,
          TOUCHLINE_WRITE_KEY: WRITE_KEY,
          TOUCHLINE_SECRET_KEY: SECRET_KEY,
          TOUCHLINE_RATE_LIMIT: '0', // one load generator, one address
        },
        { timeoutMs: 300_000 },
      )
      startMs = performance.now() - started
      children.add(current.child)
      return current
    },
    rss: () => {
      const now = rssOf(current?.child.pid)
      peak = Math.max(peak, now)
      return { now, peak }
    },
    output: () => current?.output() ?? '',
    startMs: () => startMs,
    stop,
  }
}

async function benchSize(size: number, engine: Engine = 'SQLite'): Promise<SizeResult> {
  const db = engine === 'PostgreSQL' ? await postgresDatabase(size) : await database(size)
  workDir = mkdtempSync(join(tmpdir(), 'touchline-bench-reports-'))
  // SQLite: a working copy of the cached file; PostgreSQL: the database built for this run.
  const copy = engine === 'PostgreSQL' ? db.path : join(workDir, 'touchline.db')
  if (engine === 'SQLite') copyFileSync(db.path, copy)
  const collector = collectorOn(copy)
  const loadBefore = loadavg()[0] ?? 0
  try {
    // The copy holds raw events only, as after an upgrade: the first start derives and
    // stores every session; every start after it reads them.
    console.log('first start on raw events (derives and stores every session)…')
    const firstDerivation = await report(await collector.restart(), SELECTED_MODELS[0] ?? 'linear')
    console.log(`  first report: ${seconds(firstDerivation.ms)}`)
    await collector.stop()
    const derivedBytes = await databaseBytes(copy)
    console.log(
      `reports (${SELECTED_MODELS.length} models; each: a fresh collector, 1 cold + ${WARM_RUNS} warm runs)…`,
    )
    const timings = await timeReports(collector)
    const anyAnswered = timings.some((timing) => timing.cold.ok)
    const server = await collector.restart()
    const startMs = collector.startMs()
    let warmRss = 0
    let allModelsCold: SizeResult['allModelsCold']
    let allModelsWarm: SizeResult['allModelsWarm']
    if (anyAnswered) {
      allModelsCold = await allModels(server)
      allModelsWarm = await allModels(server)
      warmRss = collector.rss().now
      console.log(
        `  all models back-to-back: ${fmt(allModelsCold.ms)} ms cold, ${fmt(allModelsWarm.ms)} ms warm`,
      )
    }
    console.log(`ingestion alone (${INGEST_SECONDS} s at ${RATE} batches/s)…`)
    const ingestAlone = await ingestAtSteadyRate(server, 'alone')
    let ingestWithWarmReports: IngestResult | undefined
    if (anyAnswered) {
      console.log('ingestion while warm reports loop…')
      ingestWithWarmReports = await ingestWhileReporting(server, 'warm')
    }
    // The heaviest case: a fresh collector's first report. Even a report that fails works until
    // it does, and ingestion must not stall meanwhile.
    console.log('ingestion while a cold report runs (fresh collector)…')
    const ingestWithColdReport = await ingestWhileReporting(await collector.restart(), 'cold')
    return {
      size,
      engine,
      firstDerivation,
      derivedBytes,
      rss: { peak: collector.rss().peak, warm: warmRss },
      load: [loadBefore, loadavg()[0] ?? 0],
      db,
      startMs,
      timings,
      allModelsCold,
      allModelsWarm,
      ingestAlone,
      ingestWithWarmReports,
      ingestWithColdReport,
    }
  } catch (error) {
    console.error(`collector output:\n${collector.output().slice(-3_000)}`)
    throw error
  } finally {
    await collector.stop()
    cleanUp()
  }
}

// ---------------------------------------------------------------------------------------
// Output

function table(rows: readonly (readonly string[])[]): void {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)))
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
  console.log(line(rows[0] ?? []))
  console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  for (const row of rows.slice(1)) console.log(line(row))
}

function print(result: SizeResult): void {
  const { summary, buildMs, cached, bytes } = result.db
  const stages = ['demo_request', 'mql', 'sql', 'opportunity_created', 'closed_won', 'touch']
  console.log(`\n=== ${fmt(result.size)} events requested (seed ${SEED}), ${result.engine} ===`)
  console.log(
    `data set: ${fmt(summary.events)} events (page ${fmt(summary.byType.page)}, track ${fmt(summary.byType.track)}, ` +
      `identify ${fmt(summary.byType.identify)}, group ${fmt(summary.byType.group)}), ` +
      `${fmt(summary.people)} people, ${fmt(summary.sessions)} sessions ` +
      `(${fmt(summary.sessionsWithoutSdkContext)} without context.session), ${fmt(summary.devices)} browsers`,
  )
  console.log(
    `          ${fmt(summary.identifiedPeople)} identified (${fmt(summary.twoDevicePeople)} on two browsers), ` +
      `${fmt(summary.accounts)} accounts (${fmt(summary.groupedAccounts)} with group calls); ` +
      stages.map((name) => `${name} ${fmt(summary.byTrackEvent[name] ?? 0)}`).join(', '),
  )
  console.log(
    `database: ${fmt(bytes / 1e9, 2)} GB, built in ${seconds(buildMs)} ` +
      `(${fmt(summary.events / (buildMs / 1000))} events/s)${cached ? ', cached from an earlier run' : ''}`,
  )
  const perEvent = (b: number) => fmt(b / summary.events)
  console.log(
    `bytes per event: ${perEvent(bytes)} B as built, ${perEvent(result.derivedBytes)} B with the ` +
      `derived sessions stored (${fmt(result.derivedBytes / 1e9, 2)} GB)`,
  )
  const first = result.firstDerivation
  console.log(
    `first start on raw events (derives and stores every session): first report ` +
      `${first.ok ? seconds(first.ms) : `failed after ${seconds(first.ms)}`}`,
  )
  console.log(
    `collector RSS: ${fmt(result.rss.warm / 1e6)} MB with reports warm, ` +
      `peak ${fmt(result.rss.peak / 1e6)} MB (sampled every 250 ms over the whole run)`,
  )
  console.log(
    `machine: ${cpus().length} CPUs, load average ${fmt(result.load[0], 1)} before the ` +
      `measurements, ${fmt(result.load[1], 1)} after (other work moves these figures a lot)`,
  )
  console.log(
    `\nGET /v1/reports/attribution conversion=${CONVERSION} groupBy=${GROUP_BY} ` +
      `from=${REPORT_FROM.slice(0, 10)} to=${DATA_TO.slice(0, 10)} lookbackDays=90 (ms)`,
  )
  const failed = (run: ReportRun) => (run.ok ? '' : `failed after ${seconds(run.ms)}`)
  table([
    [
      'model',
      'cold (after a restart)',
      'warm median',
      `warm p95 (${WARM_RUNS})`,
      'conversions',
      'rows',
    ],
    ...result.timings.map(({ model, cold, warm, warmFailures }) => {
      if (!cold.ok) return [model, failed(cold), '', '', '', '']
      const note = warmFailures > 0 ? ` (${warmFailures} failed)` : ''
      return [
        model,
        fmt(cold.ms),
        fmt(percentile(warm, 0.5)),
        `${fmt(percentile(warm, 0.95))}${note}`,
        fmt(cold.conversions, 2),
        String(cold.rows),
      ]
    }),
  ])
  for (const { model, cold } of result.timings) {
    if (!cold.ok) console.log(`  ${model} failed: ${cold.error}`)
  }
  const { allModelsCold: cold, allModelsWarm: warm } = result
  const failures = (run: { failures: number }) => (run.failures ? ` (${run.failures} failed)` : '')
  console.log(
    cold && warm
      ? `all ${SELECTED_MODELS.length} models back-to-back: ${fmt(cold.ms)} ms on a fresh collector` +
          `${failures(cold)}, ${fmt(warm.ms)} ms warm${failures(warm)} ` +
          `(collector start: ${fmt(result.startMs)} ms)`
      : 'all models back-to-back: skipped, no report answered',
  )
  console.log(
    `\nPOST /v1/batch (${EVENTS_PER_BATCH} events) at ${RATE}/s for ${INGEST_SECONDS} s; ` +
      'latency from the scheduled send (ms)',
  )
  const row = (name: string, r: IngestResult) => [
    name,
    fmt(r.batches),
    fmt(r.p50, 1),
    fmt(r.p95, 1),
    fmt(r.p99, 1),
    fmt(r.max, 1),
    String(r.errors),
  ]
  const withReports = (name: string, r: IngestResult) =>
    row(
      `${name} (${r.reports} reports${r.reportFailures ? `, ${r.reportFailures} failed` : ''})`,
      r,
    )
  const warmLoop = result.ingestWithWarmReports
  table([
    ['ingestion', 'batches', 'p50', 'p95', 'p99', 'max', 'errors'],
    row('alone', result.ingestAlone),
    ...(warmLoop ? [withReports('while warm reports loop', warmLoop)] : []),
    withReports('while a cold report runs', result.ingestWithColdReport),
  ])
}

/** The figures issue 14 sets targets for, per size, beside the targets. */
function printTargets(results: readonly SizeResult[]): void {
  const RULE = MODELS.filter((model) => model !== 'markov' && model !== 'shapley')
  const median = (timing: ModelTiming) => percentile(timing.warm, 0.5)
  const worst = (r: SizeResult, models: readonly string[]) =>
    Math.max(...r.timings.filter((t) => models.includes(t.model) && t.cold.ok).map(median))
  const restart = (r: SizeResult) =>
    percentile(
      r.timings.flatMap((t) => (t.cold.ok ? [t.cold.ms] : [])),
      0.5,
    )
  const cell = (value: string, target: string, met: boolean) =>
    `${value} (${target}: ${met ? 'met' : 'not met'})`
  const at = (size: number, targets: readonly number[]) =>
    targets[size >= 30_000_000 ? 2 : size >= 10_000_000 ? 1 : 0] as number
  const base = results.find((r) => r.size === 1_000_000)
  console.log('\nissue 14 targets (this run)')
  table([
    ['', ...results.map((r) => `${fmt(r.size / 1e6)}M`)],
    [
      'first report after restart (median of models)',
      ...results.map((r) => {
        const target = at(r.size, [1_000, 5_000, 15_000])
        return cell(seconds(restart(r)), `≤ ${seconds(target)}`, restart(r) <= target)
      }),
    ],
    [
      'collector RSS, warm',
      ...results.map((r) => {
        const target = at(r.size, [300e6, 1e9, 3e9])
        return cell(
          `${fmt(r.rss.warm / 1e6)} MB`,
          `≤ ${fmt(target / 1e6)} MB`,
          r.rss.warm <= target,
        )
      }),
    ],
    [
      'database bytes per event',
      ...results.map((r) => {
        const perEvent = r.derivedBytes / r.db.summary.events
        return cell(`${fmt(perEvent)} B`, '≤ 400 B', perEvent <= 400)
      }),
    ],
    [
      'warm rule models, slowest median',
      ...results.map((r) => {
        const ms = worst(r, RULE)
        const target = r === base || !base ? 30 : worst(base, RULE) * at(r.size, [1, 10, 30])
        return cell(`${fmt(ms)} ms`, `≤ ${fmt(target)} ms`, ms <= target)
      }),
    ],
    [
      'warm markov/shapley, slowest median',
      ...results.map((r) => {
        const ms = worst(r, ['markov', 'shapley'])
        const target =
          r === base || !base ? 100 : worst(base, ['markov', 'shapley']) * at(r.size, [1, 10, 30])
        return cell(`${fmt(ms)} ms`, `≤ ${fmt(target)} ms`, ms <= target)
      }),
    ],
    [
      'ingest p99 while a restart loads',
      ...results.map((r) => {
        const p99 = r.ingestWithColdReport.p99
        return cell(`${fmt(p99, 1)} ms`, '≤ 50 ms', p99 <= 50)
      }),
    ],
  ])
  console.log(
    'ingest events/s is measured by the ingest benchmark (pnpm bench), in the same run as its storage ceiling',
  )
}

async function main(): Promise<void> {
  console.log(
    `Touchline report benchmark: node ${process.version}, ${cpus().length} CPUs, ` +
      `models: ${SELECTED_MODELS.join(', ')}`,
  )
  const results: SizeResult[] = []
  for (const size of SIZES) {
    if (flags['build-only']) {
      const { path, summary, buildMs } = await database(size)
      console.log(`${path}: ${fmt(summary.events)} events, built in ${seconds(buildMs)}`)
    } else {
      const result = await benchSize(size)
      print(result)
      results.push(result)
      if (flags.postgres) {
        const availability = postgresAvailability()
        if (!availability.ok) throw new Error(`--postgres: ${availability.why}`)
        const onPostgres = await benchSize(size, 'PostgreSQL')
        print(onPostgres)
        printRatios(result, onPostgres)
      }
    }
  }
  if (results.length > 0) printTargets(results)
}

/** PostgreSQL's figures against SQLite's of the same size, in this run. */
function printRatios(sqlite: SizeResult, postgresResult: SizeResult): void {
  const median = (result: SizeResult, pick: (timing: ModelTiming) => number) =>
    percentile(result.timings.filter((timing) => timing.cold.ok).map(pick), 0.5)
  const cold = (result: SizeResult) => median(result, (timing) => timing.cold.ms)
  const warm = (result: SizeResult) => median(result, (timing) => percentile(timing.warm, 0.5))
  const perEvent = (result: SizeResult) => result.derivedBytes / result.db.summary.events
  const p99 = (result: SizeResult) => result.ingestWithColdReport.p99
  const rows: [string, number, number, (n: number) => string][] = [
    [
      'build (events/s)',
      sqlite.db.summary.events / sqlite.db.buildMs,
      postgresResult.db.summary.events / postgresResult.db.buildMs,
      (n) => fmt(n * 1000),
    ],
    [
      'first start on raw events',
      sqlite.firstDerivation.ms,
      postgresResult.firstDerivation.ms,
      (n) => seconds(n),
    ],
    [
      'first report after a restart (median of models)',
      cold(sqlite),
      cold(postgresResult),
      (n) => seconds(n),
    ],
    ['warm report (median of models)', warm(sqlite), warm(postgresResult), (n) => `${fmt(n)} ms`],
    ['collector RSS, warm', sqlite.rss.warm, postgresResult.rss.warm, (n) => `${fmt(n / 1e6)} MB`],
    ['database bytes per event', perEvent(sqlite), perEvent(postgresResult), (n) => `${fmt(n)} B`],
    [
      'ingest p99 while a restart loads',
      p99(sqlite),
      p99(postgresResult),
      (n) => `${fmt(n, 1)} ms`,
    ],
  ]
  console.log(`\nPostgreSQL against SQLite, ${fmt(sqlite.size)} events, this run`)
  table([
    ['', 'SQLite', 'PostgreSQL', 'PostgreSQL / SQLite'],
    ...rows.map(([name, a, b, show]) => [
      name,
      show(a),
      show(b),
      a > 0 ? `${fmt((100 * b) / a)} %` : 'n/a',
    ]),
  ])
}

if (!PRODUCER) {
  main()
    .catch((error: unknown) => {
      console.error(error)
      process.exitCode = 1
    })
    .finally(cleanUp)
} else {
  await produceRows(JSON.parse(PRODUCER) as ProducerData)
}
