import { anonKey, emailKey, type IdentityGraph, userKey } from '@touchline/shared'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { identityOf } from '../identity/identity'
import {
  type AliasRow,
  type ConversionRow,
  DEFAULT_PROJECT_SETTINGS,
  type DerivedSession,
  type DeviceRef,
  type GroupRow,
  type IdentityEvidence,
  type IdentityLinkRow,
  type OfflineTouchRow,
  type Project,
  type VisitRow,
} from '../store/store'
import { derivationSettings, deviceOf, touchOptions } from './device-sessions'
import { type JourneyQuery, JourneyState } from './journey-state'

/*
 * The journey state over plain rows, no store: fed batch by batch, with reports, saves and
 * restarts from what was saved in between, it answers exactly like a state fed every row at
 * once.
 */

const SITE = 'https://site.test/'
const MIN = 60_000
const T0 = Date.UTC(2026, 0, 5)

const PROJECT: Project = {
  id: 'p1',
  name: 'state',
  writeKey: 'w',
  secretKeyHash: 'h',
  createdAt: 0,
  settings: { ...DEFAULT_PROJECT_SETTINGS, ownDomains: ['site.test'] },
}
const SETTINGS = {
  erasures: 0,
  settingsKey: 'settings',
  derivationKey: derivationSettings(PROJECT),
  options: touchOptions(PROJECT),
}
const MAINTAINED = () => new Set(['gmail.com'])
const QUERIES: JourneyQuery[] = [
  { groupBy: 'channel', level: 'person' },
  { groupBy: 'source', level: 'account' },
  { groupBy: 'landing_page', level: 'person' },
]

// Small pools, so that devices are shared, people merge and sessions meet.
const ANONS = ['a0', 'a1', 'a2']
const USERS = ['u0', 'u1']
const EMAILS = ['ada@acme.com', 'bob@acme.com', 'cy@gmail.com']

/** Every 10 minutes over a day and a half: sessions split by the timeout, and join. */
const time = fc.integer({ min: 0, max: 200 }).map((step) => T0 + step * 10 * MIN)
const anon = fc.constantFrom(...ANONS)
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null })
const sessionId = fc.constantFrom(null, null, 's0', 's1')

const PAGES: Pick<VisitRow, 'pageUrl' | 'utmSource' | 'utmMedium' | 'utmCampaign'>[] = [
  { pageUrl: SITE, utmSource: null, utmMedium: null, utmCampaign: null },
  { pageUrl: `${SITE}pricing`, utmSource: null, utmMedium: null, utmCampaign: null },
  {
    pageUrl: `${SITE}?utm_source=google&utm_medium=cpc&utm_campaign=q1`,
    utmSource: 'google',
    utmMedium: 'cpc',
    utmCampaign: 'q1',
  },
  {
    pageUrl: `${SITE}docs?utm_source=newsletter&utm_medium=email`,
    utmSource: 'newsletter',
    utmMedium: 'email',
    utmCampaign: null,
  },
]

type Row =
  | { kind: 'visit'; row: VisitRow }
  | { kind: 'offline'; row: OfflineTouchRow }
  | { kind: 'link'; row: IdentityLinkRow }
  | { kind: 'alias'; row: AliasRow }
  | { kind: 'group'; row: GroupRow }

const visitArb = fc
  .record({
    // Server-side visits (no anonymous ID) are devices of their userId, else email.
    anonymousId: fc.constantFrom(...ANONS, null),
    userId: fc.constantFrom(null, null, ...USERS),
    email: fc.constantFrom(null, null, ...EMAILS),
    timestamp: time,
    sessionId,
    page: fc.constantFrom(...PAGES),
    referrer: fc.constantFrom(
      null,
      'https://www.google.com/',
      'https://news.ycombinator.com/',
      SITE,
    ),
  })
  .map(({ page, ...row }) => ({
    kind: 'visit' as const,
    row: { id: 0, ...row, ...page, utmTerm: null, utmContent: null },
  }))

const offlineArb = fc
  .record({
    // Mostly by anonymous ID alone: on a shared device, placed by the sessions around it.
    anonymousId: fc.constantFrom(...ANONS, null),
    userId: fc.constantFrom(null, null, null, 'u0'),
    email: fc.constantFrom(null, null, null, 'ada@acme.com'),
    timestamp: time,
    properties: fc.constantFrom<Record<string, unknown>>(
      { channel: 'Events', source: 'expo', campaign: 'fair' },
      { source: 'sales-call' },
      {},
    ),
  })
  .map((row) => ({
    kind: 'offline' as const,
    row: { id: 0, messageId: '', sessionId: null, ...row },
  }))

/** A link as the store reads them: an anonymous ID with a userId or email. */
const linkArb = fc
  .record({
    anonymousId: anon,
    userId: maybe(fc.constantFrom(...USERS)),
    email: fc.constantFrom(...EMAILS),
    timestamp: time,
    sessionId,
  })
  .map((row) => ({ kind: 'link' as const, row: { messageId: '', ...row } }))

const aliasArb = fc
  .record({
    previousId: fc.constantFrom(...ANONS, ...USERS),
    userId: fc.constantFrom(...USERS, 'u-crm'),
    timestamp: time,
  })
  .map((row) => ({ kind: 'alias' as const, row: { messageId: '', ...row } }))

const groupArb = fc
  .record({
    groupId: fc.constantFrom('g-acme', 'g-beta'),
    anonymousId: maybe(anon),
    userId: maybe(fc.constantFrom(...USERS)),
    timestamp: time,
    sessionId,
  })
  .map((row) => ({ kind: 'group' as const, row: { messageId: '', ...row } }))

/** Rows with their event ids in order (1, 2, …), and messageIds of their own. */
const rowsArb = fc
  .array(
    fc.oneof(
      { arbitrary: visitArb, weight: 6 },
      { arbitrary: offlineArb, weight: 2 },
      { arbitrary: linkArb, weight: 2 },
      { arbitrary: aliasArb, weight: 1 },
      { arbitrary: groupArb, weight: 1 },
    ),
    { minLength: 1, maxLength: 40, size: 'medium' },
  )
  .map((rows) =>
    rows.map((entry, i) => {
      const row = { ...entry.row, messageId: `m${i + 1}` }
      return { ...entry, row: 'id' in row ? { ...row, id: i + 1 } : row } as Row
    }),
  )

const conversionsArb = fc.array(
  fc.record({
    anonymousId: maybe(anon),
    userId: maybe(fc.constantFrom(...USERS)),
    email: maybe(fc.constantFrom(...EMAILS)),
    sessionId,
    timestamp: time,
  }),
  { minLength: 1, maxLength: 6 },
)

/**
 * The steps of a run: the rows up to `cut` (per cent of them, in increasing order), then
 * what happens before the next.
 */
const stepsArb = fc
  .array(
    fc.record({
      cut: fc.integer({ min: 1, max: 100 }),
      slices: fc.integer({ min: 1, max: 3 }),
      report: fc.boolean(),
      save: fc.boolean(),
      restart: fc.boolean(),
    }),
    { maxLength: 5 },
  )
  .map((steps) => steps.sort((a, b) => a.cut - b.cut))

function evidenceOf(rows: readonly Row[]): IdentityEvidence {
  const evidence: IdentityEvidence = { links: [], aliases: [], groups: [] }
  for (const entry of rows) {
    if (entry.kind === 'link') evidence.links.push(entry.row)
    if (entry.kind === 'alias') evidence.aliases.push(entry.row)
    if (entry.kind === 'group') evidence.groups.push(entry.row)
  }
  return evidence
}

const visitsOf = (rows: readonly Row[]) =>
  rows.flatMap((entry) => (entry.kind === 'visit' ? [entry.row] : []))
const offlineOf = (rows: readonly Row[]) =>
  rows.flatMap((entry) => (entry.kind === 'offline' ? [entry.row] : []))

/** What `Store.unsessionedVisits` answers: the device's visits without a session id. */
function unsessioned(rows: readonly Row[], device: DeviceRef): VisitRow[] {
  return visitsOf(rows)
    .filter((row) => row.sessionId === null && deviceOf(row).key === device.key)
    .sort((a, b) => a.timestamp - b.timestamp || a.id - b.id)
}

/**
 * Adds `rows[from, to)` as the engine's catch-up does, in `slices` reads (evidence only once
 * the state has identities); `rows` are all the rows, the store as it is then.
 */
function feed(state: JourneyState, rows: readonly Row[], to: number, slices = 1): void {
  const from = state.version.lastEventId
  const catchUp = state.catchUp()
  const size = Math.max(1, Math.ceil((to - from) / slices))
  for (let at = from; at < to; at += size) {
    const slice = rows.slice(at, Math.min(to, at + size))
    catchUp.add({
      visits: visitsOf(slice),
      offline: offlineOf(slice),
      evidence: state.identified ? evidenceOf(slice) : undefined,
    })
  }
  const known = rows.slice(0, to)
  for (const device of catchUp.rulesStale()) {
    catchUp.setRuleVisits(device, unsessioned(known, device))
  }
  catchUp.finish({ lastEventId: to, erasures: 0 })
}

/** Identities as the engine gives a state its first: resolved from the evidence so far. */
function identify(state: JourneyState, rows: readonly Row[]): void {
  if (!state.identified) {
    state.setIdentity(identityOf(evidenceOf(rows.slice(0, state.version.lastEventId))))
  }
}

/** Where saved sessions go: as a store keeps them, by device, with the cursor. */
interface Saved {
  devices: Map<string, { device: DeviceRef; sessions: DerivedSession[] }>
  lastEventId: number
}

function save(state: JourneyState, saved: Saved): void {
  const unsaved = state.takeUnsaved()
  if (!unsaved) return
  if (unsaved.all) saved.devices.clear()
  for (const entry of unsaved.devices) saved.devices.set(entry.device.key, structuredClone(entry))
  saved.lastEventId = unsaved.lastEventId
  state.saved(unsaved.lastEventId)
}

/** A state as a restart reads it: the saved sessions, the offline touches up to their cursor. */
function restart(rows: readonly Row[], saved: Saved): JourneyState {
  const state = new JourneyState(SETTINGS)
  state.loadDerivation(SETTINGS.derivationKey, SETTINGS.options, saved.lastEventId)
  for (const { device, sessions } of saved.devices.values()) {
    state.addStoredDevice(device, structuredClone(sessions))
  }
  state.addOffline(offlineOf(rows.slice(0, saved.lastEventId)))
  return state
}

/** Every identifier a person or an unidentified device can be known by. */
function candidates(graph: IdentityGraph): string[] {
  return [
    ...new Set([
      ...graph.persons.map((person) => person.key),
      ...graph.personByIdentifier.values(),
      ...ANONS.map(anonKey),
      ...[...USERS, 'u-crm'].map(userKey),
      ...EMAILS.map(emailKey),
    ]),
  ].sort()
}

/** What every query's journeys answer, in a comparable form. */
function answers(state: JourneyState, conversions: readonly ConversionRow[]) {
  return QUERIES.map((query) => {
    const journeys = state.journeys(PROJECT, query, MAINTAINED)
    const people = candidates(journeys.graph)
    const owners = [...new Set(people.map(journeys.ownerOf))].sort()
    return {
      people: people.map((person) => ({
        person,
        owner: journeys.ownerOf(person),
        // Touches of one time are in no particular order: sorted to compare.
        touches: journeys
          .touchesOfPerson(person)
          .map((touch) => JSON.stringify(touch))
          .sort(),
      })),
      owners: owners.map((owner) => ({
        owner,
        touches: journeys.touchesByOwner.get(owner) ?? [],
        identifiedAt: journeys.identifiedAt(owner) ?? null,
      })),
      paths: journeys
        .keyPaths({ from: -Infinity, to: Infinity }, new Set())
        .map((path) => `${path.journeys} × ${path.path.join(' > ')}`)
        .sort(),
      conversions: conversions.map((row) => journeys.conversionOwner(row) ?? null),
    }
  })
}

/** A state fed the first `to` rows at once, as a fresh derivation would be. */
function fresh(rows: readonly Row[], to: number): JourneyState {
  const state = new JourneyState(SETTINGS)
  state.setIdentity(identityOf(evidenceOf(rows.slice(0, to))))
  feed(state, rows, to)
  return state
}

describe('the journey state', () => {
  it('fed batch by batch, with reports, saves and restarts between, answers as if fed everything at once', () => {
    let reported = 0
    fc.assert(
      fc.property(rowsArb, stepsArb, conversionsArb, (rows, steps, conversionRefs) => {
        const conversions: ConversionRow[] = conversionRefs.map((ref, i) => ({
          id: 10_000 + i,
          messageId: `c${i}`,
          value: null,
          ...ref,
        }))
        const cuts = [
          ...steps.map((step) => Math.ceil((step.cut * rows.length) / 100)),
          rows.length,
        ]
        let state = new JourneyState(SETTINGS)
        const saved: Saved = { devices: new Map(), lastEventId: 0 }
        for (const [i, cut] of cuts.entries()) {
          const step = steps[i]
          if (cut > state.version.lastEventId) feed(state, rows, cut, step?.slices)
          if (!step) break
          if (step.report) {
            identify(state, rows)
            const at = state.version.lastEventId
            expect(answers(state, conversions), `after ${at} rows`).toEqual(
              answers(fresh(rows, at), conversions),
            )
            reported++
          }
          if (step.save || step.restart) save(state, saved)
          if (step.restart) state = restart(rows, saved)
        }
        identify(state, rows)
        const expected = answers(fresh(rows, rows.length), conversions)
        expect(answers(state, conversions)).toEqual(expected)
      }),
      { numRuns: 600 },
    )
    // Reports in between happened (not only the final comparison).
    expect(reported).toBeGreaterThan(300)
  })

  it('is compared on journeys that are not empty', () => {
    // A fixed journey: the comparison above reads people, touches, paths and owners.
    const rows: Row[] = [
      { kind: 'visit', row: { ...visitRow(1, 'a0', T0), ...PAGES[2] } },
      { kind: 'link', row: link('m2', 'a0', 'ada@acme.com', T0 + MIN) },
      { kind: 'visit', row: { ...visitRow(3, 'a0', T0 + 2 * 60 * MIN), ...PAGES[3] } },
    ]
    const conversion: ConversionRow = {
      id: 9,
      messageId: 'c',
      anonymousId: 'a0',
      userId: null,
      email: null,
      sessionId: null,
      timestamp: T0 + 3 * 60 * MIN,
      value: null,
    }
    const [byChannel] = answers(fresh(rows, rows.length), [conversion])
    expect(byChannel?.conversions).toEqual(['email:ada@acme.com'])
    expect(byChannel?.paths).toEqual(['1 × Paid Search > Email'])
    expect(byChannel?.owners.find((o) => o.owner === 'email:ada@acme.com')).toMatchObject({
      touches: [
        { time: T0, key: 'Paid Search' },
        { time: T0 + 2 * 60 * MIN, key: 'Email' },
      ],
      identifiedAt: T0 + MIN,
    })
  })

  it("moves a shared device's offline touch with the new session that covers it", () => {
    // a0 is bob's, then ada's: an offline touch between goes to bob, the person before it,
    // until a visit just before it opens a session whose reach holds it and ada's identify.
    const T = T0 + 60 * MIN
    const offline: OfflineTouchRow = {
      id: 3,
      messageId: 'm3',
      anonymousId: 'a0',
      userId: null,
      email: null,
      sessionId: null,
      timestamp: T,
      properties: { channel: 'Events', source: 'expo' },
    }
    const rows: Row[] = [
      { kind: 'link', row: link('m1', 'a0', 'bob@acme.com', T0) },
      { kind: 'link', row: link('m2', 'a0', 'ada@acme.com', T + 10 * MIN) },
      { kind: 'offline', row: offline },
      { kind: 'visit', row: visitRow(4, 'a0', T - 5 * MIN) },
    ]
    const state = new JourneyState(SETTINGS)
    feed(state, rows, 3)
    identify(state, rows)
    const owner = (answer: ReturnType<typeof answers>) =>
      answer[0]?.owners.find((o) => o.touches.some((touch) => touch.key === 'Events'))?.owner
    expect(owner(answers(state, []))).toBe('email:bob@acme.com')
    feed(state, rows, 4)
    expect(owner(answers(state, []))).toBe('email:ada@acme.com')
    expect(answers(state, [])).toEqual(answers(fresh(rows, 4), []))
  })
})

function visitRow(id: number, anonymousId: string, timestamp: number): VisitRow {
  return {
    id,
    anonymousId,
    userId: null,
    email: null,
    timestamp,
    sessionId: null,
    referrer: null,
    utmTerm: null,
    utmContent: null,
    ...(PAGES[0] as (typeof PAGES)[number]),
  }
}

function link(messageId: string, anonymousId: string, email: string, timestamp: number) {
  return { messageId, anonymousId, userId: null, email, sessionId: null, timestamp }
}
