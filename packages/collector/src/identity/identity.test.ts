import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp, errorBody } from '../app'
import { maintainedExcludedDomains } from '../node/email-domains'
import { createProject } from '../projects/projects'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import type { ProjectSettings } from '../store/store'
import {
  at,
  DAY,
  identify,
  inSession,
  MIN,
  RANGE,
  setup,
  T0,
  track,
  visit,
} from '../testing/journeys'

describe('identity stitching in reports', () => {
  it('is retroactive: touches before the identify join the person, and a CRM conversion with userId + email attaches', async () => {
    const { send, rows } = await setup()
    await send(
      visit('v1', 'laptop', T0, 'https://acme.test/?utm_source=linkedin&utm_medium=paid_social'),
      visit('v2', 'laptop', T0 + DAY, 'https://acme.test/?utm_source=google&utm_medium=cpc'),
      identify('i1', T0 + DAY + MIN, { anonymousId: 'laptop' }, 'Ada@Acme.com'),
      // Server-side, no anonymous ID: the CRM's id and the lead's email.
      track('w1', T0 + 5 * DAY, { userId: 'crm-7' }, 'closed_won', {
        traits: { email: 'ada@acme.com' },
        properties: { revenue: 5000 },
      }),
    )
    expect(await rows('conversion=closed_won&model=first_touch')).toEqual([['linkedin', 1, 5000]])
    expect(await rows('conversion=closed_won&model=linear')).toEqual([
      ['google', 0.5, 2500],
      ['linkedin', 0.5, 2500],
    ])
  })

  it('joins two devices identified with one email', async () => {
    const { send, rows } = await setup()
    await send(
      visit('l1', 'laptop', T0, 'https://acme.test/?utm_source=linkedin'),
      identify('l2', T0 + MIN, { anonymousId: 'laptop' }, 'ada@acme.com'),
      visit('p1', 'phone', T0 + 2 * DAY, 'https://acme.test/?utm_source=google'),
      identify('p2', T0 + 2 * DAY + MIN, { anonymousId: 'phone' }, 'ada@acme.com'),
      track('p3', T0 + 2 * DAY + 2 * MIN, { anonymousId: 'phone' }),
      // Another visitor, never identified: stays a person of their own.
      visit('x1', 'stranger', T0, 'https://acme.test/?utm_source=bing'),
      track('x2', T0 + MIN, { anonymousId: 'stranger' }),
    )
    expect(await rows('conversion=demo_request&model=first_touch')).toEqual([
      ['bing', 1, 0],
      ['linkedin', 1, 0],
    ])
    expect(await rows('conversion=demo_request&model=last_touch')).toEqual([
      ['bing', 1, 0],
      ['google', 1, 0],
    ])
  })

  it('attaches a conversion sent with only a userId to the person identified with it', async () => {
    const { send, rows } = await setup()
    await send(
      visit('v1', 'a1', T0, 'https://acme.test/?utm_source=newsletter'),
      identify('i1', T0 + MIN, { anonymousId: 'a1', userId: 'u-1' }),
      track('w1', T0 + 3 * DAY, { userId: 'u-1' }, 'closed_won', {
        properties: { revenue: 900 },
      }),
      // A userId never linked to a visitor: its conversion has no journey.
      track('w2', T0 + 3 * DAY, { userId: 'u-unknown' }, 'closed_won'),
    )
    expect(await rows('conversion=closed_won')).toEqual([
      ['(unattributed)', 1, 0],
      ['newsletter', 1, 900],
    ])
  })

  it('never merges two people on a shared device: each session goes to its identity', async () => {
    const { send, rows, persons } = await setup()
    await send(
      // Session 1: arrives from LinkedIn, Ada fills the form.
      visit('k1', 'kiosk', T0, 'https://acme.test/?utm_source=linkedin', inSession('s1', T0)),
      identify('k2', T0 + MIN, { anonymousId: 'kiosk' }, 'ada@acme.com', inSession('s1', T0)),
      // Session 2, next day: from Google, Bob fills the form.
      visit('k3', 'kiosk', T0 + DAY, 'https://acme.test/?utm_source=google', inSession('s2', T0)),
      identify('k4', T0 + DAY + MIN, { anonymousId: 'kiosk' }, 'bob@acme.com', {
        ...inSession('s2', T0 + DAY),
      }),
      // Session 3: from Bing, nobody identifies: the last one identified before (Bob).
      visit('k5', 'kiosk', T0 + 2 * DAY, 'https://acme.test/?utm_source=bing', {
        ...inSession('s3', T0 + 2 * DAY),
      }),
      track('c1', T0 + 3 * DAY, { userId: 'crm-ada' }, 'closed_won', {
        traits: { email: 'ada@acme.com' },
      }),
      track('c2', T0 + 3 * DAY, { userId: 'crm-bob' }, 'closed_won', {
        traits: { email: 'bob@acme.com' },
      }),
    )
    expect(await rows('conversion=closed_won&model=last_touch')).toEqual([
      ['bing', 1, 0],
      ['linkedin', 1, 0],
    ])
    expect(await rows('conversion=closed_won&model=first_touch')).toEqual([
      ['google', 1, 0],
      ['linkedin', 1, 0],
    ])
    const { body } = await persons('email=ada@acme.com')
    expect(body.person).toMatchObject({
      key: 'user:crm-ada',
      userIds: ['crm-ada'],
      emails: ['ada@acme.com'],
      anonymousIds: [],
      sharedAnonymousIds: ['kiosk'],
    })
    expect(body.person.decisions.map((d: { kind: string }) => d.kind)).toEqual([
      'kept_apart',
      'merged',
    ])
  })

  it('gives a shared device the same credits with and without context.session: an identify and a conversion a minute after a landing belong to its session', async () => {
    type InSession = (id: string, start: number) => Partial<ReturnType<typeof inSession>>
    // Ada lands from a newsletter, identifies and requests a demo; the next day Bob lands
    // from a Google ad on the same device, identifies a minute later (no page) and converts.
    const events = (session: InSession) => [
      visit('a1', 'kiosk', T0, 'https://acme.test/?utm_medium=email', session('s1', T0)),
      identify('a2', T0 + MIN, { anonymousId: 'kiosk' }, 'ada@acme.com', session('s1', T0)),
      track('a3', T0 + 2 * MIN, { anonymousId: 'kiosk' }, 'demo_request', session('s1', T0)),
      visit('b1', 'kiosk', T0 + DAY, 'https://acme.test/?gclid=x', session('s2', T0 + DAY)),
      identify('b2', T0 + DAY + MIN, { anonymousId: 'kiosk' }, 'bob@beta.com', {
        ...session('s2', T0 + DAY),
      }),
      track('b3', T0 + DAY + 2 * MIN, { anonymousId: 'kiosk' }, 'demo_request', {
        ...session('s2', T0 + DAY),
      }),
    ]
    const reports = async (session: InSession) => {
      const { app, secretKey, send, rows } = await setup()
      await send(...events(session))
      const credits: Record<string, unknown> = {}
      for (const model of ['first_touch', 'last_touch', 'linear']) {
        credits[model] = await rows(`conversion=demo_request&groupBy=channel&model=${model}`)
      }
      const bob = await app.request('/v1/reports/journey?email=bob@beta.com', {
        headers: { authorization: `Bearer ${secretKey}` },
      })
      return { credits, bob: await bob.json() }
    }
    const withSession = await reports(inSession)
    const credits = [
      ['Email', 1, 0],
      ['Paid Search', 1, 0],
    ]
    expect(withSession.credits).toEqual({
      first_touch: credits,
      last_touch: credits,
      linear: credits,
    })
    const timeline = withSession.bob.timeline as { type: string; person: string }[]
    expect(timeline.map((item) => [item.type, item.person])).toEqual([
      ['session', 'email:bob@beta.com'],
      ['identify', 'email:bob@beta.com'],
      ['track', 'email:bob@beta.com'],
    ])
    expect(await reports(() => ({}))).toEqual(withSession)
  })

  it('refuses illegal identifiers at ingest and never joins visitors through a non-email', async () => {
    const { post, secretKey, send, rows, persons } = await setup()
    const res = await post(
      '/v1/batch',
      { batch: [identify('bad', T0, { anonymousId: 'a1', userId: 'undefined' })] },
      { headers: { authorization: `Bearer ${secretKey}` } },
    )
    expect((await res.json()).rejected).toEqual([
      {
        index: 0,
        error:
          'userId: is not a usable identifier (empty, "null", "anonymous", "0", … are refused)',
      },
    ])
    await send(
      visit('v1', 'a1', T0, 'https://acme.test/?utm_source=linkedin'),
      identify('i1', T0 + MIN, { anonymousId: 'a1' }, 'n/a'),
      visit('v2', 'a2', T0 + DAY, 'https://acme.test/?utm_source=google'),
      identify('i2', T0 + DAY + MIN, { anonymousId: 'a2' }, 'n/a'),
      track('c2', T0 + DAY + 2 * MIN, { anonymousId: 'a2' }),
    )
    expect(await rows('conversion=demo_request')).toEqual([['google', 1, 0]])
    expect(await persons('email=n/a')).toEqual({
      status: 400,
      body: errorBody(400, '"email": "n/a" is not an email address'),
    })
  })

  it('links an anonymous ID to at most 10 people and records the refusal', async () => {
    const { send, persons } = await setup()
    const emails = Array.from({ length: 11 }, (_, i) => `p${String(i).padStart(2, '0')}@acme.com`)
    await send(
      ...emails.map((email, i) => identify(`i${i}`, T0 + i * MIN, { anonymousId: 'lab' }, email)),
    )
    const { body } = await persons('email=p10@acme.com')
    expect(body.person.sharedAnonymousIds).toEqual([])
    expect(body.person.decisions).toEqual([
      {
        kind: 'refused',
        identifiers: ['anon:lab', 'email:p10@acme.com'],
        person: 'email:p10@acme.com',
        messageId: 'i10',
        timestamp: T0 + 10 * MIN,
        reason: 'anonymous ID "lab" is already linked to 10 people: further identities are refused',
      },
    ])
    expect((await persons('email=p09@acme.com')).body.person.sharedAnonymousIds).toEqual(['lab'])
  })
})

describe('level=account', () => {
  const seed = async (settings: Partial<ProjectSettings> = {}) => {
    const ctx = await setup(settings)
    await ctx.send(
      // acme.com: Ada first came from LinkedIn; Bob, from Google, converts.
      visit('a1', 'ada', T0, 'https://acme.test/?utm_source=linkedin'),
      identify('a2', T0 + MIN, { anonymousId: 'ada' }, 'ada@acme.com'),
      visit('b1', 'bob', T0 + DAY, 'https://acme.test/?utm_source=google'),
      identify('b2', T0 + DAY + MIN, { anonymousId: 'bob' }, 'bob@mail.acme.com'),
      track('b3', T0 + 2 * DAY, { anonymousId: 'bob' }),
      // Free mail: no company account, each stands alone.
      visit('c1', 'cy', T0, 'https://acme.test/?utm_source=twitter'),
      identify('c2', T0 + MIN, { anonymousId: 'cy' }, 'cy@gmail.com'),
      visit('d1', 'dee', T0 + DAY, 'https://acme.test/?utm_source=bing'),
      identify('d2', T0 + DAY + MIN, { anonymousId: 'dee' }, 'dee@gmail.com'),
      track('d3', T0 + 2 * DAY, { anonymousId: 'dee' }),
      // A group call puts Eve (anonymous) and Fay (by userId) in one account.
      visit('e1', 'eve', T0, 'https://acme.test/?utm_source=newsletter'),
      {
        type: 'group',
        messageId: 'e2',
        anonymousId: 'eve',
        groupId: 'g-globex',
        timestamp: at(T0),
      },
      visit('f1', 'fay', T0 + DAY, 'https://acme.test/?utm_source=duckduckgo'),
      identify('f2', T0 + DAY, { anonymousId: 'fay', userId: 'u-fay' }, 'fay@gmail.com'),
      {
        type: 'group',
        messageId: 'f3',
        userId: 'u-fay',
        groupId: 'g-globex',
        timestamp: at(T0 + DAY),
        traits: { name: 'Globex', email: 'info@globex.com' },
      },
      track('f4', T0 + 2 * DAY, { userId: 'u-fay' }),
    )
    return ctx
  }

  it('makes the journey the union of everyone in the account (group call, else email domain)', async () => {
    const { rows } = await seed()
    expect(await rows('conversion=demo_request&model=first_touch&level=person')).toEqual([
      ['bing', 1, 0],
      ['duckduckgo', 1, 0],
      ['google', 1, 0],
    ])
    expect(await rows('conversion=demo_request&model=first_touch&level=account')).toEqual([
      ['bing', 1, 0],
      ['linkedin', 1, 0],
      ['newsletter', 1, 0],
    ])
  })

  it('leaves the project’s excluded domains out of accounts', async () => {
    const { rows, report } = await seed({ accountDomainsExcluded: ['acme.com'] })
    expect(await rows('conversion=demo_request&model=first_touch&level=account')).toEqual([
      ['bing', 1, 0],
      ['google', 1, 0],
      ['newsletter', 1, 0],
    ])
    expect((await report('conversion=demo_request&level=account')).totals.conversions).toBe(3)
  })

  it('counts each account’s first conversion once', async () => {
    const { send, report } = await seed()
    await send(track('a9', T0 + 3 * DAY, { anonymousId: 'ada' }))
    expect((await report('conversion=demo_request&level=person')).totals.conversions).toBe(4)
    expect((await report('conversion=demo_request&level=account')).totals.conversions).toBe(3)
  })

  it('explains a person with their account and the decisions behind them', async () => {
    const { persons } = await seed()
    expect(await persons('userId=u-fay')).toEqual({
      status: 200,
      body: {
        success: true,
        person: {
          key: 'user:u-fay',
          userIds: ['u-fay'],
          emails: ['fay@gmail.com'],
          anonymousIds: ['fay'],
          sharedAnonymousIds: [],
          aliasIds: [],
          account: { key: 'group:g-globex', source: 'group' },
          decisions: [
            {
              kind: 'merged',
              identifiers: ['anon:fay', 'user:u-fay'],
              person: 'user:u-fay',
              messageId: 'f2',
              timestamp: T0 + DAY,
              reason:
                'anonymous ID "fay" was identified as user:u-fay: all its sessions, earlier ones included, belong to this person',
            },
            {
              kind: 'merged',
              identifiers: ['email:fay@gmail.com', 'user:u-fay'],
              person: 'user:u-fay',
              messageId: 'f2',
              timestamp: T0 + DAY,
              reason: 'userId "u-fay" and email "fay@gmail.com" were identified together',
            },
          ],
        },
      },
    })
    expect((await persons('email=bob@mail.acme.com')).body.person.account).toEqual({
      key: 'domain:acme.com',
      source: 'domain',
    })
    expect(await persons('email=nobody@acme.com')).toEqual({
      status: 404,
      body: errorBody(404, 'No person is known by email:nobody@acme.com.'),
    })
  })
})

describe('bad identity input', () => {
  it('follows an alias loop without harm and refuses an alias to itself, with a reason', async () => {
    const { send, rows, persons } = await setup()
    const alias = (messageId: string, time: number, previousId: string, userId: string) => ({
      type: 'alias',
      messageId,
      timestamp: at(time),
      previousId,
      userId,
    })
    await send(
      visit('v1', 'lap', T0, 'https://acme.test/?utm_source=linkedin'),
      identify('i1', T0 + MIN, { anonymousId: 'lap', userId: 'old-id' }),
      alias('al1', T0 + DAY, 'old-id', 'new-id'),
      alias('al2', T0 + 2 * DAY, 'new-id', 'old-id'),
      alias('al3', T0 + 3 * DAY, 'new-id', 'new-id'),
      track('w1', T0 + 4 * DAY, { userId: 'new-id' }, 'closed_won', { properties: { value: 7 } }),
    )
    // One person, both userIds; the credit reaches the anonymous visit.
    expect(await rows('conversion=closed_won&model=first_touch')).toEqual([['linkedin', 1, 7]])
    const { body } = await persons('userId=old-id')
    expect(body.person.userIds).toEqual(['new-id', 'old-id'])
    expect(
      body.person.decisions.map((d: { kind: string; reason: string }) => [d.kind, d.reason]),
    ).toContainEqual(['refused', 'alias of "new-id" to itself: nothing to join'])
  })

  it('keeps conflicting identifies of one device apart: each session goes to the last identity named in it', async () => {
    const { send, rows } = await setup()
    await send(
      visit('k1', 'kiosk', T0, 'https://acme.test/?utm_source=linkedin', inSession('s1', T0)),
      identify('k2', T0 + MIN, { anonymousId: 'kiosk' }, 'ann@acme.com', inSession('s1', T0)),
      // The same session is identified again as someone else: the later one wins it.
      identify('k3', T0 + 2 * MIN, { anonymousId: 'kiosk' }, 'ben@beta.com', inSession('s1', T0)),
      track('c1', T0 + 3 * DAY, {}, 'sql', { traits: { email: 'ben@beta.com' } }),
      track('c2', T0 + 3 * DAY, {}, 'sql', { traits: { email: 'ann@acme.com' } }),
    )
    // Ben's conversion gets the session; Ann's has none left (not merged with Ben's).
    expect(await rows('conversion=sql&model=first_touch')).toEqual([
      ['(unattributed)', 1, 0],
      ['linkedin', 1, 0],
    ])
  })
})

const dir = mkdtempSync(join(tmpdir(), 'touchline-erase-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('DELETE /v1/persons (GDPR erase)', () => {
  it('erases every event and link of the person and leaves nothing behind, even on disk', async () => {
    const path = join(dir, 'erase.db')
    const store = new SqliteStore(path)
    const { project, secretKey } = await createProject(store, { name: 'erase' })
    const app = createApp({ store, maintainedDomains: maintainedExcludedDomains })
    const call = async (method: string, url: string, body?: unknown, key = secretKey) => {
      const res = await app.request(url, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
      return { status: res.status, body: await res.json() }
    }
    const batch = [
      // A context of Zed's devices, stored once for both visits (event_contexts).
      // Zed's own campaign: an acquisition no one else's session uses (session_acquisitions).
      visit(
        '1',
        'zed-laptop',
        T0,
        'https://acme.test/?utm_source=linkedin&utm_campaign=zed-offer',
        {
          context: { firstTouch: { url: 'https://acme.test/zed-landing' } },
        },
      ),
      identify('2', T0 + MIN, { anonymousId: 'zed-laptop' }, 'Zed@Zed-Corp.com'),
      visit('3', 'zed-phone', T0 + DAY, 'https://acme.test/?utm_source=google', {
        context: { firstTouch: { url: 'https://acme.test/zed-landing' } },
      }),
      identify('4', T0 + DAY, { anonymousId: 'zed-phone', userId: 'zed-user' }, 'zed@zed-corp.com'),
      { type: 'alias', messageId: '5', previousId: 'zed-signup', userId: 'zed-user' },
      { type: 'group', messageId: '6', userId: 'zed-user', groupId: 'zed-co' },
      track('7', T0 + 2 * DAY, { userId: 'zed-crm' }, 'closed_won', {
        traits: { email: 'zed@zed-corp.com' },
      }),
      // Someone else, who must stay.
      visit('8', 'amy-laptop', T0, 'https://acme.test/?utm_source=bing', {
        context: { firstTouch: { url: 'https://acme.test/amy-landing' } },
      }),
      identify('9', T0 + MIN, { anonymousId: 'amy-laptop' }, 'amy@acme.com'),
    ]
    expect((await call('POST', '/v1/batch', { batch })).body.accepted).toBe(batch.length)
    // A rejected event of Zed's is kept as a sample of what was not stored: it goes too.
    const rejected = { ...visit('10', 'zed-laptop', T0, 'https://acme.test/'), userId: { id: 1 } }
    expect((await call('POST', '/v1/batch', { batch: [rejected] })).body.rejected).toHaveLength(1)
    expect(JSON.stringify(await store.ingestionWarnings(project.id))).toContain('zed-laptop')
    // A report derives and stores everyone's sessions: Zed's must go with the erasure.
    expect(
      (await call('GET', `/v1/reports/attribution?conversion=closed_won&${RANGE}`)).status,
    ).toBe(200)
    const sessionsOf = (device: string) =>
      store.db
        .prepare('SELECT json_array_length(sessions) AS n FROM device_sessions WHERE device = ?')
        .get(device) ?? { n: 0 }
    expect(sessionsOf('zed-laptop')).toEqual({ n: 1 })
    expect(sessionsOf('amy-laptop')).toEqual({ n: 1 })
    const acquisitions = () =>
      store.db.prepare('SELECT fields, uses FROM session_acquisitions ORDER BY id').raw().all()
    expect(JSON.stringify(acquisitions())).toContain('zed-offer')
    const storedContexts = () =>
      store.db.prepare('SELECT context, uses FROM event_contexts ORDER BY id').raw().all()
    expect(storedContexts()).toEqual([
      ['{"firstTouch":{"url":"https://acme.test/zed-landing"}}', 2],
      ['{"firstTouch":{"url":"https://acme.test/amy-landing"}}', 1],
    ])

    expect(
      (await call('DELETE', '/v1/persons?email=zed@zed-corp.com', undefined, project.writeKey))
        .status,
    ).toBe(403)
    expect(
      (
        await call(
          'DELETE',
          '/v1/persons?email=zed@zed-corp.com',
          undefined,
          'sk_unknownunknownunknown',
        )
      ).status,
    ).toBe(401)
    expect(await call('DELETE', '/v1/persons')).toEqual({
      status: 400,
      body: errorBody(400, 'Name the person with exactly one of "email" or "userId"'),
    })

    expect(await call('DELETE', '/v1/persons?email=ZED@zed-corp.com')).toEqual({
      status: 200,
      body: {
        success: true,
        person: 'user:zed-crm',
        erased: {
          anonymousIds: ['zed-laptop', 'zed-phone', 'zed-signup'],
          sharedAnonymousIds: [],
          // "zed-signup", aliased and named by no identify, may have been a userId too.
          userIds: ['zed-crm', 'zed-signup', 'zed-user'],
          emails: ['zed@zed-corp.com'],
        },
        deleted: { events: 7, identityLinks: 2 },
      },
    })

    // No table holds anything of Zed's; Amy is untouched.
    const tables = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all() as { name: string }[]
    expect(tables.map((t) => t.name).sort()).toEqual([
      'derivations',
      'device_sessions',
      'dirty_devices',
      'erasures',
      'event_contexts',
      'events',
      'identity_links',
      'ingestion_drop_samples',
      'ingestion_drops',
      'project_heads',
      'projects',
      'session_acquisitions',
      'sqlite_sequence',
    ])
    for (const { name } of tables) {
      const rows = JSON.stringify(store.db.prepare(`SELECT * FROM ${name}`).all())
      expect(rows.toLowerCase()).not.toContain('zed')
    }
    expect(store.db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 2 })
    expect(storedContexts()).toEqual([
      ['{"firstTouch":{"url":"https://acme.test/amy-landing"}}', 1],
    ])
    // Only Amy's acquisition is left, used by her one session.
    expect(acquisitions()).toEqual([
      ['["bing","(not set)","(not set)","(not set)","(not set)","/",null]', 1],
    ])
    expect(sessionsOf('amy-laptop')).toEqual({ n: 1 })
    expect((await call('GET', '/v1/persons?email=zed@zed-corp.com')).status).toBe(404)
    expect((await call('GET', '/v1/persons?email=amy@acme.com')).body.person.anonymousIds).toEqual([
      'amy-laptop',
    ])
    // Erasing again is harmless.
    expect((await call('DELETE', '/v1/persons?userId=zed-user')).body.deleted).toEqual({
      events: 0,
      identityLinks: 0,
    })

    await store.close()
    // Nor do the database files: deleted content is overwritten.
    for (const file of readdirSync(dir).filter((f) => f.startsWith('erase.db'))) {
      expect(readFileSync(join(dir, file)).toString('latin1').toLowerCase()).not.toContain('zed')
    }
  })
})
