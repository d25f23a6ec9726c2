import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sessionReaches } from '../sessions/sessions'
import {
  type AliasLink,
  anonKey,
  emailKey,
  eventOwner,
  type IdentityLink,
  identifiersOfKey,
  parseIdentifierKey,
  resolveIdentities,
  type SessionSpan,
  sessionOwner,
  userKey,
} from './graph'
import { aliasArb, linkArb, maybe } from './testing'

const MIN = 60_000
const DAY = 86_400_000

let seq = 0
const link = (
  timestamp: number,
  ids: Omit<IdentityLink, 'messageId' | 'timestamp'>,
  messageId = `m${++seq}`,
): IdentityLink => ({ messageId, timestamp, ...ids })

/** A device's sessions by the shared rules (no SDK id), given as [start, end], with their reach. */
function spans(anonymousId: string, ...times: [number, number][]): SessionSpan[] {
  const sessions = times.map(([start, end]) => ({ start, end }))
  const reaches = sessionReaches(sessions)
  return sessions.map((session, i) => ({ anonymousId, id: null, ...session, reach: reaches[i] }))
}

describe('resolveIdentities', () => {
  it('is retroactive: sessions before the identify belong to the person', () => {
    const graph = resolveIdentities({
      links: [link(100, { anonymousId: 'a1', email: 'ada@acme.com' }, 'id-1')],
    })
    expect(graph.persons).toEqual([
      {
        key: 'email:ada@acme.com',
        userIds: [],
        emails: ['ada@acme.com'],
        anonymousIds: ['a1'],
        sharedAnonymousIds: [],
        aliasIds: [],
      },
    ])
    expect(sessionOwner(graph, { anonymousId: 'a1', start: 0, end: 10 })).toBe('email:ada@acme.com')
    expect(sessionOwner(graph, { anonymousId: 'a2', start: 0, end: 10 })).toBe('anon:a2')
    expect(graph.decisions).toEqual([
      {
        kind: 'merged',
        identifiers: ['anon:a1', 'email:ada@acme.com'],
        person: 'email:ada@acme.com',
        messageId: 'id-1',
        timestamp: 100,
        reason:
          'anonymous ID "a1" was identified as email:ada@acme.com: all its sessions, earlier ones included, belong to this person',
      },
    ])
  })

  it('joins devices identified with one email (trimmed, lower-cased)', () => {
    const graph = resolveIdentities({
      links: [
        link(100, { anonymousId: 'laptop', email: ' Ada@Acme.com ' }),
        link(200, { anonymousId: 'phone', email: 'ada@acme.com' }),
      ],
    })
    expect(graph.persons).toEqual([
      {
        key: 'email:ada@acme.com',
        userIds: [],
        emails: ['ada@acme.com'],
        anonymousIds: ['laptop', 'phone'],
        sharedAnonymousIds: [],
        aliasIds: [],
      },
    ])
  })

  it('makes a userId and an email identified together one identity, keyed by the userId', () => {
    const graph = resolveIdentities({
      links: [
        link(100, { anonymousId: 'a1', userId: 'u-42', email: 'ada@acme.com' }),
        link(200, { anonymousId: 'a2', email: 'ada@acme.com' }),
        link(300, { anonymousId: 'a3', userId: 'u-42' }),
        // A server-side event: no anonymous ID, still joins its userId and email.
        link(400, { userId: 'u-43', email: 'bob@acme.com' }),
      ],
    })
    expect(graph.persons).toEqual([
      {
        key: 'user:u-42',
        userIds: ['u-42'],
        emails: ['ada@acme.com'],
        anonymousIds: ['a1', 'a2', 'a3'],
        sharedAnonymousIds: [],
        aliasIds: [],
      },
      {
        key: 'user:u-43',
        userIds: ['u-43'],
        emails: ['bob@acme.com'],
        anonymousIds: [],
        sharedAnonymousIds: [],
        aliasIds: [],
      },
    ])
    expect(eventOwner(graph, { email: 'BOB@acme.com', time: 0 })).toBe('user:u-43')
    expect(eventOwner(graph, { userId: 'u-42', time: 0 })).toBe('user:u-42')
    expect(eventOwner(graph, { userId: 'u-99', time: 0 })).toBe('user:u-99')
    expect(eventOwner(graph, { anonymousId: 'a9', time: 0 })).toBe('anon:a9')
    expect(eventOwner(graph, { userId: 'null', time: 0 })).toBeUndefined()
  })

  it('never merges two people through a shared anonymous ID, and splits its sessions', () => {
    const graph = resolveIdentities({
      links: [
        link(1_000, { anonymousId: 'kiosk', email: 'ada@acme.com', sessionId: 's2' }, 'ada-1'),
        link(3_000, { anonymousId: 'kiosk', email: 'bob@acme.com', sessionId: 's4' }, 'bob-1'),
        link(2_000, { anonymousId: 'ada-phone', email: 'ada@acme.com' }, 'ada-2'),
      ],
    })
    expect(graph.persons.map((p) => [p.key, p.anonymousIds, p.sharedAnonymousIds])).toEqual([
      ['email:ada@acme.com', ['ada-phone'], ['kiosk']],
      ['email:bob@acme.com', [], ['kiosk']],
    ])
    const owner = (id: string | null, start: number, end: number) =>
      sessionOwner(graph, { anonymousId: 'kiosk', id, start, end })
    expect(owner('s1', 0, 500)).toBe('email:ada@acme.com') // before any identify: the first
    expect(owner('s2', 900, 1_100)).toBe('email:ada@acme.com') // identified in it
    expect(owner('s3', 2_000, 2_500)).toBe('email:ada@acme.com') // the last one before it
    expect(owner('s4', 2_900, 3_100)).toBe('email:bob@acme.com') // identified in it
    expect(owner(null, 2_950, 3_050)).toBe('email:bob@acme.com') // by time, without an id
    expect(owner('s5', 4_000, 4_100)).toBe('email:bob@acme.com') // the last one before it
    expect(graph.decisions.find((d) => d.kind === 'kept_apart')).toEqual({
      kind: 'kept_apart',
      identifiers: ['anon:kiosk', 'email:ada@acme.com', 'email:bob@acme.com'],
      person: null,
      messageId: 'ada-1',
      timestamp: 1_000,
      reason:
        'anonymous ID "kiosk" was identified as 2 different people (a shared device): they are never merged; each session belongs to the person identified in it, else to the last one identified before it, else to the first one',
    })
    // Events go with their session, else with the identifications around them.
    const sessions = [{ anonymousId: 'kiosk', id: 's4', start: 2_900, end: 3_100 }]
    expect(
      eventOwner(graph, { anonymousId: 'kiosk', time: 2_950, sessionId: 's4' }, sessions),
    ).toBe('email:bob@acme.com')
    expect(eventOwner(graph, { anonymousId: 'kiosk', time: 2_950 })).toBe('email:ada@acme.com')
    expect(eventOwner(graph, { anonymousId: 'kiosk', time: 3_500 })).toBe('email:bob@acme.com')
  })

  it('puts an identify and a conversion shortly after a landing in its session, without session ids', () => {
    const graph = resolveIdentities({
      links: [
        link(MIN, { anonymousId: 'kiosk', email: 'ada@acme.com' }),
        link(DAY + MIN, { anonymousId: 'kiosk', email: 'bob@acme.com' }),
        // 31 minutes after the third session's only visit: past its reach.
        link(2 * DAY + 31 * MIN, { anonymousId: 'kiosk', email: 'cy@acme.com' }),
      ],
    })
    const sessions = spans('kiosk', [0, 0], [DAY, DAY], [2 * DAY, 2 * DAY])
    expect(sessions.map((span) => sessionOwner(graph, span))).toEqual([
      'email:ada@acme.com',
      'email:bob@acme.com',
      'email:bob@acme.com',
    ])
    // Bob's conversion, a minute after his identify and with no page: his session.
    expect(eventOwner(graph, { anonymousId: 'kiosk', time: DAY + 2 * MIN }, sessions)).toBe(
      'email:bob@acme.com',
    )
    // Just before Bob's landing: in no session, so the last identified before it (Ada).
    expect(eventOwner(graph, { anonymousId: 'kiosk', time: DAY - 1 }, sessions)).toBe(
      'email:ada@acme.com',
    )
    // A span without its reach ends at its last visit: Bob's identify is not in it.
    expect(sessionOwner(graph, { anonymousId: 'kiosk', start: DAY, end: DAY })).toBe(
      'email:ada@acme.com',
    )
  })

  it('ends a session’s reach where the device’s next session starts; SDK sessions match by id', () => {
    const graph = resolveIdentities({
      links: [
        link(MIN, { anonymousId: 'kiosk', email: 'ada@acme.com' }),
        // 6 minutes in: after the next session (another campaign) started at 5 minutes.
        link(6 * MIN, { anonymousId: 'kiosk', email: 'bob@acme.com' }),
        link(DAY + MIN, { anonymousId: 'kiosk', email: 'cy@acme.com', sessionId: 's2' }),
      ],
    })
    const [first, second] = spans('kiosk', [0, 0], [5 * MIN, 5 * MIN])
    expect(first?.reach).toBe(5 * MIN - 1)
    expect(sessionOwner(graph, first as SessionSpan)).toBe('email:ada@acme.com')
    expect(sessionOwner(graph, second as SessionSpan)).toBe('email:bob@acme.com')
    // Cy was identified in SDK session s2: not in s1, however far s1 reaches.
    const s1 = { anonymousId: 'kiosk', id: 's1', start: DAY, end: DAY, reach: DAY + 30 * MIN }
    expect(sessionOwner(graph, s1)).toBe('email:bob@acme.com')
    expect(sessionOwner(graph, { ...s1, id: 's2' })).toBe('email:cy@acme.com')
  })

  it('assigns a session identified twice to the last identity identified in it', () => {
    const graph = resolveIdentities({
      links: [
        link(10, { anonymousId: 'k', userId: 'ada', sessionId: 's1' }),
        link(20, { anonymousId: 'k', userId: 'bob', sessionId: 's1' }),
      ],
    })
    expect(sessionOwner(graph, { anonymousId: 'k', id: 's1', start: 0, end: 30 })).toBe('user:bob')
  })

  it('refuses illegal identifiers and non-emails, with a reason, keeping the rest of the link', () => {
    const graph = resolveIdentities({
      links: [
        link(1, { anonymousId: 'anonymous', userId: 'u-1' }, 'bad-anon'),
        link(2, { anonymousId: 'a1', userId: ' NULL ', email: 'ada@acme.com' }, 'bad-user'),
        link(3, { anonymousId: 'a2', userId: 'u-2', email: 'not-an-email' }, 'bad-email'),
      ],
    })
    expect(graph.decisions.filter((d) => d.kind === 'refused')).toEqual([
      {
        kind: 'refused',
        identifiers: ['anon:anonymous'],
        person: null,
        messageId: 'bad-anon',
        timestamp: 1,
        reason:
          '"anonymous" is not a usable anonymous ID (empty, "null", "anonymous", "0", … are refused)',
      },
      {
        kind: 'refused',
        identifiers: ['user:NULL'],
        person: null,
        messageId: 'bad-user',
        timestamp: 2,
        reason: '"NULL" is not a usable userId (empty, "null", "anonymous", "0", … are refused)',
      },
      {
        kind: 'refused',
        identifiers: ['email:not-an-email'],
        person: null,
        messageId: 'bad-email',
        timestamp: 3,
        reason: '"not-an-email" is not an email address',
      },
    ])
    expect(graph.persons.map((p) => [p.key, p.anonymousIds])).toEqual([
      ['email:ada@acme.com', ['a1']],
      ['user:u-1', []],
      ['user:u-2', ['a2']],
    ])
  })

  it('links an anonymous ID to at most 10 identities, refusing the later ones', () => {
    const links = Array.from({ length: 12 }, (_, i) =>
      link(
        i,
        { anonymousId: 'shared', email: `p${String(i).padStart(2, '0')}@acme.com` },
        `m-${i}`,
      ),
    )
    const graph = resolveIdentities({ links })
    const refused = graph.decisions.filter((d) => d.kind === 'refused')
    expect(refused.map((d) => [d.identifiers, d.messageId])).toEqual([
      [['anon:shared', 'email:p10@acme.com'], 'm-10'],
      [['anon:shared', 'email:p11@acme.com'], 'm-11'],
    ])
    expect(refused[0]?.reason).toBe(
      'anonymous ID "shared" is already linked to 10 people: further identities are refused',
    )
    expect(graph.sharedDevices.get('shared')?.map((i) => i.person)).toHaveLength(10)
    const p11 = graph.persons.find((p) => p.key === 'email:p11@acme.com')
    expect(p11?.sharedAnonymousIds).toEqual([])
    expect(resolveIdentities({ links }, { maxIdentitiesPerAnonymousId: 1 }).persons[0]).toEqual({
      key: 'email:p00@acme.com',
      userIds: [],
      emails: ['p00@acme.com'],
      anonymousIds: ['shared'],
      sharedAnonymousIds: [],
      aliasIds: [],
    })
  })

  it('follows aliases: an earlier anonymous ID joins the user, an earlier userId is renamed', () => {
    const aliases: AliasLink[] = [
      { messageId: 'al-1', timestamp: 5, previousId: 'pre-signup', userId: 'u-1' },
      { messageId: 'al-2', timestamp: 6, previousId: 'old-u', userId: 'u-1' },
      // A loop joins nothing new; an alias to itself is refused.
      { messageId: 'al-3', timestamp: 7, previousId: 'u-1', userId: 'old-u' },
      { messageId: 'al-4', timestamp: 8, previousId: 'u-1', userId: 'u-1' },
    ]
    const graph = resolveIdentities({
      links: [link(1, { anonymousId: 'a-old', userId: 'old-u' }, 'id-old')],
      aliases,
    })
    expect(graph.persons).toEqual([
      {
        key: 'user:old-u',
        userIds: ['old-u', 'u-1'],
        emails: [],
        anonymousIds: ['a-old', 'pre-signup'],
        sharedAnonymousIds: [],
        aliasIds: ['pre-signup'],
      },
    ])
    expect(graph.decisions.map((d) => [d.kind, d.messageId, d.reason])).toEqual([
      [
        'merged',
        'id-old',
        'anonymous ID "a-old" was identified as user:old-u: all its sessions, earlier ones included, belong to this person',
      ],
      [
        'merged',
        'al-1',
        'anonymous ID "pre-signup" was identified as user:old-u: all its sessions, earlier ones included, belong to this person',
      ],
      // No link names "pre-signup": it may have been a userId too.
      [
        'merged',
        'al-1',
        'alias: "pre-signup" is now "u-1", and no identify says whether it was an anonymous ID or a userId: events sent with it as either belong to this person',
      ],
      ['merged', 'al-2', 'alias: userId "old-u" is now "u-1"'],
      ['merged', 'al-3', 'alias: userId "u-1" is now "old-u"'],
      ['refused', 'al-4', 'alias of "u-1" to itself: nothing to join'],
    ])
  })

  it('takes an aliased previousId no link names as both kinds, unless aliased to several people', () => {
    const graph = resolveIdentities({
      links: [
        link(1, { anonymousId: 'laptop', userId: 'u-new' }),
        link(1, { anonymousId: 'tablet', userId: 'u-other' }),
        // "seen" is named as an anonymous ID: it was one.
        link(1, { anonymousId: 'seen', email: 'ada@acme.com' }),
      ],
      aliases: [
        { messageId: 'al-1', timestamp: 5, previousId: 'u-old', userId: 'u-new' },
        { messageId: 'al-2', timestamp: 5, previousId: 'seen', userId: 'u-new' },
        { messageId: 'al-3', timestamp: 6, previousId: 'twice', userId: 'u-new' },
        { messageId: 'al-4', timestamp: 7, previousId: 'twice', userId: 'u-other' },
      ],
    })
    expect(graph.persons.map((p) => [p.key, p.aliasIds, p.userIds])).toEqual([
      ['email:ada@acme.com', [], []],
      ['user:u-new', ['u-old'], ['u-new']],
      ['user:u-other', [], ['u-other']],
    ])
    // A server-side event sent with the old id is the renamed person's.
    expect(eventOwner(graph, { userId: 'u-old', time: 9 })).toBe('user:u-new')
    expect(eventOwner(graph, { userId: 'seen', time: 9 })).toBe('user:seen')
    expect(eventOwner(graph, { userId: 'twice', time: 9 })).toBe('user:twice')
    expect(graph.decisions.filter((d) => d.messageId === 'al-3')).toEqual([
      {
        kind: 'kept_apart',
        identifiers: ['anon:twice', 'user:u-new', 'user:u-other'],
        person: null,
        messageId: 'al-3',
        timestamp: 6,
        reason:
          'anonymous ID "twice" was identified as 2 different people (a shared device): they are never merged; each session belongs to the person identified in it, else to the last one identified before it, else to the first one',
      },
      {
        kind: 'refused',
        identifiers: ['user:twice', 'user:u-new', 'user:u-other'],
        person: null,
        messageId: 'al-3',
        timestamp: 6,
        reason:
          '"twice" was aliased to 2 different people: it is not taken as a userId of any of them',
      },
    ])
  })
})

const inputArb = fc
  .record({
    links: fc.array(linkArb(), { maxLength: 25 }),
    aliases: fc.array(aliasArb(), { maxLength: 4 }),
  })
  .map(({ links, aliases }) => ({
    links: links.map((l, i) => ({ ...l, messageId: `l${i}` })),
    aliases: aliases.map((a, i) => ({ ...a, messageId: `al${i}` })),
  }))

const snapshot = (graph: ReturnType<typeof resolveIdentities>) => ({
  persons: graph.persons,
  decisions: graph.decisions,
  personByIdentifier: [...graph.personByIdentifier].sort(),
  sharedDevices: [...graph.sharedDevices].sort(),
})

describe('resolveIdentities properties', () => {
  it('gives the same graph for any order of the same links', () => {
    fc.assert(
      fc.property(
        inputArb,
        fc.func(fc.integer()),
        fc.integer({ min: 1, max: 3 }),
        (input, rank, max) => {
          const shuffle = <T>(items: readonly T[]) =>
            items
              .map((item, i) => ({ item, r: rank(i) }))
              .sort((a, b) => a.r - b.r)
              .map(({ item }) => item)
          const options = { maxIdentitiesPerAnonymousId: max }
          const shuffled = { links: shuffle(input.links), aliases: shuffle(input.aliases) }
          expect(snapshot(resolveIdentities(shuffled, options))).toEqual(
            snapshot(resolveIdentities(input, options)),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never puts two identities in one person through anonymous IDs alone', () => {
    // Each link names one known identifier: only anonymous IDs could join them.
    const single = linkArb().map(({ userId, email, ...rest }) =>
      userId !== undefined ? { ...rest, userId } : { ...rest, email },
    )
    fc.assert(
      fc.property(fc.array(single, { maxLength: 30 }), (links) => {
        const graph = resolveIdentities({
          links: links.map((l, i) => ({ ...l, messageId: `l${i}` })),
        })
        for (const person of graph.persons) {
          expect(person.userIds.length + person.emails.length).toBe(1)
        }
      }),
    )
  })

  it('assigns every session of an anonymous ID to exactly one person who holds that ID', () => {
    const sessionArb = fc.record({
      anonymousId: fc.constantFrom('a0', 'a1', 'a2', 'a3', 'a4'),
      id: maybe(fc.constantFrom('s0', 's1', 's2')),
      start: fc.integer({ min: 0, max: 50 }),
      length: fc.integer({ min: 0, max: 10 }),
    })
    fc.assert(
      fc.property(inputArb, fc.array(sessionArb, { maxLength: 10 }), (input, sessions) => {
        const graph = resolveIdentities(input)
        for (const { length, ...session } of sessions) {
          const owner = sessionOwner(graph, { ...session, end: session.start + length })
          const holders = graph.persons.filter(
            (p) =>
              p.anonymousIds.includes(session.anonymousId) ||
              p.sharedAnonymousIds.includes(session.anonymousId),
          )
          if (holders.length === 0) expect(owner).toBe(`anon:${session.anonymousId}`)
          else expect(holders.map((p) => p.key)).toContain(owner)
          // Owned whole by one person, or shared: never both.
          const owners = holders.filter((p) => p.anonymousIds.includes(session.anonymousId))
          expect(owners.length === 0 || holders.length === 1).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('identifier keys', () => {
  it('parse back to what they name', () => {
    expect(parseIdentifierKey(anonKey('laptop'))).toEqual({ kind: 'anon', value: 'laptop' })
    expect(parseIdentifierKey(userKey('u:1'))).toEqual({ kind: 'user', value: 'u:1' })
    expect(parseIdentifierKey(emailKey('ada@acme.com'))).toEqual({
      kind: 'email',
      value: 'ada@acme.com',
    })
    expect(identifiersOfKey(userKey('u-1'))).toEqual({
      anonymousIds: [],
      userIds: ['u-1'],
      emails: [],
    })
  })

  it.each(['acme.com', 'account:acme.com', 'users:u-1', ':x', ''])('name nothing: %j', (key) => {
    expect(parseIdentifierKey(key)).toBeUndefined()
    expect(identifiersOfKey(key)).toEqual({ anonymousIds: [], userIds: [], emails: [] })
  })
})
