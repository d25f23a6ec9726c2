import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normaliseEmail } from './email'
import { emailKey, type IdentityGraph, resolveIdentities, userKey } from './graph'
import { IdentityResolver, sameIdentifications } from './resolver'

// Small pools so that random links collide often, and components join and split.
const ANONS = ['a0', 'a1', 'a2', 'a3', 'a4', 'null', ' a1 ']
const USERS = ['u0', 'u1', 'u2', 'u3', 'anonymous']
const EMAILS = ['e0@x.com', 'E1@x.com ', 'e2@y.org', 'e3@y.org', 'nope']
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
const linkArb = fc.record({
  timestamp: fc.integer({ min: 0, max: 50 }),
  anonymousId: maybe(fc.constantFrom(...ANONS)),
  userId: maybe(fc.constantFrom(...USERS)),
  email: maybe(fc.constantFrom(...EMAILS)),
  sessionId: maybe(fc.constantFrom('s0', 's1', 's2')),
})
const aliasArb = fc.record({
  timestamp: fc.integer({ min: 0, max: 50 }),
  previousId: fc.constantFrom(...ANONS, ...USERS),
  userId: fc.constantFrom(...USERS),
})
/** Evidence in batches, each link and alias with a message id of its own. */
const batchesArb = fc
  .array(
    fc.record({
      links: fc.array(linkArb, { maxLength: 8 }),
      aliases: fc.array(aliasArb, { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((batches) =>
    batches.map(({ links, aliases }, b) => ({
      links: links.map((l, i) => ({ ...l, messageId: `l${b}-${i}` })),
      aliases: aliases.map((a, i) => ({ ...a, messageId: `al${b}-${i}` })),
    })),
  )

const snapshot = (graph: IdentityGraph) => ({
  persons: graph.persons,
  decisions: graph.decisions,
  personByIdentifier: [...graph.personByIdentifier].sort(),
  sharedDevices: [...graph.sharedDevices].sort(),
})

/** When each person was first identified: the earliest link naming their userId, else email. */
function firstIdentified(
  graph: IdentityGraph,
  links: Parameters<typeof resolveIdentities>[0]['links'],
) {
  const first = new Map<string, number>()
  for (const link of links) {
    const byUser = link.userId
      ? graph.personByIdentifier.get(userKey(link.userId.trim()))
      : undefined
    const email = link.email ? normaliseEmail(link.email) : undefined
    const person =
      byUser ?? (email?.ok ? graph.personByIdentifier.get(emailKey(email.email)) : undefined)
    if (person === undefined) continue
    const known = first.get(person)
    if (known === undefined || link.timestamp < known) first.set(person, link.timestamp)
  }
  return [...first].sort()
}

describe('IdentityResolver', () => {
  it('fed batch by batch, holds the graph of all the evidence resolved at once, and names exactly what changed', () => {
    fc.assert(
      fc.property(batchesArb, fc.integer({ min: 1, max: 3 }), (batches, max) => {
        const options = { maxIdentitiesPerAnonymousId: max }
        const resolver = new IdentityResolver(options)
        const all = {
          links: [] as (typeof batches)[0]['links'],
          aliases: [] as (typeof batches)[0]['aliases'],
        }
        let before = resolveIdentities(all, options)
        for (const batch of batches) {
          const changes = resolver.add(batch)
          all.links.push(...batch.links)
          all.aliases.push(...batch.aliases)
          const whole = resolveIdentities(all, options)
          expect(snapshot(resolver.graph)).toEqual(snapshot(whole))
          expect([...resolver.firstIdentified].sort()).toEqual(firstIdentified(whole, all.links))
          // Exactly the identifiers whose person differs between the two whole graphs.
          const changed = new Set<string>()
          for (const key of new Set([
            ...before.personByIdentifier.keys(),
            ...whole.personByIdentifier.keys(),
          ])) {
            if (before.personByIdentifier.get(key) !== whole.personByIdentifier.get(key))
              changed.add(key)
          }
          expect([...changes.identifiers].sort()).toEqual([...changed].sort())
          const shared = new Set<string>()
          for (const anon of new Set([
            ...before.sharedDevices.keys(),
            ...whole.sharedDevices.keys(),
          ])) {
            if (
              !sameIdentifications(before.sharedDevices.get(anon), whole.sharedDevices.get(anon))
            ) {
              shared.add(anon)
            }
          }
          expect([...changes.sharedDevices].sort()).toEqual([...shared].sort())
          before = whole
        }
      }),
      { numRuns: 400 },
    )
  })

  it('joins two people identified apart when an identify names both, and says whose keys moved', () => {
    const resolver = new IdentityResolver()
    resolver.add({
      links: [
        { messageId: 'm1', timestamp: 1, anonymousId: 'a1', userId: 'u1' },
        { messageId: 'm2', timestamp: 2, anonymousId: 'a2', email: 'ada@acme.com' },
      ],
    })
    expect(resolver.graph.personByIdentifier.get('anon:a2')).toBe('email:ada@acme.com')
    const changes = resolver.add({
      links: [{ messageId: 'm3', timestamp: 3, userId: 'u1', email: 'ada@acme.com' }],
    })
    expect(resolver.graph.personByIdentifier.get('anon:a2')).toBe('user:u1')
    expect([...changes.identifiers].sort()).toEqual(['anon:a2', 'email:ada@acme.com'])
    expect(resolver.firstIdentified.get('user:u1')).toBe(1)
    expect(resolver.firstIdentified.has('email:ada@acme.com')).toBe(false)
  })
})
