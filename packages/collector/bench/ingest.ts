/**
 * Ingestion benchmark: `pnpm bench` (from the repository root).
 *
 * Measures, in one run, and prints side by side:
 *  1. the real collector (the CLI's `serve`, in a child process) under autocannon, with
 *     `synchronous=FULL` (the default) and `NORMAL`, and on PostgreSQL (a cluster of the
 *     benchmark's own, when a server is installed: testing/postgres.ts);
 *  2. the storage ceiling: in-process better-sqlite3, same schema and pragmas, doing what
 *     the collector does per batch (JSON.parse, validate, map, one transaction of 20 rows);
 *  3. the HTTP ceiling: a bare Hono server (bare-server.ts) that only parses the JSON body.
 * The collector runs are checked afterwards: every 2xx batch must be in the database.
 *
 * `pnpm bench:ingest --baseline <git ref> [--rounds n]` then also measures the collector
 * (FULL) at that commit (checked out by baseline.ts) and the working tree's again, in ABBA
 * order over n rounds (default 2), and prints the medians and their ratio: issue 14's
 * "ingest events/s ≥ 90 % of today's", measured in one run.
 *
 * Env: BENCH_SECONDS (measured seconds per target, default 10), BENCH_WARMUP_SECONDS
 * (default 2), BENCH_CONNECTIONS (default 50), BENCH_CPU_PROF=<dir> (V8 CPU profiles of
 * the collector children, in <dir>/collector-full and -normal, with --baseline also
 * collector-currentfull<round> and -baselinefull<round>; the main thread's profile is the
 * largest file), BENCH_KEEP=1 (keep the temporary databases).
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseBatchEnvelope, parseEvent } from '@touchline/shared/schema'
import autocannon, { type Result } from 'autocannon'
import Database from 'better-sqlite3'
import { toEventRow } from '../src/ingest/normalise'
import { eventParams, INSERT_EVENT_SQL, openDatabase } from '../src/store/sqlite/sqlite-store'
import type { EventRow } from '../src/store/store'
import {
  createPostgresDatabase,
  postgresAvailability,
  postgresQuery,
  startPostgresCluster,
} from '../src/testing/postgres'
import { COLLECTOR_CLI, type SpawnedServer, spawnServer } from '../src/testing/spawn-server'
import { type BaselineCheckout, checkOutBaseline, describeHead, resolveCommit } from './baseline'
import { batchFactory, batchOf, EVENTS_PER_BATCH } from './events'

// ---------------------------------------------------------------------------------------
// Settings

const USAGE = 'usage: pnpm bench:ingest [--baseline <git ref> [--rounds <n>]]'

function usageError(message: string): never {
  console.error(`bench:ingest: ${message}\n${USAGE}`)
  process.exit(2)
}

function readFlags(args: string[]): { baseline: string | undefined; rounds: number } {
  let values: { baseline?: string | undefined; rounds?: string | undefined; help?: boolean }
  try {
    ;({ values } = parseArgs({
      // `pnpm bench:ingest -- --baseline x` hands the `--` on.
      args: args[0] === '--' ? args.slice(1) : args,
      options: {
        baseline: { type: 'string' },
        rounds: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    usageError((error as Error).message)
  }
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const baseline = values.baseline?.trim()
  if (baseline === '') usageError('--baseline needs a git ref (a commit, tag or branch)')
  if (values.rounds !== undefined && baseline === undefined) {
    usageError('--rounds goes with --baseline')
  }
  const rounds = values.rounds === undefined ? 2 : Number(values.rounds)
  if (!Number.isInteger(rounds) || rounds < 1) {
    usageError(`--rounds must be a whole number ≥ 1, got "${values.rounds}"`)
  }
  return { baseline, rounds }
}

const FLAGS = readFlags(process.argv.slice(2))

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`)
  }
  return value
}

const SECONDS = envNumber('BENCH_SECONDS', 10, 1)
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2, 0)
const CONNECTIONS = Math.round(envNumber('BENCH_CONNECTIONS', 50, 1))
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
const KEEP = process.env.BENCH_KEEP === '1'

const WRITE_KEY = 'wk_bench_0123456789abcdef'
const SECRET_KEY = 'sk_bench_0123456789abcdef0123456789'
const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
/** What a browser on the tracked site sends along with a batch. */
const HEADERS: Record<string, string> = {
  'Content-Type': 'text/plain;charset=UTF-8',
  Authorization: `Bearer ${WRITE_KEY}`,
  'User-Agent': CHROME_UA,
  Origin: 'https://www.example-shop.com',
  Referer: 'https://www.example-shop.com/',
  Accept: '*/*',
  'Accept-Language': 'en-GB,en;q=0.9',
}

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const COLLECTOR_DIR = resolve(BENCH_DIR, '..')
const REPO_ROOT = resolve(COLLECTOR_DIR, '../..')
const BARE_SERVER = join(BENCH_DIR, 'bare-server.ts')

// ---------------------------------------------------------------------------------------
// Child processes: always killed, whatever happens to the benchmark.

const children = new Set<ChildProcess>()
let workDir: string | undefined
let baselineCheckout: BaselineCheckout | undefined
let postgres: { url: string; stop: () => void } | undefined

function cleanUp(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
  postgres?.stop()
  postgres = undefined
  if (workDir && !KEEP) rmSync(workDir, { recursive: true, force: true })
  workDir = undefined
  // After the servers, one of which ran from it.
  baselineCheckout?.remove()
  baselineCheckout = undefined
}
process.on('exit', cleanUp)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers…`)
    cleanUp()
    process.exit(130)
  })
}

/** Starts a server child, tracked so it is killed whatever happens to the benchmark. */
async function startServer(
  name: string,
  script: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  args: string[] = [],
  cwd = REPO_ROOT,
): Promise<SpawnedServer & { name: string }> {
  const server = await spawnServer({ name, script, args, env, nodeArgs, cwd })
  children.add(server.child)
  server.child.once('exit', () => children.delete(server.child))
  return { ...server, name }
}

// ---------------------------------------------------------------------------------------
// Load

interface LoadResult {
  name: string
  eventsPerSecond: number
  p50: number
  p99: number
  responses2xx: number
  non2xx: number
  errors: number
  seconds: number
  note: string
}

/** Batch sequence numbers the server answered with a 2xx, over warm-up and measured runs. */
type Acknowledged = Set<number>

async function load(
  url: string,
  next: ReturnType<typeof batchFactory>,
  acknowledged: Acknowledged,
  seconds: number,
): Promise<Result> {
  return autocannon({
    url: `${url}/v1/batch`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    headers: HEADERS,
    requests: [
      {
        // A fresh body, with unique message IDs, for every request.
        setupRequest: (request, context) => {
          const batch = next()
          context.seq = batch.seq
          request.body = batch.body
          return request
        },
        onResponse: (status, _body, context) => {
          if (status >= 200 && status < 300) acknowledged.add(context.seq as number)
        },
      },
    ],
  })
}

async function loadTarget(
  name: string,
  server: SpawnedServer,
  tag: string,
): Promise<{ result: LoadResult; acknowledged: Acknowledged; attempted: () => number }> {
  const next = batchFactory(tag)
  let made = 0
  const counted = () => {
    made++
    return next()
  }
  const acknowledged: Acknowledged = new Set()
  if (WARMUP_SECONDS > 0) await load(server.url, counted, acknowledged, WARMUP_SECONDS)
  const run = await load(server.url, counted, acknowledged, SECONDS)
  const result: LoadResult = {
    name,
    eventsPerSecond: (run['2xx'] * EVENTS_PER_BATCH) / run.duration,
    p50: run.latency.p50,
    p99: run.latency.p99,
    responses2xx: run['2xx'],
    non2xx: run.non2xx,
    errors: run.errors,
    seconds: run.duration,
    note: `${run['2xx'].toLocaleString('en-US')} × 2xx`,
  }
  if (run.non2xx > 0 || run.errors > 0) {
    const codes = Object.entries(run.statusCodeStats)
      .map(([code, { count }]) => `${code}: ${count}`)
      .join(', ')
    result.note += `; non-2xx ${run.non2xx} (${codes}), errors ${run.errors} (timeouts ${run.timeouts})`
  }
  return { result, acknowledged, attempted: () => made }
}

// ---------------------------------------------------------------------------------------
// Targets

const problems: string[] = []

/** A collector to measure: its CLI entry point (run from source with tsx) and where it runs. */
interface CollectorCheckout {
  /** Names its rows: `<label> (FULL)`. */
  label: string
  /** Alphanumeric, unique per checkout: names its databases, profiles and batch tags. */
  key: string
  cliPath: string
  cwd: string
}

const CURRENT: CollectorCheckout = {
  label: 'collector',
  key: '',
  cliPath: COLLECTOR_CLI,
  cwd: REPO_ROOT,
}

/** What the collector stores in: SQLite with either `synchronous`, or PostgreSQL. */
type Engine = 'FULL' | 'NORMAL' | 'PostgreSQL'

async function benchCollector(
  synchronous: Engine,
  checkout: CollectorCheckout = CURRENT,
  round?: number,
): Promise<LoadResult> {
  const dir = workDir as string
  const key = `${checkout.key}${synchronous.toLowerCase()}${round ?? ''}`
  const dbPath =
    synchronous === 'PostgreSQL' ? await postgresDatabase(key) : join(dir, `collector-${key}.db`)
  const tag = `c${key}`
  // One folder per run: node writes one profile per thread (tsx's loader has its own).
  const nodeArgs = CPU_PROF_DIR
    ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF_DIR, `collector-${key}`)]
    : []
  const name = `${checkout.label} (${synchronous})${round ? `, round ${round}` : ''}`
  const server = await startServer(
    name,
    checkout.cliPath,
    {
      TOUCHLINE_DB: dbPath,
      TOUCHLINE_WRITE_KEY: WRITE_KEY,
      TOUCHLINE_SECRET_KEY: SECRET_KEY,
      ...(synchronous === 'PostgreSQL' ? {} : { TOUCHLINE_SYNCHRONOUS: synchronous }),
      TOUCHLINE_RATE_LIMIT: '0', // one load generator, one address
    },
    nodeArgs,
    ['serve'],
    checkout.cwd,
  )
  let outcome: Awaited<ReturnType<typeof loadTarget>>
  try {
    outcome = await loadTarget(name, server, tag)
  } finally {
    await server.stop()
  }
  const { result, acknowledged } = outcome
  if (result.responses2xx === 0) problems.push(`${name}: no 2xx response at all.`)
  if (result.non2xx > 0 || result.errors > 0) problems.push(`${name}: ${result.note}`)
  const log = server.output().trim()
  if (log) console.error(`${name} stderr (last lines):\n${log.slice(-2_000)}`)
  verifyStored(name, await storedMessageIds(dbPath), tag, acknowledged, outcome.attempted())
  return result
}

/** A database of its own in the benchmark's PostgreSQL cluster, as a URL. */
const postgresDatabase = (key: string) =>
  createPostgresDatabase((postgres as NonNullable<typeof postgres>).url, `bench_${key}`)

/** Every stored event's messageId, read from the database after the collector exited. */
async function storedMessageIds(db: string): Promise<string[]> {
  if (db.startsWith('postgres://')) {
    const rows = await postgresQuery<{ id: string }>(db, 'SELECT message_id AS id FROM events')
    return rows.map((row) => row.id)
  }
  const sqlite = new Database(db, { readonly: true, fileMustExist: true })
  try {
    return sqlite.prepare('SELECT message_id FROM events').pluck().all() as string[]
  } finally {
    sqlite.close()
  }
}

/**
 * The database after the collector exited: every acknowledged batch must be there in full
 * (20 × 2xx events). Batches in flight when autocannon hung up were never answered but may
 * have been written: counted apart, each must be whole, and they cannot exceed what was sent.
 */
function verifyStored(
  name: string,
  messageIds: readonly string[],
  tag: string,
  acknowledged: Acknowledged,
  attempted: number,
): void {
  const perBatch = new Map<number, number>()
  let total = 0
  let foreign = 0
  for (const messageId of messageIds) {
    total++
    const batch = batchOf(messageId)
    if (!batch || batch.tag !== tag) {
      foreign++
      continue
    }
    perBatch.set(batch.seq, (perBatch.get(batch.seq) ?? 0) + 1)
  }
  let storedAcknowledged = 0
  let incomplete = 0
  for (const seq of acknowledged) {
    const count = perBatch.get(seq) ?? 0
    storedAcknowledged += count
    if (count !== EVENTS_PER_BATCH) incomplete++
  }
  let unansweredBatches = 0
  let unansweredEvents = 0
  let partial = 0
  for (const [seq, count] of perBatch) {
    if (acknowledged.has(seq)) continue
    unansweredBatches++
    unansweredEvents += count
    if (count !== EVENTS_PER_BATCH) partial++
  }
  const expected = EVENTS_PER_BATCH * acknowledged.size
  const fmt = (n: number) => n.toLocaleString('en-US')
  const ok =
    storedAcknowledged === expected &&
    incomplete === 0 &&
    partial === 0 &&
    foreign === 0 &&
    acknowledged.size + unansweredBatches <= attempted
  const line =
    `${name}: ${fmt(total)} events stored; ${fmt(storedAcknowledged)} of them from 2xx batches ` +
    `= ${EVENTS_PER_BATCH} × ${fmt(acknowledged.size)} 2xx responses (warm-up + measured)` +
    (unansweredBatches
      ? `; + ${fmt(unansweredEvents)} events of ${unansweredBatches} batches in flight when the load stopped`
      : '')
  if (ok) {
    console.log(`  verified  ${line}`)
    return
  }
  const detail =
    `expected ${fmt(expected)} events from 2xx batches, found ${fmt(storedAcknowledged)}; ` +
    `${incomplete} acknowledged batches incomplete, ${partial} unanswered batches partial, ` +
    `${foreign} rows not from this run, ${fmt(acknowledged.size + unansweredBatches)} batches ` +
    `seen for ${fmt(attempted)} sent`
  console.error(`\n!!!!!!!!!! STORED EVENTS DO NOT MATCH !!!!!!!!!!\n  ${line}\n  ${detail}\n`)
  problems.push(`${name}: stored events do not match the 2xx responses (${detail}).`)
}

async function benchBare(): Promise<LoadResult> {
  const name = 'bare Hono (HTTP ceiling)'
  const server = await startServer(name, BARE_SERVER)
  try {
    const { result } = await loadTarget(name, server, 'bare')
    if (result.responses2xx === 0) problems.push(`${name}: no 2xx response at all.`)
    if (result.non2xx > 0 || result.errors > 0) problems.push(`${name}: ${result.note}`)
    return result
  } finally {
    await server.stop()
  }
}

interface StorageResult {
  name: string
  eventsPerSecond: number
  /** Per batch (parse, validate, map, one 20-row transaction), ms. */
  p50: number
  p99: number
  note: string
}

/**
 * better-sqlite3 alone, in this process: per batch, what the collector does to a body
 * (JSON.parse, envelope and event validation, mapping to rows) and one transaction of its
 * 20 rows with the store's own statement. Only that work is timed, not making the bodies.
 */
function benchStorage(synchronous: 'FULL' | 'NORMAL'): StorageResult {
  const dbPath = join(workDir as string, `storage-${synchronous.toLowerCase()}.db`)
  const db = openDatabase(dbPath)
  if (synchronous === 'NORMAL') db.pragma('synchronous = NORMAL')
  const projectId = 'prj_bench'
  try {
    db.prepare(
      `INSERT INTO projects (id, name, write_key, secret_key_hash, settings, created_at, number)
       VALUES (?, ?, ?, ?, ?, ?, 1)`,
    ).run(projectId, 'Bench', WRITE_KEY, 'f'.repeat(64), '{}', Date.now())
    const insert = db.prepare(INSERT_EVENT_SQL)
    const write = db.transaction((rows: readonly EventRow[]) => {
      let inserted = 0
      for (const row of rows) inserted += insert.run(eventParams(row, 1)).changes
      return inserted
    })
    const next = batchFactory(`s${synchronous.toLowerCase()}`)

    const runFor = (seconds: number) => {
      const times: number[] = []
      let busy = 0
      let events = 0
      const end = performance.now() + seconds * 1000
      while (performance.now() < end) {
        const { body } = next()
        const start = performance.now()
        const envelope = parseBatchEnvelope(JSON.parse(body))
        if (!envelope.ok) throw new Error(envelope.error)
        const receivedAt = Date.now()
        const { sentAt } = envelope.value
        const rows = envelope.value.batch.map((raw) => {
          const parsed = parseEvent(raw)
          if (!parsed.ok) throw new Error(parsed.error)
          return toEventRow(parsed.value, { projectId, receivedAt, trusted: false, sentAt })
        })
        events += write(rows)
        const elapsed = performance.now() - start
        busy += elapsed
        times.push(elapsed)
      }
      return { times, busy, events }
    }

    runFor(Math.min(1, WARMUP_SECONDS))
    const { times, busy, events } = runFor(SECONDS)
    const stored = db.prepare('SELECT count(*) FROM events').pluck().get() as number
    times.sort((a, b) => a - b)
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0
    return {
      name: `storage ceiling (${synchronous})`,
      eventsPerSecond: events / (busy / 1000),
      p50: at(0.5),
      p99: at(0.99),
      note: `${times.length.toLocaleString('en-US')} batch txns, ${stored.toLocaleString('en-US')} rows in db`,
    }
  } finally {
    db.close()
  }
}

// ---------------------------------------------------------------------------------------
// Against a baseline

interface Comparison {
  baseline: BaselineCheckout
  currentName: string
  rounds: number
  current: LoadResult[]
  previous: LoadResult[]
}

/**
 * The working tree's collector and the baseline's (FULL), alternating ABBA: odd rounds the
 * working tree first, even rounds the baseline first, so that a drift in the machine's load
 * during the run weighs on both alike.
 */
async function compareWithBaseline(
  baseline: BaselineCheckout,
  rounds: number,
): Promise<Comparison> {
  const current: CollectorCheckout = { ...CURRENT, label: 'current', key: 'current' }
  const previous: CollectorCheckout = {
    label: `baseline ${baseline.ref}`,
    key: 'baseline',
    cliPath: baseline.cliPath,
    cwd: baseline.dir,
  }
  const comparison: Comparison = {
    baseline,
    currentName: `current (${describeHead(REPO_ROOT)})`,
    rounds,
    current: [],
    previous: [],
  }
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? [current, previous] : [previous, current]
    for (const checkout of order) {
      console.log(`round ${round}/${rounds}: ${checkout.label}, synchronous=FULL…`)
      const result = await benchCollector('FULL', checkout, round)
      ;(checkout === current ? comparison.current : comparison.previous).push(result)
    }
  }
  return comparison
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  if (sorted.length % 2 === 1) return sorted[middle] ?? 0
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

// Issue 14: ingest events/s at least 90 % of the baseline's ("today's").
const TARGET_RATIO = 0.9

function printComparison({ baseline, currentName, rounds, current, previous }: Comparison): void {
  const int = (n: number) => Math.round(n).toLocaleString('en-US')
  const eventsPerSecond = (runs: LoadResult[]) => median(runs.map((r) => r.eventsPerSecond))
  const p99 = (runs: LoadResult[]) => median(runs.map((r) => r.p99))
  const percent = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)} %` : 'n/a')
  const row = (name: string, runs: LoadResult[]) => [
    name,
    int(eventsPerSecond(runs)),
    int(p99(runs)),
    runs.map((r) => int(r.eventsPerSecond)).join(', '),
  ]
  console.log(
    `\nagainst baseline ${baseline.ref} (${baseline.commit.slice(0, 12)}): the collector, ` +
      `synchronous=FULL, ${rounds} round${rounds === 1 ? '' : 's'} in ABBA order`,
  )
  printTable(
    [
      ['collector', 'events/s median', 'p99 ms median', 'events/s by round'],
      row(currentName, current),
      row(`baseline ${baseline.ref}`, previous),
      [
        'current / baseline',
        percent(eventsPerSecond(current), eventsPerSecond(previous)),
        percent(p99(current), p99(previous)),
      ],
    ],
    3,
  )
  const ratio = eventsPerSecond(current) / eventsPerSecond(previous)
  const met = Number.isFinite(ratio) && ratio >= TARGET_RATIO
  console.log(
    `  events/s current / baseline ${percent(eventsPerSecond(current), eventsPerSecond(previous))}` +
      ` ${met ? '≥' : '<'} ${100 * TARGET_RATIO} %: ${met ? 'target met' : 'TARGET NOT MET'}`,
  )
}

// ---------------------------------------------------------------------------------------
// Report

/** Column 0 left-aligned, the next `aligned - 1` right-aligned, any after them as they are. */
function printTable(table: string[][], aligned: number): void {
  const widths = Array.from({ length: aligned }, (_, i) =>
    Math.max(...table.map((row) => (row[i] ?? '').length)),
  )
  const line = (row: string[]) =>
    row
      .map((cell, i) => {
        const width = widths[i]
        if (width === undefined) return cell
        return i === 0 ? cell.padEnd(width) : cell.padStart(width)
      })
      .join('  ')
      .trimEnd()
  console.log('')
  console.log(line(table[0] ?? []))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of table.slice(1)) console.log(line(row))
}

function printReport(
  collector: Record<'FULL' | 'NORMAL', LoadResult> & { PostgreSQL?: LoadResult | undefined },
  storage: Record<'FULL' | 'NORMAL', StorageResult>,
  bare: LoadResult,
): void {
  const rows = [
    collector.FULL,
    collector.NORMAL,
    ...(collector.PostgreSQL ? [collector.PostgreSQL] : []),
    storage.FULL,
    storage.NORMAL,
    bare,
  ]
  const int = (n: number) => Math.round(n).toLocaleString('en-US')
  // autocannon's latencies have a resolution of 1 ms; the storage timings are finer.
  const ms = (n: number, http: boolean) => (http ? n.toFixed(0) : n.toFixed(2))
  const table = [
    ['target', 'events/s', 'p50 ms', 'p99 ms', 'notes'],
    ...rows.map((r) => {
      const http = 'responses2xx' in r
      return [r.name, int(r.eventsPerSecond), ms(r.p50, http), ms(r.p99, http), r.note]
    }),
  ]
  printTable(table, 4)
  console.log('  (HTTP rows: latency per request of 20 events, from autocannon; storage rows:')
  console.log('   time per batch for parse + validate + map + 20-row transaction, in process)')

  const ratio = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(0)} %` : 'n/a')
  console.log('\nratios')
  console.log(
    `  collector / storage ceiling, FULL:   ${ratio(collector.FULL.eventsPerSecond, storage.FULL.eventsPerSecond)}`,
  )
  console.log(
    `  collector / storage ceiling, NORMAL: ${ratio(collector.NORMAL.eventsPerSecond, storage.NORMAL.eventsPerSecond)}`,
  )
  console.log(
    `  collector / HTTP ceiling, FULL:      ${ratio(collector.FULL.eventsPerSecond, bare.eventsPerSecond)}`,
  )
  console.log(
    `  collector / HTTP ceiling, NORMAL:    ${ratio(collector.NORMAL.eventsPerSecond, bare.eventsPerSecond)}`,
  )
  if (collector.PostgreSQL) {
    console.log(
      `  PostgreSQL / SQLite (FULL):          ${ratio(collector.PostgreSQL.eventsPerSecond, collector.FULL.eventsPerSecond)} events/s, p99 ${ratio(collector.PostgreSQL.p99, collector.FULL.p99)}`,
    )
  } else {
    console.log(`  PostgreSQL: not measured (${postgresSkipped})`)
  }
}

let postgresSkipped = ''

async function main(): Promise<void> {
  // These errors say what is wrong (the ref, the install): no stack trace needed.
  const fail = (error: unknown) => {
    console.error(`bench:ingest: ${(error as Error).message}`)
    process.exitCode = 1
  }
  if (FLAGS.baseline) {
    try {
      resolveCommit(FLAGS.baseline, REPO_ROOT) // a wrong ref fails now, not after a minute
    } catch (error) {
      return fail(error)
    }
  }
  workDir = mkdtempSync(join(tmpdir(), 'touchline-bench-'))
  if (CPU_PROF_DIR) mkdirSync(CPU_PROF_DIR, { recursive: true })
  const sample = batchFactory('sample')().body
  console.log(
    `Touchline ingest benchmark: node ${process.version}, ${cpus().length} CPUs, ` +
      `${CONNECTIONS} connections, ${SECONDS} s per target after ${WARMUP_SECONDS} s warm-up, ` +
      `${EVENTS_PER_BATCH} events per /v1/batch (~${Math.round(sample.length / 1024)} KB)` +
      `${KEEP ? `, databases kept in ${workDir}` : ''}`,
  )

  console.log('\nstorage ceiling (in process)…')
  const storage = { FULL: benchStorage('FULL'), NORMAL: benchStorage('NORMAL') }
  // Only now: the storage runs block the event loop, and a Ctrl-C then gets the process
  // killed before it can remove the worktree. Before any collector is measured, so that the
  // install does not load the machine during a measurement.
  if (FLAGS.baseline) {
    try {
      baselineCheckout = await checkOutBaseline(FLAGS.baseline, REPO_ROOT, COLLECTOR_CLI)
    } catch (error) {
      return fail(error)
    }
  }
  console.log('collector, synchronous=FULL…')
  const full = await benchCollector('FULL')
  console.log('collector, synchronous=NORMAL…')
  const normal = await benchCollector('NORMAL')
  const availability = postgresAvailability()
  let onPostgres: LoadResult | undefined
  if (availability.ok && !process.env.TOUCHLINE_TEST_POSTGRES_URL) {
    postgres = await startPostgresCluster()
    console.log('collector, PostgreSQL (a cluster of its own, default settings)…')
    onPostgres = await benchCollector('PostgreSQL')
  } else {
    postgresSkipped = availability.ok ? 'TOUCHLINE_TEST_POSTGRES_URL is set' : availability.why
  }
  console.log('bare Hono server…')
  const bare = await benchBare()

  const comparison = baselineCheckout
    ? await compareWithBaseline(baselineCheckout, FLAGS.rounds)
    : undefined

  printReport({ FULL: full, NORMAL: normal, PostgreSQL: onPostgres }, storage, bare)
  if (comparison) printComparison(comparison)
  if (CPU_PROF_DIR) console.log(`\nCPU profiles of the collector: ${CPU_PROF_DIR}`)
  if (problems.length > 0) {
    console.error('\n!!!!!!!!!! THE RUN IS NOT VALID !!!!!!!!!!')
    for (const problem of problems) console.error(`  - ${problem}`)
    process.exitCode = 1
  }
}

main()
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(cleanUp)
