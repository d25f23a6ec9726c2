import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { describeStore } from '../contract'
import { SqliteStore } from './sqlite-store'

const dir = mkdtempSync(join(tmpdir(), 'touchline-contract-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

describeStore('SQLite, in memory', () => new SqliteStore(':memory:'))
describeStore('SQLite, a database file', () => new SqliteStore(join(dir, `${++files}.db`)))
