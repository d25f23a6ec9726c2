import { parseEvent } from '@touchline/shared/schema'
import { afterEach, describe, expect, it } from 'vitest'
import { toEventRow } from '../ingest/normalise'
import { DEFAULT_PROJECT_SETTINGS, type EventRow, type Store } from './store'

/**
 * The storage contract: what every `Store` adapter does, checked through the interface
 * alone (no SQL), so that a second engine passes the very tests the first does. An adapter's
 * test calls `describeStore(name, makeStore)`; `makeStore` gives a new, empty store.
 */
export function describeStore(name: string, makeStore: () => Promise<Store> | Store): void {
  describe(`${name}: the Store contract`, () => {
    const open: Store[] = []
    const newStore = async () => {
      const store = await makeStore()
      open.push(store)
      return store
    }
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close()
    })

    /** A store with one project and its id. */
    const withProject = async (settings = {}) => {
      const store = await newStore()
      const project = await store.createProject({
        name: 'p',
        writeKey: 'wk_contract',
        secretKeyHash: 'hash-contract',
        settings,
      })
      return { store, project, id: project.id }
    }

    describe('projects', () => {
      it('creates projects with the default settings under their own, lists them in creation order, and finds them by key', async () => {
        const store = await newStore()
        const a = await store.createProject({ name: 'a', writeKey: 'wk_a', secretKeyHash: 'ha' })
        const b = await store.createProject({
          name: 'b',
          writeKey: 'wk_b',
          secretKeyHash: 'hb',
          settings: { ownDomains: ['b.test'], sessionTimeoutMinutes: 10 },
        })
        expect(a.settings).toEqual(DEFAULT_PROJECT_SETTINGS)
        expect(b.settings).toEqual({
          ...DEFAULT_PROJECT_SETTINGS,
          ownDomains: ['b.test'],
          sessionTimeoutMinutes: 10,
        })
        expect(a.id).not.toBe(b.id)
        expect((await store.listProjects()).map((project) => project.name)).toEqual(['a', 'b'])
        expect(await store.findProjectByWriteKey('wk_b')).toEqual(b)
        expect(await store.findProjectBySecretHash('ha')).toEqual(a)
        expect(await store.findProjectByWriteKey('wk_none')).toBeUndefined()
        expect(await store.findProjectBySecretHash('none')).toBeUndefined()
      })

      it('creates the first project once, however many ask for it at the same moment', async () => {
        const store = await newStore()
        const made = await Promise.all(
          [1, 2, 3, 4].map((i) =>
            store.createFirstProject({
              name: `first ${i}`,
              writeKey: `wk_first_${i}`,
              secretKeyHash: `hf${i}`,
            }),
          ),
        )
        const created = made.filter((project) => project !== undefined)
        expect(created.length).toBe(1)
        expect(await store.listProjects()).toEqual(created)
        expect(
          await store.createFirstProject({ name: 'later', writeKey: 'wk_l', secretKeyHash: 'hl' }),
        ).toBeUndefined()
      })

      it('replaces keys and merges settings on update; an unknown project is an error', async () => {
        const { store, id } = await withProject({ ownDomains: ['a.test'] })
        await store.updateProject(id, {
          writeKey: 'wk_new',
          settings: { lookbackDays: 30 },
        })
        const updated = await store.findProjectByWriteKey('wk_new')
        expect(updated?.secretKeyHash).toBe('hash-contract')
        expect(updated?.settings).toEqual({
          ...DEFAULT_PROJECT_SETTINGS,
          ownDomains: ['a.test'],
          lookbackDays: 30,
        })
        expect(await store.findProjectByWriteKey('wk_contract')).toBeUndefined()
        await expect(store.updateProject('prj_none', { settings: {} })).rejects.toThrow()
      })
    })

    describe('events', () => {
      it('stores each messageId once per project and kind of key, and counts new rows', async () => {
        const { store, id } = await withProject()
        const other = await store.createProject({
          name: 'q',
          writeKey: 'wk_q',
          secretKeyHash: 'hq',
        })
        expect(await store.insertEvents([track(id, 'm1'), track(id, 'm2')])).toBe(2)
        // A retry, the same id from the secret key, the same id in another project.
        expect(await store.insertEvents([track(id, 'm1')])).toBe(0)
        expect(await store.insertEvents([track(id, 'm1', { trusted: true })])).toBe(1)
        expect(await store.insertEvents([track(other.id, 'm1')])).toBe(1)
        const rows = await store.conversions(id, 'demo_request', 0, Number.MAX_SAFE_INTEGER)
        expect(rows.map((row) => row.messageId)).toEqual(['m1', 'm2', 'm1'])
        expect((await store.version(id)).lastEventId).toBeGreaterThan(0)
      })

      it('resolves every concurrent write once committed, and fails only the write that breaks', async () => {
        const { store, id } = await withProject()
        const writes = Array.from({ length: 20 }, (_, i) =>
          store.insertEvents([track(id, `c${i}`), track(id, `d${i}`)]),
        )
        expect(await Promise.all(writes)).toEqual(Array(20).fill(2))
        const results = await Promise.allSettled([
          store.insertEvents([track(id, 'ok-1')]),
          store.insertEvents([track('prj_none', 'broken')]),
          store.insertEvents([track(id, 'ok-2')]),
        ])
        expect(results.map((result) => result.status)).toEqual([
          'fulfilled',
          'rejected',
          'fulfilled',
        ])
        const names = await store.trackEventNames(id)
        expect(names).toEqual([
          expect.objectContaining({ name: 'demo_request', events: 42, first: T, last: T }),
        ])
      })

      it('stores a messageId sent by several writes at once once, and counts it for one of them', async () => {
        const { store, id } = await withProject()
        await store.insertEvents([track(id, 'first')])
        const counts = await Promise.all(
          [1, 2, 3, 4, 5].map((i) =>
            store.insertEvents([track(id, 'same'), track(id, `own-${i}`)]),
          ),
        )
        expect(counts.reduce((a, b) => a + b, 0)).toBe(6)
        expect([...counts].sort()).toEqual([1, 1, 1, 1, 2])
        const rows = await store.conversions(id, 'demo_request', 0, Number.MAX_SAFE_INTEGER)
        expect(rows.filter((row) => row.messageId === 'same').length).toBe(1)
        expect(rows.length).toBe(7)
      })

      it('gives event ids in insertion order and never again, even after an erasure of the newest', async () => {
        const { store, id } = await withProject()
        await store.insertEvents([page(id, 'v1', 'dev-a', T), page(id, 'v2', 'dev-b', T + 1)])
        const before = await store.version(id)
        await store.erasePerson(id, {
          anonymousIds: ['dev-b'],
          userIds: [],
          emails: [],
          sharedAnonymousIds: [],
          eventIds: [],
        })
        const erased = await store.version(id)
        expect(erased.erasures).toBe(before.erasures + 1)
        expect(erased.lastEventId).toBe(before.lastEventId)
        await store.insertEvents([page(id, 'v3', 'dev-c', T + 2)])
        const visits = await store.visits(id, { afterId: 0, upToId: Number.MAX_SAFE_INTEGER })
        expect(visits.map((visit) => visit.anonymousId)).toEqual(['dev-a', 'dev-c'])
        expect(visits[1]?.id).toBeGreaterThan(before.lastEventId)
      })
    })

    describe('what reports read', () => {
      it('answers conversions by name and range, in time order, with their value', async () => {
        const { store, id } = await withProject()
        await store.insertEvents([
          track(id, 'late', { timestamp: T + 20, value: 5 }),
          track(id, 'early', { timestamp: T + 10 }),
          track(id, 'other', { event: 'signup', timestamp: T + 15 }),
          track(id, 'out', { timestamp: T + 30 }),
        ])
        const rows = await store.conversions(id, 'demo_request', T + 10, T + 30)
        expect(
          rows.map(({ messageId, timestamp, value }) => [messageId, timestamp, value]),
        ).toEqual([
          ['early', T + 10, null],
          ['late', T + 20, 5],
        ])
        expect((await store.trackEventNames(id)).map((name) => name.name).sort()).toEqual([
          'demo_request',
          'signup',
        ])
      })

      it('reads visits, offline touches and identity evidence by id range', async () => {
        const { store, id } = await withProject()
        await store.insertEvents([
          page(id, 'v1', 'dev-a', T, { utmSource: 'news' }),
          track(id, 'o1', { event: 'touch', properties: JSON.stringify({ channel: 'Events' }) }),
          identify(id, 'i1', { anonymousId: 'dev-a', userId: 'u1' }),
          identify(id, 'i2', { anonymousId: null, userId: 'u2', email: 'u2@b.test' }),
          identify(id, 'i3', { anonymousId: null, userId: 'u3' }),
          // An alias sent with no anonymous ID: only an alias (with one, it is a link too).
          event(id, 'a1', { type: 'alias', anonymousId: null, previousId: 'dev-a', userId: 'u1' }),
          event(id, 'g1', { type: 'group', groupId: 'acme', anonymousId: 'dev-a' }),
        ])
        const { lastEventId } = await store.version(id)
        const all = { afterId: 0, upToId: lastEventId }
        const visits = await store.visits(id, all)
        expect(visits).toEqual([
          expect.objectContaining({ anonymousId: 'dev-a', timestamp: T, utmSource: 'news' }),
        ])
        const offline = await store.offlineTouches(id, all)
        expect(offline.map((row) => [row.messageId, row.properties])).toEqual([
          ['o1', { channel: 'Events' }],
        ])
        expect(await store.offlineTouchesUpTo(id, lastEventId)).toEqual(offline)
        const evidence = await store.identityEvidenceIn(id, all)
        // A link: an anonymous ID with a userId or email, or a server-side userId with an
        // email; a userId alone names nobody new.
        expect(evidence.links.map((link) => link.messageId).sort()).toEqual(['i1', 'i2'])
        expect(evidence.aliases).toEqual([
          expect.objectContaining({ messageId: 'a1', previousId: 'dev-a', userId: 'u1' }),
        ])
        expect(evidence.groups).toEqual([
          expect.objectContaining({ messageId: 'g1', groupId: 'acme', anonymousId: 'dev-a' }),
        ])
        const whole = await store.identityEvidence(id)
        expect(whole.lastEventId).toBe(lastEventId)
        expect(whole.links.map((link) => link.messageId).sort()).toEqual(['i1', 'i2'])
        expect(whole.aliases.length).toBe(1)
        expect(whole.groups.length).toBe(1)
        const none = await store.identityEvidenceIn(id, {
          afterId: lastEventId,
          upToId: lastEventId,
        })
        expect(none).toEqual({ links: [], aliases: [], groups: [] })
      })

      it("reads a device's visits: all of them, and those without a session id by time", async () => {
        const { store, id } = await withProject()
        await store.insertEvents([
          page(id, 'v1', 'dev-a', T + 20),
          page(id, 'v2', 'dev-a', T + 10, { sessionId: 's1' }),
          page(id, 'v3', 'dev-a', T + 5),
          page(id, 'v4', 'dev-b', T),
          page(id, 's1', null, T, { userId: 'u1' }),
          page(id, 's2', null, T + 1, { email: 'x@b.test' }),
        ])
        const { lastEventId } = await store.version(id)
        const anon = { key: 'dev-a', anonymousId: 'dev-a', userId: null, email: null }
        const all = await store.visitsOfDevice(id, anon, lastEventId)
        expect(all.map((visit) => visit.timestamp)).toEqual([T + 20, T + 10, T + 5])
        const unsessioned = await store.unsessionedVisits(id, anon, lastEventId)
        expect(unsessioned.map((visit) => visit.timestamp)).toEqual([T + 5, T + 20])
        const server = { key: 'user:u1', anonymousId: null, userId: 'u1', email: null }
        expect((await store.visitsOfDevice(id, server, lastEventId)).length).toBe(1)
        const byEmail = {
          key: 'email:x@b.test',
          anonymousId: null,
          userId: null,
          email: 'x@b.test',
        }
        expect((await store.unsessionedVisits(id, byEmail, lastEventId)).length).toBe(1)
      })

      it('reads the events of a person, of devices, and their context whole', async () => {
        const { store, id } = await withProject()
        await store.insertEvents([
          page(id, 'v1', 'dev-a', T),
          identify(id, 'i1', { anonymousId: 'dev-a', userId: 'u1' }),
          track(id, 't1', { anonymousId: null, userId: 'u1', timestamp: T + 5 }),
          page(id, 'v2', 'dev-b', T + 6),
        ])
        const who = { anonymousIds: ['dev-a'], userIds: ['u1'], emails: [] }
        const events = await store.eventsOf(id, who, ['page', 'track'])
        expect(events.map((row) => row.messageId)).toEqual(['v1', 't1'])
        const device = await store.deviceEvents(id, ['dev-a'])
        expect(device.map((row) => [row.messageId, row.pageUrl !== null])).toEqual([
          ['v1', true],
          ['i1', false],
        ])
        const details = await store.eventDetails(id, {
          afterId: 0,
          upToId: Number.MAX_SAFE_INTEGER,
        })
        expect(details[0]?.context).toMatchObject({ page: { url: `${SITE}?p=v1`, title: 'v1' } })
      })
    })

    describe('what tests read', () => {
      it('reads stored events whole, every column, by id range in id order', async () => {
        const { store, id } = await withProject()
        const other = await store.createProject({
          name: 'q',
          writeKey: 'wk_q',
          secretKeyHash: 'hq',
        })
        const url = `${SITE}pricing?utm_source=news`
        const device = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', locale: 'en-GB' }
        const sent: [Record<string, unknown>, boolean][] = [
          [
            {
              type: 'page',
              messageId: 'p1',
              anonymousId: 'dev-a',
              name: 'Pricing',
              timestamp: new Date(T).toISOString(),
              properties: { url, path: '/pricing', title: 'Pricing', plan: 'pro' },
              context: {
                page: { url, path: '/pricing', referrer: 'https://news.test/', title: 'Pricing' },
                campaign: { source: 'news', medium: 'email', name: 'launch' },
                session: { id: 's1', index: 2, start: T - 1_000 },
                ...device,
              },
            },
            false,
          ],
          [
            {
              type: 'identify',
              messageId: 'i1',
              anonymousId: 'dev-a',
              userId: 'u1',
              timestamp: new Date(T + 1).toISOString(),
              traits: { email: ' Ada@B.test ', plan: 'pro', seats: 3 },
              context: device,
            },
            false,
          ],
          [
            {
              type: 'track',
              event: 'demo_request',
              messageId: 't1',
              userId: 'u1',
              timestamp: new Date(T + 2).toISOString(),
              properties: { revenue: 120, currency: 'EUR', items: [{ sku: 'a' }] },
            },
            true,
          ],
        ]
        const rows = sent.map(([sentEvent, trusted]) => {
          const parsed = parseEvent(sentEvent)
          if (!parsed.ok) throw new Error(parsed.error)
          return toEventRow(parsed.value, { projectId: id, receivedAt: T + 10, trusted })
        })
        await store.insertEvents(rows)
        await store.insertEvents([track(other.id, 'elsewhere')])
        const all = await store.storedEvents(id, { afterId: 0, upToId: Number.MAX_SAFE_INTEGER })
        expect(all).toEqual(
          rows.map((row, i) => {
            const {
              projectId: _projectId,
              properties: _properties,
              traits: _traits,
              context: _context,
              sharedContext: _sharedContext,
              lifted: _lifted,
              ...columns
            } = row
            const sentEvent = sent[i]?.[0] ?? {}
            return {
              id: expect.any(Number),
              ...columns,
              properties: sentEvent.properties ?? {},
              traits: sentEvent.traits ?? {},
              context: sentEvent.context ?? {},
            }
          }),
        )
        // The columns are what the rows held, and packing left some of them out of the JSON.
        expect(all[0]).toMatchObject({ pageUrl: url, utmCampaign: 'launch', sessionIndex: 2 })
        expect(all[1]).toMatchObject({ email: 'ada@b.test', trusted: false })
        expect(all[2]).toMatchObject({ value: 120, trusted: true, anonymousId: null })
        expect(rows[0]?.lifted).not.toBe(0)
        const ids = all.map((event) => event.id)
        expect(ids).toEqual([...ids].sort((a, b) => a - b))
        const [first, second, third] = ids as [number, number, number]
        const middle = await store.storedEvents(id, { afterId: first, upToId: second })
        expect(middle.map((event) => event.messageId)).toEqual(['i1'])
        expect(await store.storedEvents(id, { afterId: third, upToId: third })).toEqual([])
        const elsewhere = await store.storedEvents(other.id, {
          afterId: 0,
          upToId: Number.MAX_SAFE_INTEGER,
        })
        expect(elsewhere).toEqual([
          expect.objectContaining({ messageId: 'elsewhere', properties: {}, traits: {} }),
        ])
      })
    })

    describe('derived sessions', () => {
      const acquisition = {
        source: 'news',
        medium: 'email',
        campaign: '(not set)',
        content: '(not set)',
        term: '(not set)',
        landingPage: '/',
      }
      const session = (seq: number, start: number) => ({
        id: `s${seq}`,
        seq,
        start,
        end: start + 60_000,
        acquisition,
      })
      const device = (key: string) => ({ key, anonymousId: key, userId: null, email: null })
      const read = async (store: Store, projectId: string) => {
        const devices: Record<string, unknown> = {}
        let stored: unknown
        await store.readDerivation(projectId, {
          begin: (derivation) => {
            stored = derivation
            return true
          },
          device: (ref, sessions) => {
            devices[ref.key] = { ref, sessions }
          },
        })
        return { stored, devices }
      }

      it('stores sessions by device with the cursor, replacing all or some', async () => {
        const { store, id } = await withProject()
        expect(await store.derivation(id)).toBeUndefined()
        const derivation = { lastEventId: 7, settings: '{"timeoutMinutes":30}' }
        const server = { key: 'user:u1', anonymousId: null, userId: 'u1', email: null }
        expect(
          await store.saveDerivation(id, {
            replace: 'all',
            devices: [
              { device: device('dev-a'), sessions: [session(1, T)] },
              { device: server, sessions: [session(2, T), session(3, T + 1)] },
            ],
            derivation,
            erasures: 0,
          }),
        ).toBe(true)
        expect(await store.derivation(id)).toEqual(derivation)
        expect(await read(store, id)).toEqual({
          stored: { derivation, dirtyDevices: [] },
          devices: {
            'dev-a': { ref: device('dev-a'), sessions: [session(1, T)] },
            'user:u1': { ref: server, sessions: [session(2, T), session(3, T + 1)] },
          },
        })
        await store.saveDerivation(id, {
          replace: ['dev-a'],
          devices: [{ device: device('dev-b'), sessions: [session(4, T)] }],
          derivation: { ...derivation, lastEventId: 9 },
          erasures: 0,
        })
        const { devices } = await read(store, id)
        expect(Object.keys(devices).sort()).toEqual(['dev-b', 'user:u1'])
        expect(await store.derivation(id)).toEqual({ ...derivation, lastEventId: 9 })
      })

      it('refuses a save derived before an erasure, and marks the shared devices it touched dirty', async () => {
        const { store, id } = await withProject()
        await store.insertEvents([page(id, 'v1', 'shared', T), page(id, 'v2', 'shared', T + 1)])
        await store.saveDerivation(id, {
          replace: 'all',
          devices: [{ device: device('shared'), sessions: [session(1, T)] }],
          derivation: { lastEventId: 2, settings: '{}' },
          erasures: 0,
        })
        const [first] = await store.visits(id, { afterId: 0, upToId: Number.MAX_SAFE_INTEGER })
        await store.erasePerson(id, {
          anonymousIds: [],
          userIds: [],
          emails: [],
          sharedAnonymousIds: ['shared'],
          eventIds: [first?.id as number],
        })
        const { stored, devices } = await read(store, id)
        expect(stored).toMatchObject({ dirtyDevices: ['shared'] })
        expect(devices).toEqual({})
        expect(
          await store.saveDerivation(id, {
            replace: ['shared'],
            devices: [{ device: device('shared'), sessions: [session(1, T)] }],
            derivation: { lastEventId: 2, settings: '{}' },
            erasures: 0,
          }),
        ).toBe(false)
        expect(
          await store.saveDerivation(id, {
            replace: ['shared'],
            devices: [{ device: device('shared'), sessions: [session(2, T + 1)] }],
            derivation: { lastEventId: 2, settings: '{}' },
            cleaned: ['shared'],
            erasures: 1,
          }),
        ).toBe(true)
        expect((await read(store, id)).stored).toMatchObject({ dirtyDevices: [] })
      })
    })

    describe('erasure and what was not stored', () => {
      it('erases every event of a person and their identity links, and counts them', async () => {
        const { store, id } = await withProject()
        await store.insertEvents([
          page(id, 'v1', 'dev-a', T),
          identify(id, 'i1', { anonymousId: 'dev-a', userId: 'u1', email: 'ada@a.test' }),
          track(id, 't1', { anonymousId: null, email: 'ada@a.test' }),
          page(id, 'v2', 'dev-b', T),
        ])
        const counts = await store.erasePerson(id, {
          anonymousIds: ['dev-a'],
          userIds: ['u1'],
          emails: ['ada@a.test'],
          sharedAnonymousIds: [],
          eventIds: [],
        })
        expect(counts).toEqual({ events: 3, identityLinks: 1 })
        const left = await store.eventDetails(id, { afterId: 0, upToId: Number.MAX_SAFE_INTEGER })
        expect(left.map((row) => row.messageId)).toEqual(['v2'])
        expect((await store.identityEvidence(id)).links).toEqual([])
      })

      it('counts what was not stored by reason and keeps samples', async () => {
        const { store, id } = await withProject()
        const drop = {
          reason: 'invalid' as const,
          library: 'analytics-node',
          field: 'timestamp',
          count: 2,
          at: T,
          error: 'timestamp: not a date',
          payload: '{"type":"track"}',
        }
        await store.recordDrops(id, [
          drop,
          { ...drop, count: 1, at: T + 1, payload: '{"type":"page"}' },
          { ...drop, reason: 'bot', field: '', count: 4, at: T + 2 },
        ])
        const warnings = await store.ingestionWarnings(id)
        expect(warnings.totals).toEqual({ invalid: 3, bot: 4 })
        expect(warnings.counts).toEqual([
          expect.objectContaining({ reason: 'bot', count: 4 }),
          expect.objectContaining({ reason: 'invalid', field: 'timestamp', count: 3 }),
        ])
        expect(warnings.samples.map((sample) => sample.payload)).toEqual([
          '{"type":"track"}',
          '{"type":"page"}',
          '{"type":"track"}',
        ])
      })
    })
  })
}

const SITE = 'https://site.test/'
const T = Date.UTC(2026, 0, 5)

/** An event as ingestion stores it (`toEventRow`), with `extra` over it. */
function event(projectId: string, messageId: string, extra: Partial<EventRow> = {}): EventRow {
  const parsed = parseEvent({ type: 'track', event: 'demo_request', messageId, anonymousId: 'x' })
  if (!parsed.ok) throw new Error(parsed.error)
  const row = toEventRow(parsed.value, { projectId, receivedAt: T, trusted: false })
  return { ...row, timestamp: T, ...extra, projectId, messageId }
}

const track = (projectId: string, messageId: string, extra: Partial<EventRow> = {}) =>
  event(projectId, messageId, { anonymousId: 'dev-x', ...extra })

const identify = (projectId: string, messageId: string, extra: Partial<EventRow>) =>
  event(projectId, messageId, { type: 'identify', event: null, ...extra })

/** A page view of `anonymousId` (null: server-side), its context packed as ingestion does. */
function page(
  projectId: string,
  messageId: string,
  anonymousId: string | null,
  timestamp: number,
  extra: Partial<EventRow> = {},
): EventRow {
  const parsed = parseEvent({
    type: 'page',
    messageId,
    ...(anonymousId ? { anonymousId } : { userId: extra.userId ?? 'server' }),
    timestamp: new Date(timestamp).toISOString(),
    context: { page: { url: `${SITE}?p=${messageId}`, title: messageId } },
  })
  if (!parsed.ok) throw new Error(parsed.error)
  const row = toEventRow(parsed.value, { projectId, receivedAt: timestamp, trusted: true })
  return { ...row, anonymousId, userId: null, timestamp, ...extra }
}
