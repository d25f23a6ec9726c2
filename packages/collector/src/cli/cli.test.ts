import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { hashSecretKey } from '../auth/keys'
import { SqliteStore } from '../store/sqlite/sqlite-store'

const CLI = fileURLToPath(new URL('./main.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'touchline-cli-'))
const db = join(dir, 'nested', 'touchline.db')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const touchline = async (...args: string[]) => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args])
  return stdout
}

describe('touchline project', () => {
  it('creates a project, prints its keys once, and lists it without the secret', async () => {
    const created = await touchline(
      'project',
      'create',
      '--name',
      'Marketing site',
      '--origin',
      'https://www.acme.test',
      '--db',
      db,
    )
    const writeKey = /write key:\s+(wk_\S+)/.exec(created)?.[1]
    const secretKey = /secret key:\s+(sk_\S+)/.exec(created)?.[1]
    expect(writeKey).toMatch(/^wk_[\w-]{24}$/)
    expect(secretKey).toMatch(/^sk_[\w-]{32}$/)

    const listed = JSON.parse(await touchline('project', 'list', '--json', '--db', db))
    expect(listed).toEqual([
      {
        id: expect.stringMatching(/^prj_/),
        name: 'Marketing site',
        writeKey,
        settings: {
          allowedOrigins: ['https://www.acme.test'],
          ownDomains: [],
          sessionTimeoutMinutes: 30,
          lookbackDays: 90,
        },
        createdAt: expect.any(Number),
      },
    ])
    expect(JSON.stringify(listed)).not.toContain(secretKey)

    // The secret key is stored only as its hash, and that hash finds the project.
    const store = new SqliteStore(db)
    const found = await store.findProjectBySecretHash(await hashSecretKey(secretKey as string))
    expect(found?.name).toBe('Marketing site')
    expect(JSON.stringify(store.db.prepare('SELECT * FROM projects').all())).not.toContain(
      secretKey,
    )
    await store.close()
  })
})
