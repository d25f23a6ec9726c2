import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { hashSecretKey } from '../auth/keys'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { eventRow } from '../testing/event-row'

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
          accountDomainsExcluded: [],
          channelRules: [],
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

describe('touchline project settings', () => {
  it('sets channel rules from a JSON file, refusing invalid ones with the rule named', async () => {
    const path = join(dir, 'settings.db')
    await touchline('project', 'create', '--name', 'p', '--db', path)
    const rules = join(dir, 'rules.json')
    writeFileSync(rules, JSON.stringify([{ channel: 'Partners', when: { source: '^partner-' } }]))
    const shown = JSON.parse(
      await touchline(
        'project',
        'settings',
        '--channel-rules',
        rules,
        '--lookback-days',
        '30',
        '--db',
        path,
      ),
    )
    expect(shown).toMatchObject({
      lookbackDays: 30,
      channelRules: [{ channel: 'Partners', when: { source: '^partner-' } }],
    })

    writeFileSync(rules, JSON.stringify([{ channel: 'Broken', when: { source: '(acme' } }]))
    const failed = await touchline(
      'project',
      'settings',
      '--channel-rules',
      rules,
      '--db',
      path,
    ).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr).toContain(
      'rule 1 ("Broken"): when.source "(acme" is not a valid regular expression',
    )
  })
})

describe('touchline project settings, on stored sessions', () => {
  it('says when the stored sessions were derived with other settings', async () => {
    const path = join(dir, 'derived.db')
    const store = new SqliteStore(path)
    const project = await store.createProject({ name: 'p', writeKey: 'wk_d', secretKeyHash: 'hd' })
    // What the collector's report worker stores once it has derived the sessions.
    await store.saveDerivation(project.id, {
      replace: 'all',
      devices: [],
      derivation: {
        lastEventId: 0,
        settings: JSON.stringify({ ownDomains: [], timeoutMinutes: 30 }),
      },
      erasures: 0,
    })
    await store.close()
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        CLI,
        'project',
        'settings',
        ...args,
        '--db',
        path,
      ])
    expect((await run()).stderr).toBe('')
    const changed = await run('--session-timeout', '10')
    expect(JSON.parse(changed.stdout)).toMatchObject({ sessionTimeoutMinutes: 10 })
    expect(changed.stderr).toContain(
      'the collector derives them again with these in the background, while reports use the previous ones',
    )
  })
})

describe('touchline person delete', () => {
  it('erases a person by email and prints what it deleted', async () => {
    const path = join(dir, 'erase.db')
    const store = new SqliteStore(path)
    const project = await store.createProject({ name: 'p', writeKey: 'wk_x', secretKeyHash: 'h' })
    const event = (messageId: string, anonymousId: string, email: string) =>
      eventRow(project.id, messageId, {
        type: 'identify',
        event: null,
        anonymousId,
        email,
        timestamp: 1,
      })
    await store.insertEvents([
      event('m1', 'ada-1', 'ada@acme.com'),
      event('m2', 'ada-2', 'ada@acme.com'),
      event('m3', 'bob-1', 'bob@acme.com'),
    ])
    await store.close()

    const out = await touchline('person', 'delete', '--email', 'Ada@Acme.com', '--db', path)
    expect(out).toBe(
      'Erased email:ada@acme.com: 2 events, 2 identity links\n  identifiers: ada-1, ada-2, ada@acme.com\n',
    )
    const after = new SqliteStore(path)
    expect(after.db.prepare('SELECT anonymous_id FROM events').all()).toEqual([
      { anonymous_id: 'bob-1' },
    ])
    await after.close()
  })

  it("names the shared devices it erased only the person's own events on", async () => {
    const path = join(dir, 'erase-shared.db')
    const store = new SqliteStore(path)
    const project = await store.createProject({ name: 'p', writeKey: 'wk_y', secretKeyHash: 'h' })
    const event = (messageId: string, email: string, timestamp: number) =>
      eventRow(project.id, messageId, {
        type: 'identify',
        event: null,
        anonymousId: 'kiosk',
        email,
        timestamp,
      })
    await store.insertEvents([
      event('m1', 'ada@acme.com', 1),
      event('m2', 'bob@acme.com', 86_400_000),
    ])
    await store.close()

    const out = await touchline('person', 'delete', '--email', 'ada@acme.com', '--db', path)
    expect(out).toBe(
      'Erased email:ada@acme.com: 1 events, 1 identity links\n  identifiers: ada@acme.com\n  shared devices (only their own sessions and events): kiosk\n',
    )
    const after = new SqliteStore(path)
    expect(after.db.prepare('SELECT message_id, email FROM events').all()).toEqual([
      { message_id: 'm2', email: 'bob@acme.com' },
    ])
    await after.close()
  })
})
