import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/*
 * A real PostgreSQL for tests: a cluster of its own in a temporary folder, on a loopback
 * port, started once per test run (`postgres-setup.ts`, vitest's global setup) and stopped
 * at its end; each store a test makes gets a new schema in it. The server comes
 * from the machine (Debian: `apt-get install -y postgresql`, binaries under
 * /usr/lib/postgresql/<version>/bin), or `TOUCHLINE_TEST_POSTGRES_URL` names one to use
 * instead. Without either, PostgreSQL tests are skipped with a message saying how to enable
 * them — except in CI (`CI=true`), where their absence fails the run.
 */

/** The newest installed server's bin folder, if any. */
function binFolder(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

/** How PostgreSQL tests can run here; a reason when they cannot. */
export function postgresAvailability(): { ok: true } | { ok: false; why: string } {
  if (process.env.TOUCHLINE_TEST_POSTGRES_URL || binFolder()) return { ok: true }
  return {
    ok: false,
    why:
      'PostgreSQL tests skipped: no server found. Install one (Debian: apt-get install -y postgresql) ' +
      'or set TOUCHLINE_TEST_POSTGRES_URL=postgres://user:pass@127.0.0.1:5432/db to a database they may use.',
  }
}

/**
 * Whether to run the PostgreSQL tests of a file: true when a server is available; else
 * false with the reason told once, or, in CI, an error (CI must run them).
 */
export function runPostgresTests(): boolean {
  const availability = postgresAvailability()
  if (availability.ok) return true
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${availability.why} CI runs them: install PostgreSQL on the CI machine.`)
  }
  console.warn(availability.why)
  return false
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Starts a cluster of its own in a temporary folder (the test run's global setup does, once);
 * `stop` stops it and removes the folder.
 */
export async function startPostgresCluster(): Promise<{ url: string; stop: () => void }> {
  const bin = binFolder()
  if (!bin) throw new Error('no PostgreSQL server installed')
  const dir = mkdtempSync(join(tmpdir(), 'touchline-pg-'))
  // initdb refuses to run as root: the cluster belongs to the postgres user then.
  const asRoot = process.getuid?.() === 0
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], {
          stdio: 'pipe',
        })
      : execFileSync(join(bin, command), args, { stdio: 'pipe' })
  const data = join(dir, 'data')
  chmodSync(dir, 0o777)
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions'])
  const port = await freePort()
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    '-w',
    'start',
  ])
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true })
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop }
}

/** The test server's URL: the run's own cluster (global setup) or the one given. */
function testPostgresUrl(): string {
  const url = process.env.TOUCHLINE_TEST_POSTGRES_URL
  if (!url) throw new Error('no test PostgreSQL: runPostgresTests() says why')
  return url
}

let schemas = 0

/**
 * A new, empty schema in the test server, as a URL whose connections use it: each store a
 * test makes starts from nothing, without a database of its own.
 */
export async function freshPostgresUrl(): Promise<string> {
  const base = testPostgresUrl()
  const schema = `t_${process.pid}_${++schemas}`
  await postgresQuery(base, `CREATE SCHEMA ${schema}`)
  const url = new URL(base)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}

/** One statement on its own connection (setting up or reading a test or bench database). */
export async function postgresQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(sql)).rows
  } finally {
    await client.end()
  }
}

/** A new, empty database `name` on the server of `serverUrl`, as a URL. */
export async function createPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  await postgresQuery(serverUrl, `CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}
