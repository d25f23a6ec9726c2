import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { maintainedExcludedDomains } from '../node/email-domains'
import { createProject } from '../projects/projects'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import {
  at,
  DAY,
  type Event,
  identify,
  inSession,
  MIN,
  RANGE,
  T0,
  track,
  visit,
} from '../testing/journeys'

const dir = mkdtempSync(join(tmpdir(), 'touchline-erase-exact-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A collector over a database file, with secret-key calls and scans of the file. */
async function fileApp(name: string) {
  const path = join(dir, `${name}.db`)
  const store = new SqliteStore(path)
  const { secretKey } = await createProject(store, { name: 'erase' })
  const app = createApp({ store, maintainedDomains: maintainedExcludedDomains })
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await app.request(url, {
      method,
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: await res.json() }
  }
  const send = async (...batch: Event[]) => {
    expect((await call('POST', '/v1/batch', { batch })).body).toMatchObject({
      accepted: batch.length,
      rejected: [],
    })
  }
  const rows = async (query: string) => {
    const { status, body } = await call('GET', `/v1/reports/attribution?${query}&${RANGE}`)
    expect(status).toBe(200)
    return (body.rows as { key: string; conversions: number; value: number }[]).map((row) => [
      row.key,
      row.conversions,
      row.value,
    ])
  }
  /** Every row of every table, as one lower-cased string. */
  const tables = () =>
    (
      store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string
      }[]
    )
      .map(({ name }) => JSON.stringify(store.db.prepare(`SELECT * FROM ${name}`).all()))
      .join('\n')
      .toLowerCase()
  /** The database files' bytes, once closed, lower-cased. */
  const files = async () => {
    await store.close()
    return readdirSync(dir)
      .filter((file) => file.startsWith(`${name}.db`))
      .map((file) => readFileSync(join(dir, file)).toString('latin1').toLowerCase())
      .join('\n')
  }
  const messageIds = () =>
    (
      store.db.prepare('SELECT message_id FROM events ORDER BY id').all() as {
        message_id: string
      }[]
    ).map((row) => row.message_id)
  return { store, call, send, rows, tables, files, messageIds }
}

describe('erasing a person renamed by an alias', () => {
  // Olga is known server-side as u-olga-old (no identify ever links it to a device or an
  // email), then renamed: alias u-olga-old → u-olga-new. Bob must stay as he is.
  const journeys = [
    visit('o1', 'olga-laptop', T0, 'https://acme.test/olga?utm_source=linkedin'),
    identify('o2', T0 + MIN, { userId: 'u-olga-old' }, undefined, { traits: { plan: 'trial' } }),
    track('o3', T0 + 2 * MIN, { userId: 'u-olga-old' }, 'trial_started'),
    {
      type: 'alias',
      messageId: 'o4',
      timestamp: at(T0 + DAY),
      previousId: 'u-olga-old',
      userId: 'u-olga-new',
    },
    identify(
      'o5',
      T0 + DAY,
      { anonymousId: 'olga-laptop', userId: 'u-olga-new' },
      'olga@olga.test',
    ),
    track('o6', T0 + 2 * DAY, { userId: 'u-olga-new' }, 'closed_won', {
      properties: { revenue: 100 },
    }),
    // A stale server still sends the old id.
    track('o7', T0 + 3 * DAY, { userId: 'u-olga-old' }, 'closed_won', {
      properties: { revenue: 50 },
    }),
    visit('b1', 'bob-laptop', T0, 'https://acme.test/?utm_source=google'),
    identify('b2', T0 + MIN, { anonymousId: 'bob-laptop', userId: 'u-bob' }, 'bob@bob.test'),
    track('b3', T0 + 2 * DAY, { userId: 'u-bob' }, 'closed_won', { properties: { revenue: 70 } }),
  ]

  it('finds the person by the old userId: one person with both ids, and both conversions', async () => {
    const { call, send, rows } = await fileApp('alias-find')
    await send(...journeys)
    const { status, body } = await call('GET', '/v1/persons?userId=u-olga-old')
    expect(status).toBe(200)
    expect(body.person).toMatchObject({
      key: 'user:u-olga-new',
      userIds: ['u-olga-new'],
      aliasIds: ['u-olga-old'],
      emails: ['olga@olga.test'],
      anonymousIds: ['olga-laptop', 'u-olga-old'],
      sharedAnonymousIds: [],
    })
    expect(
      body.person.decisions.map((d: { kind: string; identifiers: string[] }) => [
        d.kind,
        d.identifiers,
      ]),
    ).toEqual([
      ['merged', ['anon:u-olga-old', 'user:u-olga-new']],
      ['merged', ['user:u-olga-new', 'user:u-olga-old']],
      ['merged', ['anon:olga-laptop', 'user:u-olga-new']],
      ['merged', ['email:olga@olga.test', 'user:u-olga-new']],
    ])
    expect(body.person.decisions[1]).toEqual({
      kind: 'merged',
      identifiers: ['user:u-olga-new', 'user:u-olga-old'],
      person: 'user:u-olga-new',
      messageId: 'o4',
      timestamp: T0 + DAY,
      reason:
        'alias: "u-olga-old" is now "u-olga-new", and no identify says whether it was an anonymous ID or a userId: events sent with it as either belong to this person',
    })
    // The old id's conversion is the renamed person's: their LinkedIn visit gets its credit.
    expect(await rows('conversion=closed_won&model=first_touch&occurrence=all')).toEqual([
      ['linkedin', 2, 150],
      ['google', 1, 70],
    ])
  })

  it.each(['u-olga-old', 'u-olga-new'])(
    'erases by %s every event of both ids and nothing of anyone else, in the tables and the file',
    async (userId) => {
      const app = await fileApp(`alias-${userId === 'u-olga-old' ? 'by-old' : 'by-new'}`)
      await app.send(...journeys)
      const bob = (await app.call('GET', '/v1/persons?userId=u-bob')).body
      const bobJourney = (await app.call('GET', '/v1/reports/journey?userId=u-bob')).body

      expect(await app.call('DELETE', `/v1/persons?userId=${userId}`)).toEqual({
        status: 200,
        body: {
          success: true,
          person: 'user:u-olga-new',
          erased: {
            anonymousIds: ['olga-laptop', 'u-olga-old'],
            sharedAnonymousIds: [],
            userIds: ['u-olga-new', 'u-olga-old'],
            emails: ['olga@olga.test'],
          },
          deleted: { events: 7, identityLinks: 1 },
        },
      })
      expect(app.tables()).not.toContain('olga')
      expect(app.messageIds()).toEqual(['b1', 'b2', 'b3'])
      for (const id of ['u-olga-old', 'u-olga-new']) {
        expect((await app.call('GET', `/v1/persons?userId=${id}`)).status).toBe(404)
      }
      expect((await app.call('GET', '/v1/persons?userId=u-bob')).body).toEqual(bob)
      expect((await app.call('GET', '/v1/reports/journey?userId=u-bob')).body).toEqual(bobJourney)
      expect(await app.rows('conversion=closed_won&model=first_touch&occurrence=all')).toEqual([
        ['google', 1, 70],
      ])
      expect(await app.files()).not.toContain('olga')
    },
  )
})

describe('erasing a person on a shared device', () => {
  type Session = (id: string, start: number) => Partial<ReturnType<typeof inSession>>
  const page = (path: string, source: string) => `https://acme.test/${path}?utm_source=${source}`
  // One kiosk. A visit before anyone identified (the first identity's: Annika's); Annika's
  // session, where she identifies and requests a demo (the request names only the kiosk);
  // Benno's session next day, where he identifies and requests one; his session after that,
  // unidentified, where he closes (naming only the kiosk). Annika also has a laptop.
  const journeys = (session: Session) => [
    visit('k0', 'kiosk', T0 - DAY, page('annika-0', 'bing'), session('annika-0', T0 - DAY)),
    visit('k1', 'kiosk', T0, page('annika-1', 'linkedin'), session('annika-1', T0)),
    visit('k2', 'kiosk', T0 + MIN, 'https://acme.test/annika-pricing', session('annika-1', T0)),
    identify('k3', T0 + 2 * MIN, { anonymousId: 'kiosk', userId: 'u-annika' }, 'annika@ann.test', {
      ...session('annika-1', T0),
    }),
    track('k4', T0 + 3 * MIN, { anonymousId: 'kiosk' }, 'demo_request', session('annika-1', T0)),
    visit('k5', 'kiosk', T0 + DAY, page('benno-1', 'google'), session('benno-1', T0 + DAY)),
    identify('k6', T0 + DAY + MIN, { anonymousId: 'kiosk', userId: 'u-benno' }, 'benno@ben.test', {
      ...session('benno-1', T0 + DAY),
    }),
    track('k7', T0 + DAY + 2 * MIN, { anonymousId: 'kiosk', userId: 'u-benno' }, 'demo_request', {
      ...session('benno-1', T0 + DAY),
    }),
    visit('k8', 'kiosk', T0 + 2 * DAY, page('benno-2', 'newsletter'), {
      ...session('benno-2', T0 + 2 * DAY),
    }),
    track('k9', T0 + 2 * DAY + MIN, { anonymousId: 'kiosk' }, 'closed_won', {
      properties: { revenue: 300 },
      ...session('benno-2', T0 + 2 * DAY),
    }),
    visit('l1', 'annika-laptop', T0 + 5 * DAY, page('annika-2', 'twitter')),
    identify('l2', T0 + 5 * DAY + MIN, { anonymousId: 'annika-laptop' }, 'annika@ann.test'),
  ]
  const withSessions: Session = inSession
  const withoutSessions: Session = () => ({})

  it.each([
    ['with context.session', withSessions],
    ['without session ids', withoutSessions],
  ])(
    'erases only her sessions and events (%s): his identify, sessions, conversions and credits stay',
    async (name, session) => {
      const app = await fileApp(`shared-${name.replace(/\W/g, '-')}`)
      await app.send(...journeys(session))
      const credits = async () => ({
        demoFirst: await app.rows('conversion=demo_request&model=first_touch'),
        demoLinear: await app.rows('conversion=demo_request&model=linear'),
        closedLinear: await app.rows('conversion=closed_won&model=linear'),
      })
      const benJourney = async () => {
        const { body } = await app.call(
          'GET',
          '/v1/reports/journey?userId=u-benno&conversion=closed_won',
        )
        const { person: _person, ...rest } = body
        return rest
      }
      expect(await credits()).toEqual({
        demoFirst: [
          ['bing', 1, 0],
          ['google', 1, 0],
        ],
        demoLinear: [
          ['google', 1, 0],
          ['bing', 0.5, 0],
          ['linkedin', 0.5, 0],
        ],
        closedLinear: [
          ['google', 0.5, 150],
          ['newsletter', 0.5, 150],
        ],
      })
      const bensBefore = await benJourney()
      expect(bensBefore.timeline.map((item: { type: string }) => item.type)).toEqual([
        'session',
        'identify',
        'track',
        'session',
        'track',
      ])

      expect(await app.call('DELETE', '/v1/persons?email=annika@ann.test')).toEqual({
        status: 200,
        body: {
          success: true,
          person: 'user:u-annika',
          erased: {
            anonymousIds: ['annika-laptop'],
            sharedAnonymousIds: ['kiosk'],
            userIds: ['u-annika'],
            emails: ['annika@ann.test'],
          },
          deleted: { events: 7, identityLinks: 2 },
        },
      })
      expect(app.messageIds()).toEqual(['k5', 'k6', 'k7', 'k8', 'k9'])
      expect(app.tables()).not.toContain('annika')
      expect((await app.call('GET', '/v1/persons?userId=u-annika')).status).toBe(404)
      // The kiosk is Benno's alone now; his credits and journey are what they were.
      expect((await app.call('GET', '/v1/persons?userId=u-benno')).body.person).toMatchObject({
        key: 'user:u-benno',
        anonymousIds: ['kiosk'],
        sharedAnonymousIds: [],
      })
      expect(await credits()).toEqual({
        demoFirst: [['google', 1, 0]],
        demoLinear: [['google', 1, 0]],
        closedLinear: [
          ['google', 0.5, 150],
          ['newsletter', 0.5, 150],
        ],
      })
      expect(await benJourney()).toEqual(bensBefore)
      expect(await app.files()).not.toContain('annika')
    },
  )
})
