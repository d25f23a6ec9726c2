/** Identity evidence for the identity tests: fast-check arbitraries over small pools. */
import fc from 'fast-check'

// Small pools so that random links collide often (and components join and split).
export const ANONS = ['a0', 'a1', 'a2', 'a3', 'null']
export const USERS = ['u0', 'u1', 'u2', 'anonymous']
export const EMAILS = ['e0@x.com', 'E1@x.com ', 'e2@y.org', 'nope']

export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

/** A link over the pools (`anons` etc. to widen them); its messageId is the caller's. */
export const linkArb = (anons = ANONS, users = USERS, emails = EMAILS) =>
  fc.record({
    timestamp: fc.integer({ min: 0, max: 50 }),
    anonymousId: maybe(fc.constantFrom(...anons)),
    userId: maybe(fc.constantFrom(...users)),
    email: maybe(fc.constantFrom(...emails)),
    sessionId: maybe(fc.constantFrom('s0', 's1', 's2')),
  })

export const aliasArb = (anons = ANONS, users = USERS) =>
  fc.record({
    timestamp: fc.integer({ min: 0, max: 50 }),
    previousId: fc.constantFrom(...anons, ...users),
    userId: fc.constantFrom(...users),
  })
