import { describe, expect, it } from 'vitest'
import { type AccountRules, accountOf, companyDomain, resolveAccounts } from './accounts'
import { resolveIdentities } from './graph'

// A toy registrable-domain rule (the collector uses the Public Suffix List through tldts).
const rules: AccountRules = {
  registrableDomain: (host) => host.split('.').slice(-2).join('.'),
  isExcludedDomain: (domain) => ['gmail.com', 'mailinator.com', 'partner.io'].includes(domain),
}

describe('companyDomain', () => {
  it('is the registrable domain of the email, unless excluded', () => {
    expect(companyDomain('ada@eu.mail.acme.com', rules)).toBe('acme.com')
    expect(companyDomain('ada@gmail.com', rules)).toBeUndefined()
    expect(companyDomain('ada@x.partner.io', rules)).toBeUndefined()
    expect(companyDomain('ada@localhost', { ...rules, registrableDomain: () => null })).toBe(
      undefined,
    )
  })
})

describe('resolveAccounts', () => {
  const graph = resolveIdentities({
    links: [
      { messageId: 'm1', timestamp: 1, anonymousId: 'a1', email: 'ada@acme.com' },
      { messageId: 'm2', timestamp: 2, anonymousId: 'a2', email: 'bob@acme.com' },
      { messageId: 'm3', timestamp: 3, anonymousId: 'a3', email: 'cy@gmail.com' },
      { messageId: 'm4', timestamp: 4, anonymousId: 'a4', userId: 'u-dee', email: 'dee@acme.com' },
    ],
  })

  it('takes the latest group call, else the company email domain; others stand alone', () => {
    const accounts = resolveAccounts(
      graph,
      [
        { messageId: 'g1', timestamp: 10, groupId: 'old-co', userId: 'u-dee' },
        { messageId: 'g2', timestamp: 20, groupId: 'acme-inc', anonymousId: 'a4' },
        { messageId: 'g3', timestamp: 5, groupId: 'startup', anonymousId: 'a9' },
      ],
      rules,
    )
    expect(accountOf(accounts, 'email:ada@acme.com')).toEqual({
      key: 'domain:acme.com',
      source: 'domain',
    })
    expect(accountOf(accounts, 'email:bob@acme.com').key).toBe('domain:acme.com')
    expect(accountOf(accounts, 'user:u-dee')).toEqual({ key: 'group:acme-inc', source: 'group' })
    expect(accountOf(accounts, 'anon:a9')).toEqual({ key: 'group:startup', source: 'group' })
    expect(accountOf(accounts, 'email:cy@gmail.com')).toEqual({
      key: 'email:cy@gmail.com',
      source: 'person',
    })
  })
})
