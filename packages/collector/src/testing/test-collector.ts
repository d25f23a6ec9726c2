import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { type SpawnedServer, spawnCollector } from './spawn-server'

/**
 * A real collector for the tests of one file: a child process over a temporary database
 * with these keys, started before the tests and stopped (its database removed) after them.
 * Returns the running server, for use inside tests and later hooks, and its database file.
 */
export function useTestCollector(keys: {
  writeKey: string
  secretKey: string
}): (() => SpawnedServer) & { dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'touchline-test-'))
  const dbPath = join(dir, 'touchline.db')
  let server: SpawnedServer | undefined
  beforeAll(async () => {
    server = await spawnCollector({
      TOUCHLINE_DB: dbPath,
      TOUCHLINE_WRITE_KEY: keys.writeKey,
      TOUCHLINE_SECRET_KEY: keys.secretKey,
    })
  })
  afterAll(async () => {
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const running = () => {
    if (!server) throw new Error('the test collector is not running (used outside a test?)')
    return server
  }
  return Object.assign(running, { dbPath })
}
