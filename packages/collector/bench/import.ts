/**
 * Import benchmark: `pnpm exec tsx packages/collector/bench/import.ts` (from the root).
 *
 * Writes a CSV of IMPORT_ROWS rows (default 1,000,000: offline touches, page visits, mql and
 * closed_won stages, one broken line in IMPORT_BROKEN_EVERY, default 1,000), starts the real
 * collector (`touchline serve`, a child process, temporary database), runs the real CLI
 * (`touchline import`, another child process) twice — the import, then the same file again,
 * which must store nothing new — and prints rows/s, MB/s and the importer's peak memory.
 * Afterwards the database must hold exactly the good rows.
 *
 * Env: IMPORT_ROWS, IMPORT_BROKEN_EVERY, TOUCHLINE_SYNCHRONOUS (FULL, the default, or
 * NORMAL), BENCH_KEEP=1 (keep the temporary folder).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { writeFixtureCsv } from '../src/cli/import/fixtures'
import { COLLECTOR_CLI, type SpawnedServer, spawnCollector } from '../src/testing/spawn-server'

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`)
  }
  return value
}

const ROWS = envNumber('IMPORT_ROWS', 1_000_000, 1)
const BROKEN_EVERY = envNumber('IMPORT_BROKEN_EVERY', 1_000, 0)
const SYNCHRONOUS =
  process.env.TOUCHLINE_SYNCHRONOUS?.toUpperCase() === 'NORMAL' ? 'NORMAL' : 'FULL'
const KEEP = process.env.BENCH_KEEP === '1'
const SECRET_KEY = 'sk_bench_import_0123456789abcdef'

const dir = mkdtempSync(join(tmpdir(), 'touchline-bench-import-'))
let collector: SpawnedServer | undefined
process.on('exit', () => {
  collector?.child.kill('SIGKILL')
  if (!KEEP) rmSync(dir, { recursive: true, force: true })
})

interface ImportRun {
  seconds: number
  code: number | null
  summary: string
  badLines: number
  /** Peak resident memory of the importer (Linux: VmHWM), MB. */
  peakMb: number | undefined
}

/** Runs `touchline import` as a child process, counting the bad lines it reports. */
function runImport(path: string, url: string): Promise<ImportRun> {
  const started = performance.now()
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', COLLECTOR_CLI, 'import', path, '--url', url, '--key', SECRET_KEY],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let summary = ''
  let badLines = 0
  let partial = ''
  child.stdout.on('data', (chunk: Buffer) => {
    summary += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString()
    const lines = text.split('\n')
    partial = lines.pop() ?? ''
    badLines += lines.filter((line) => line.startsWith('line ')).length
  })
  let peakKb: number | undefined
  const sample = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const hwm = /VmHWM:\s+(\d+)/.exec(status)?.[1]
      if (hwm) peakKb = Math.max(peakKb ?? 0, Number(hwm))
    } catch {
      // Not Linux, or the child has just exited.
    }
  }, 200)
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearInterval(sample)
      resolve({
        seconds: (performance.now() - started) / 1_000,
        code,
        summary: summary.trim(),
        badLines,
        peakMb: peakKb === undefined ? undefined : peakKb / 1_024,
      })
    })
  })
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

async function main(): Promise<void> {
  console.log(
    `Import benchmark: ${fmt(ROWS)} rows, 1 broken in ${BROKEN_EVERY || '∞'}, synchronous=${SYNCHRONOUS}, ${cpus().length} CPUs`,
  )
  const csv = join(dir, 'import.csv')
  const generating = performance.now()
  const fixture = await writeFixtureCsv(csv, ROWS, BROKEN_EVERY)
  const megabytes = statSync(csv).size / 1_048_576
  console.log(
    `generated ${fmt(megabytes, 1)} MB in ${fmt((performance.now() - generating) / 1_000, 1)} s`,
  )

  const dbPath = join(dir, 'touchline.db')
  collector = await spawnCollector({
    TOUCHLINE_DB: dbPath,
    TOUCHLINE_SECRET_KEY: SECRET_KEY,
    TOUCHLINE_SYNCHRONOUS: SYNCHRONOUS,
  })
  const first = await runImport(csv, collector.url)
  const again = await runImport(csv, collector.url)
  await collector.stop()
  collector = undefined

  const db = new Database(dbPath, { readonly: true })
  const stored = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n
  db.close()

  const good = ROWS - fixture.broken.length
  const row = (name: string, run: ImportRun) =>
    `${name.padEnd(10)} ${fmt(run.seconds, 1).padStart(7)} s ${fmt(ROWS / run.seconds).padStart(9)} rows/s ${fmt(megabytes / run.seconds, 1).padStart(6)} MB/s   peak ${run.peakMb === undefined ? '?' : `${fmt(run.peakMb)} MB`}`
  console.log(row('import', first))
  console.log(row('re-import', again))
  console.log(`  ${first.summary}\n  ${again.summary}`)
  console.log(`stored ${fmt(stored)} events (expected ${fmt(good)})`)

  const problems = [
    ...(stored !== good ? [`stored ${stored} events, expected ${good}`] : []),
    ...[first, again].flatMap((run, i) => [
      ...(run.badLines !== fixture.broken.length
        ? [`run ${i + 1} reported ${run.badLines} bad lines, expected ${fixture.broken.length}`]
        : []),
      ...(run.code !== (fixture.broken.length > 0 ? 1 : 0)
        ? [`run ${i + 1} exited ${run.code}`]
        : []),
    ]),
  ]
  for (const problem of problems) console.error(`WARNING: ${problem}`)
  if (problems.length > 0) process.exitCode = 1
}

await main()
