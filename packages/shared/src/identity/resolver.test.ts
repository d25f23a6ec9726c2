import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normaliseEmail } from './email'
import { emailKey, type IdentityGraph, resolveIdentities, userKey } from './graph'
import { IdentityResolver, sameIdentifications } from './resolver'
import { ANONS, aliasArb, EMAILS, linkArb, USERS } from './testing'

// Wider pools than the graph's tests: more components to join.
const links = linkArb([...ANONS, 'a4', ' a1 '], [...USERS, 'u3'], [...EMAILS, 'e3@y.org'])
const aliases = aliasArb([...ANONS, 'a4', ' a1 '], [...USERS, 'u3'])
/** Evidence in batches, each link and alias with a message id of its own. */
const batchesArb = fc
  .array(
    fc.record({
      links: fc.array(links, { maxLength: 8 }),
      aliases: fc.array(aliases, { maxLength: 2 }),
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
