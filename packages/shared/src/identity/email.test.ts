import { describe, expect, it } from 'vitest'
import { emailDomain, normaliseEmail } from './email'

describe('normaliseEmail', () => {
  it('trims and lower-cases an address', () => {
    expect(normaliseEmail('  Ada.Lovelace+crm@Mail.ACME.co.uk ')).toEqual({
      ok: true,
      email: 'ada.lovelace+crm@mail.acme.co.uk',
    })
    expect(emailDomain('ada@mail.acme.co.uk')).toBe('mail.acme.co.uk')
  })

  it('refuses what is not an address, saying so', () => {
    for (const value of [
      '',
      'n/a',
      'ada',
      'ada@',
      '@acme.com',
      'ada@acme',
      'a b@acme.com',
      'a@b@c.com',
    ]) {
      expect(normaliseEmail(value)).toEqual({
        ok: false,
        error: `${JSON.stringify(value.trim().toLowerCase())} is not an email address`,
      })
    }
  })
})
